// Renders one corpus message to bytes (CRLF line endings throughout), deterministically from its
// descriptor alone. The size is exact: headers and MIME structure first, then an attachment and
// filler text sized to make up the rest. Large messages can be streamed chunk by chunk.
import { Readable } from 'node:stream'
import { SeededRandom } from './seeded-random.js'
import { fillerText, pickName, pickSubject, sentence } from './corpus-text.js'
import type { CorpusMessage } from './corpus.js'

const CRLF = '\r\n'
const ME = 'Corpus Owner <owner@corpus.example.org>'
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
/** Binary bytes per base64 block: a multiple of 57, so each block is whole 76-character lines. */
const B64_BLOCK = 57 * 1024

/** The RFC 5322 Date of an instant, written in the given zone. */
export function rfc5322Date(d: Date, offsetMinutes: number): string {
  const l = new Date(d.getTime() + offsetMinutes * 60_000)
  const p2 = (n: number): string => String(n).padStart(2, '0')
  const sign = offsetMinutes < 0 ? '-' : '+'
  const abs = Math.abs(offsetMinutes)
  return `${DAYS[l.getUTCDay()]}, ${p2(l.getUTCDate())} ${MONTHS[l.getUTCMonth()]} ${l.getUTCFullYear()} ` +
    `${p2(l.getUTCHours())}:${p2(l.getUTCMinutes())}:${p2(l.getUTCSeconds())} ${sign}${p2(Math.floor(abs / 60))}${p2(abs % 60)}`
}

function addressOf(name: string, domain: string): string {
  const local = name.normalize('NFD').replace(/[^A-Za-z ]/g, '').trim().toLowerCase().replace(/ +/g, '.')
  return `${local || 'someone'}@${domain}`
}

function encodedWord(text: string, charset: 'UTF-8' | 'ISO-8859-1', enc: 'B' | 'Q'): string {
  const bytes = Buffer.from(text, charset === 'UTF-8' ? 'utf8' : 'latin1')
  if (enc === 'B') return `=?${charset}?B?${bytes.toString('base64')}?=`
  let q = ''
  for (const b of bytes) {
    q += (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) ? String.fromCharCode(b)
      : b === 0x20 ? '_' : `=${b.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return `=?${charset}?Q?${q}?=`
}

/** A header line whose value is written in the message's header style (raw bytes where asked). */
function styledHeader(field: string, value: string, style: CorpusMessage['headerStyle'], rng: SeededRandom): Buffer {
  switch (style) {
    case 'utf8-raw':
      return Buffer.from(`${field}: ${value}${CRLF}`, 'utf8')
    case 'latin1-raw':
      return Buffer.concat([Buffer.from(`${field}: `), Buffer.from(value, 'latin1'), Buffer.from(CRLF)])
    case 'encoded-words':
      return Buffer.from(`${field}: ${rng.chance(0.5) ? encodedWord(value, 'UTF-8', 'B') : encodedWord(value, 'ISO-8859-1', 'Q')}${CRLF}`)
    default:
      return Buffer.from(`${field}: ${value}${CRLF}`)
  }
}

function headers(m: CorpusMessage, rng: SeededRandom, contentType: string, cte: string): Buffer {
  const eightBit = m.headerStyle !== 'ascii'
  const date = rfc5322Date(m.internalDate, m.zoneOffsetMinutes)
  const name = pickName(rng, eightBit)
  const subject = pickSubject(rng, eightBit)
  const sent = m.folder === 'Sent'
  const relay = rng.int(1, 9)
  const parts: Buffer[] = []
  if (!sent && m.folder !== 'Drafts') {
    parts.push(Buffer.from(
      `Return-Path: <${addressOf(name, 'example.com')}>${CRLF}` +
      `Received: from mta${relay}.example.net (mta${relay}.example.net [192.0.2.${rng.int(1, 254)}])${CRLF}` +
      `\tby mx.corpus.example.org with ESMTPS id ${rng.uint32().toString(36)}${CRLF}` +
      `\tfor <owner@corpus.example.org>; ${date}${CRLF}`))
  }
  parts.push(Buffer.from(`Date: ${date}${CRLF}`))
  const person = `${name} <${addressOf(name, 'example.com')}>`
  if (sent) {
    parts.push(Buffer.from(`From: ${ME}${CRLF}`))
    parts.push(styledHeader('To', person, m.headerStyle, rng))
  } else {
    parts.push(styledHeader('From', person, m.headerStyle, rng))
    parts.push(Buffer.from(`To: ${ME}${CRLF}`))
  }
  if (rng.chance(0.2)) parts.push(Buffer.from(`Cc: ${pickName(rng, false)} <${addressOf(pickName(rng, false), 'example.net')}>${CRLF}`))
  parts.push(styledHeader('Subject', (rng.chance(0.2) ? 'Re: ' : '') + subject, m.headerStyle, rng))
  if (m.messageId !== null) parts.push(Buffer.from(`Message-ID: ${m.messageId}${CRLF}`))
  if (rng.chance(0.15)) parts.push(Buffer.from(`In-Reply-To: <${rng.uint32().toString(36)}.${rng.uint32().toString(36)}@example.com>${CRLF}`))
  if (m.folder.startsWith('Lists/')) parts.push(Buffer.from(`List-Id: <${m.folder.slice(6)}.lists.example.org>${CRLF}`))
  if (m.keywords.includes('$Junk')) parts.push(Buffer.from(`X-Spam-Flag: YES${CRLF}`))
  parts.push(Buffer.from(`MIME-Version: 1.0${CRLF}Content-Type: ${contentType}${CRLF}Content-Transfer-Encoding: ${cte}${CRLF}${CRLF}`))
  return Buffer.concat(parts)
}

/** Message = prefix + filler text + middle + base64(attachment) + suffix. */
interface Layout {
  prefix: Buffer
  fillerBytes: number
  fillerUtf8: boolean
  middle: Buffer
  attachmentBinaryBytes: number
  suffix: Buffer
}

/** Encoded length of n binary bytes as base64 in 76-character CRLF lines. */
export function base64LinesLength(n: number): number {
  const full = Math.floor(n / 57)
  const rest = n % 57
  return full * 78 + (rest ? Math.ceil(rest / 3) * 4 + 2 : 0)
}

/** Most binary bytes whose base64 lines fit in `budget` bytes. */
function binaryBytesFor(budget: number): number {
  const full = Math.floor(budget / 78)
  const rem = budget - full * 78
  return full * 57 + (rem >= 6 ? Math.floor((rem - 2) / 4) * 3 : 0)
}

function layoutOf(m: CorpusMessage, rng: SeededRandom): Layout {
  const utf8 = m.headerStyle === 'utf8-raw' || (m.headerStyle !== 'latin1-raw' && rng.chance(0.4))
  const charset = m.headerStyle === 'latin1-raw' ? 'iso-8859-1' : utf8 ? 'utf-8' : 'us-ascii'
  const textCte = utf8 ? '8bit' : '7bit'
  const textType = `text/plain; charset=${charset}`
  if (m.kind === 'plain') {
    return { prefix: headers(m, rng, textType, textCte), fillerBytes: 0, fillerUtf8: utf8, middle: Buffer.alloc(0), attachmentBinaryBytes: 0, suffix: Buffer.alloc(0) }
  }
  const boundary = `=_corpus_${rng.uint32().toString(36)}_${m.index}`
  const head = headers(m, rng, `multipart/${m.kind}; boundary="${boundary}"`, '7bit')
  const prefix = Buffer.concat([head, Buffer.from(
    `This is a multi-part message in MIME format.${CRLF}${CRLF}--${boundary}${CRLF}` +
    `Content-Type: ${textType}${CRLF}Content-Transfer-Encoding: ${textCte}${CRLF}${CRLF}`)])
  if (m.kind === 'alternative') {
    const paragraphs: string[] = []
    for (let i = rng.int(2, 6); i > 0; i--) paragraphs.push(`<p>${sentence(rng, rng.int(6, 14), { utf8: true })}</p>`)
    const html = `<html><head><meta charset="utf-8"></head><body>${CRLF}${paragraphs.join(CRLF)}${CRLF}</body></html>${CRLF}`
    const middle = Buffer.from(`${CRLF}--${boundary}${CRLF}Content-Type: text/html; charset=utf-8${CRLF}` +
      `Content-Transfer-Encoding: 8bit${CRLF}${CRLF}${html}--${boundary}--${CRLF}`)
    return { prefix, fillerBytes: 0, fillerUtf8: utf8, middle, attachmentBinaryBytes: 0, suffix: Buffer.alloc(0) }
  }
  const file = `${rng.pick(['scan', 'report', 'photo', 'invoice', 'archive'])}-${m.index}.${rng.pick(['pdf', 'jpg', 'zip', 'bin'])}`
  const middle = Buffer.from(`${CRLF}--${boundary}${CRLF}Content-Type: application/octet-stream; name="${file}"${CRLF}` +
    `Content-Disposition: attachment; filename="${file}"${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}`)
  return { prefix, fillerBytes: 0, fillerUtf8: utf8, middle, attachmentBinaryBytes: 0, suffix: Buffer.from(`--${boundary}--${CRLF}`) }
}

function sizedLayout(m: CorpusMessage, rng: SeededRandom): Layout {
  const l = layoutOf(m, rng)
  const avail = m.size - l.prefix.length - l.middle.length - l.suffix.length
  if (avail < 0) throw new Error(`corpus message ${m.index}: size ${m.size} is too small for its ${m.kind} structure`)
  if (m.kind === 'mixed') {
    const share = m.size > 1024 * 1024 ? 0.97 : 0.85
    l.attachmentBinaryBytes = binaryBytesFor(Math.floor(avail * share))
  }
  l.fillerBytes = avail - base64LinesLength(l.attachmentBinaryBytes)
  return l
}

function* base64Lines(rng: SeededRandom, binaryBytes: number): Generator<Buffer> {
  for (let done = 0; done < binaryBytes; done += B64_BLOCK) {
    const bin = Buffer.allocUnsafe(Math.min(B64_BLOCK, binaryBytes - done))
    rng.fill(bin)
    const b64 = bin.toString('base64')
    const lines: string[] = []
    for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76), CRLF)
    yield Buffer.from(lines.join(''), 'latin1')
  }
}

/** The message's bytes in chunks (a few hundred KiB at most each). */
export function* messageChunks(m: CorpusMessage): Generator<Buffer> {
  const rng = new SeededRandom(m.seed)
  const l = sizedLayout(m, rng)
  yield l.prefix
  yield Buffer.from(fillerText(rng, l.fillerBytes, { utf8: l.fillerUtf8 }), 'utf8')
  if (l.middle.length) yield l.middle
  yield* base64Lines(rng, l.attachmentBinaryBytes)
  if (l.suffix.length) yield l.suffix
}

export function renderMessage(m: CorpusMessage): Buffer {
  const out = Buffer.concat([...messageChunks(m)])
  if (out.length !== m.size) throw new Error(`corpus message ${m.index}: rendered ${out.length} bytes, planned ${m.size}`)
  return out
}

/** A stream of the message's bytes, for messages too large to hold (e.g. 100 MiB). */
export function messageStream(m: CorpusMessage): Readable {
  return Readable.from(messageChunks(m), { objectMode: false })
}

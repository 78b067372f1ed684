import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { generateCorpus, renderMessage, messageStream, messagesIn, type Corpus } from '../support/corpus.js'
import { encodeMutf7 } from '../support/corpus-mutf7.js'
import { SeededRandom } from '../support/seeded-random.js'

function corpusHash(c: Corpus): string {
  const h = createHash('sha256')
  for (const m of c.messages) {
    h.update(JSON.stringify({ ...m, seed: undefined }))
    h.update(renderMessage(m))
  }
  return h.digest('hex')
}

const corpus = generateCorpus({ seed: 42, messages: 300 })
const bytesOf = new Map(corpus.messages.map((m) => [m.index, renderMessage(m)]))
const special = (f: string) => corpus.messages.find((m) => m.special === f)!

function headerBlock(buf: Buffer): Buffer {
  return buf.subarray(0, buf.indexOf('\r\n\r\n'))
}

test('the same seed gives identical bytes; another seed gives others', () => {
  const again = generateCorpus({ seed: 42, messages: 300 })
  assert.equal(corpusHash(again), corpusHash(corpus))
  assert.notEqual(corpusHash(generateCorpus({ seed: 43, messages: 300 })), corpusHash(corpus))
})

test('every message renders to exactly its planned size, with CRLF line endings only', () => {
  let total = 0
  for (const m of corpus.messages) {
    const b = bytesOf.get(m.index)!
    assert.equal(b.length, m.size, `message ${m.index}`)
    total += b.length
    const s = b.toString('latin1')
    assert.doesNotMatch(s, /[^\r]\n|\r[^\n]/, `bare CR or LF in message ${m.index}`)
    assert.ok(!b.includes(0), `NUL byte in message ${m.index}`)
  }
  assert.equal(total, corpus.totalBytes)
})

test('sizes span about 1 KB to more than 1 MB, most of them small', () => {
  const sizes = corpus.messages.map((m) => m.size)
  assert.ok(Math.min(...sizes) <= 1100)
  assert.ok(Math.max(...sizes) > 1024 * 1024)
  assert.ok(sizes.filter((s) => s < 40 * 1024).length > sizes.length * 0.7)
  const big = generateCorpus({ seed: 5, messages: 10_000 })
  const mean = big.totalBytes / big.messages.length
  assert.ok(mean > 18 * 1024 && mean < 35 * 1024, `mean size ${mean}`)
})

test('one message has no Message-ID; all others have one, unique except two duplicate pairs', () => {
  const none = corpus.messages.filter((m) => m.messageId === null)
  assert.equal(none.length, 1)
  assert.doesNotMatch(headerBlock(bytesOf.get(none[0]!.index)!).toString('latin1'), /^Message-ID:/im)
  const byId = new Map<string, number[]>()
  for (const m of corpus.messages) {
    if (m.messageId === null) continue
    assert.match(headerBlock(bytesOf.get(m.index)!).toString('latin1'), new RegExp(`^Message-ID: ${m.messageId.replace(/[.]/g, '\\.')}$`, 'm'))
    byId.set(m.messageId, [...(byId.get(m.messageId) ?? []), m.index])
  }
  const dups = [...byId.values()].filter((v) => v.length > 1)
  assert.equal(dups.length, 2)
  const folders = dups.map((pair) => pair.map((i) => corpus.messages[i]!.folder))
  assert.ok(folders.some(([a, b]) => a !== b), 'a duplicate pair across folders')
  assert.ok(folders.some(([a, b]) => a === b), 'a duplicate pair within one folder')
  for (const [a, b] of dups) assert.notDeepEqual(bytesOf.get(a!), bytesOf.get(b!))
})

test('headers carry raw UTF-8, raw ISO-8859-1 and encoded words', () => {
  const utf8 = headerBlock(bytesOf.get(special('utf8-header').index)!)
  const subject = utf8.toString('utf8').match(/^Subject: (.*)$/m)![1]!
  assert.match(subject, /[^\x00-\x7f]/)
  const latin1 = headerBlock(bytesOf.get(special('latin1-header').index)!)
  const subjectLatin1 = latin1.subarray(latin1.indexOf('Subject: '))
  const line = subjectLatin1.subarray(0, subjectLatin1.indexOf('\r\n'))
  assert.ok(line.some((b) => b >= 0x80), 'an 8-bit byte in the Subject')
  assert.ok(line.toString('utf8').includes('\ufffd'), 'and it is not valid UTF-8')
  const ew = headerBlock(bytesOf.get(special('encoded-words').index)!).toString('latin1')
  assert.match(ew, /^Subject: =\?(UTF-8|ISO-8859-1)\?[BQ]\?/m)
})

test('multipart/mixed messages carry a base64 attachment; multipart/alternative has text and HTML', () => {
  const att = bytesOf.get(special('attachment').index)!.toString('latin1')
  assert.match(att, /^Content-Type: multipart\/mixed; boundary=/m)
  const b64 = att.split('Content-Transfer-Encoding: base64\r\n\r\n')[1]!.split('--=_corpus')[0]!
  const decoded = Buffer.from(b64.replace(/\r\n/g, ''), 'base64')
  assert.ok(decoded.length > 30 * 1024, `attachment of ${decoded.length} bytes`)
  assert.ok(b64.split('\r\n').every((l) => l.length <= 76))
  const alt = bytesOf.get(special('alternative').index)!.toString('latin1')
  assert.match(alt, /multipart\/alternative/)
  assert.match(alt, /Content-Type: text\/plain/)
  assert.match(alt, /Content-Type: text\/html/)
})

test('the Date header names the internal date, in whole seconds', () => {
  for (const m of corpus.messages.slice(0, 80)) {
    assert.equal(m.internalDate.getMilliseconds(), 0)
    const date = headerBlock(bytesOf.get(m.index)!).toString('latin1').match(/^Date: (.*)$/m)![1]!
    assert.equal(Date.parse(date), m.internalDate.getTime(), `message ${m.index}: ${date}`)
  }
})

test('folders are nested, spaced and non-ASCII; INBOX and Archive hold the most', () => {
  assert.ok(corpus.folders.includes('Archive/2023'))
  assert.ok(corpus.folders.includes('INBOX/Receipts'))
  assert.ok(corpus.folders.some((f) => f.includes(' ')))
  assert.ok(corpus.folders.some((f) => /[^\x00-\x7f]/.test(f)))
  assert.equal(new Set(corpus.folders).size, corpus.folders.length)
  const count = (f: string) => messagesIn(corpus, f).length
  for (const f of corpus.folders.filter((x) => x !== 'INBOX' && x !== 'Archive')) {
    assert.ok(count('INBOX') > count(f), `INBOX larger than ${f}`)
  }
  const inbox = messagesIn(corpus, 'INBOX')
  assert.deepEqual(inbox.map((m) => m.folderIndex), inbox.map((_, i) => i))
  assert.deepEqual(generateCorpus({ seed: 1, messages: 10, folders: 4 }).folders, ['INBOX', 'Archive', 'Sent', 'Drafts'])
  const many = generateCorpus({ seed: 1, messages: 10, folders: 40 }).folders
  assert.equal(new Set(many).size, 40)
})

test('flags and keywords: mostly \\Seen, \\Draft in Drafts, $Junk in Junk, user keywords', () => {
  const all = corpus.messages
  assert.ok(all.filter((m) => m.flags.includes('\\Seen')).length > all.length / 2)
  for (const m of messagesIn(corpus, 'Drafts')) assert.ok(m.flags.includes('\\Draft'))
  for (const m of messagesIn(corpus, 'Junk')) assert.ok(m.keywords.includes('$Junk'))
  const keywords = new Set(all.flatMap((m) => m.keywords))
  for (const k of ['$Forwarded', 'Work', 'Important']) assert.ok(keywords.has(k), k)
  for (const f of ['\\Answered', '\\Flagged']) assert.ok(all.some((m) => m.flags.includes(f)), f)
})

test('a very large message streams the same bytes it renders', async () => {
  const c = generateCorpus({ seed: 9, messages: 3, largeMessageSize: 12 * 1024 * 1024 })
  const big = c.messages.find((m) => m.special === 'large-message')!
  assert.equal(big.sizeClass, 'giant')
  const h = createHash('sha256')
  let n = 0
  let largestChunk = 0
  for await (const chunk of messageStream(big)) {
    h.update(chunk as Buffer)
    n += (chunk as Buffer).length
    largestChunk = Math.max(largestChunk, (chunk as Buffer).length)
  }
  assert.equal(n, big.size)
  assert.ok(largestChunk < 4 * 1024 * 1024, `chunks stay small (${largestChunk})`)
  assert.equal(h.digest('hex'), createHash('sha256').update(renderMessage(big)).digest('hex'))
})

test('bad options are refused with a clear message', () => {
  assert.throws(() => generateCorpus({ seed: 1.5, messages: 1 }), /seed must be an integer/)
  assert.throws(() => generateCorpus({ seed: 1, messages: -1 }), /messages must be an integer >= 0/)
  assert.throws(() => generateCorpus({ seed: 1, messages: 1, folders: 0 }), /folders must be an integer >= 1/)
  assert.throws(() => generateCorpus({ seed: 1, messages: 1, maxSize: 100 }), /maxSize must be an integer >= 1024/)
  assert.throws(() => generateCorpus({ seed: 1, messages: 0, largeMessageSize: 5000 }), /needs messages >= 1/)
  assert.equal(generateCorpus({ seed: 1, messages: 0 }).messages.length, 0)
})

test('maxSize caps the random sizes', () => {
  const c = generateCorpus({ seed: 3, messages: 500, maxSize: 64 * 1024 })
  assert.ok(c.messages.every((m) => m.size <= 64 * 1024))
  for (const m of c.messages) assert.equal(renderMessage(m).length, m.size)
})

test('modified UTF-7 folder names', () => {
  assert.equal(encodeMutf7('Entwürfe'), 'Entw&APw-rfe')
  assert.equal(encodeMutf7('Friends & Family'), 'Friends &- Family')
  assert.equal(encodeMutf7('日本語'), '&ZeVnLIqe-')
  assert.equal(encodeMutf7('INBOX'), 'INBOX')
})

test('the PRNG is deterministic and spreads its values', () => {
  const a = new SeededRandom(1)
  const b = new SeededRandom(1)
  const xs = Array.from({ length: 1000 }, () => a.next())
  assert.deepEqual(Array.from({ length: 1000 }, () => b.next()), xs)
  assert.ok(xs.every((x) => x >= 0 && x < 1))
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length
  assert.ok(mean > 0.45 && mean < 0.55)
  assert.throws(() => new SeededRandom(Number.NaN), /finite/)
})

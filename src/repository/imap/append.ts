// APPEND with flags and INTERNALDATE; the new UID from APPENDUID (UIDPLUS), or found again by
// Message-ID and size among the UIDs above the highest before the APPEND. Never by a header we
// injected.
import type { ImapFlow } from 'imapflow'
import type { Readable } from 'node:stream'
import { MailsyncError } from '../../errors.js'
import { normalizeFlags, type AppendInput, type AppendResult } from '../types.js'
import { listMessages } from './list-messages.js'
import { highestUid, uidsAbove } from './message-search.js'
import { LiteralSizeError } from './raw/command.js'
import { rawStreamAppend, type StreamAppendResult } from './raw/stream-append.js'
import { spool } from './spool.js'

export interface AppendContext {
  path: string
  uidPlus: boolean
  uidValidity: number
}

/**
 * A message in memory goes through imapflow's APPEND. A stream is sent as it is read, on the
 * borrowed connection (raw/stream-append.ts), so a large message is never held in memory; a
 * stream whose size is only the source server's word is first copied to a temporary file
 * (spool.ts) to learn its exact length. Where the connection cannot be borrowed, the stream is
 * read into memory and imapflow appends it.
 */
export async function appendMessage(client: ImapFlow, msg: AppendInput, ctx: AppendContext): Promise<AppendResult> {
  // Without UIDPLUS the new UID is searched among UIDs above the highest one before the APPEND.
  const before = ctx.uidPlus ? 0 : await highestUid(client)
  if (Buffer.isBuffer(msg.content)) return appendBuffer(client, msg.content, msg, ctx, before)
  const spooled = msg.sizeExact ? undefined : await spool(msg.content)
  try {
    const source = spooled ? spooled.stream() : msg.content
    const streamed = await appendStream(client, source, spooled ? spooled.size : msg.size, msg, ctx, before)
    if (streamed) return streamed
    // the connection could not be borrowed: nothing was read from `source`
    return await appendBuffer(client, await collect(source), msg, ctx, before)
  } finally {
    await spooled?.close()
  }
}

async function appendBuffer(client: ImapFlow, content: Buffer, msg: AppendInput, ctx: AppendContext, before: number): Promise<AppendResult> {
  if (content.length === 0) throw new MailsyncError('data', `refusing to append an empty message to ${ctx.path}`)
  const res = await client.append(ctx.path, content, normalizeFlags(msg.flags), new Date(msg.internalDate))
  if (!res) throw new MailsyncError('server', `APPEND to ${ctx.path} failed`)
  const uidValidity = res.uidValidity !== undefined ? Number(res.uidValidity) : ctx.uidValidity
  if (typeof res.uid === 'number' && res.uid > 0) return { uid: res.uid, uidValidity }
  return { uid: await findAppended(client, before, [content.length, crlfSize(content)], msg.messageId), uidValidity }
}

/** undefined when the connection could not be borrowed: then nothing was read from `source`. */
async function appendStream(
  client: ImapFlow, source: Readable, size: number, msg: AppendInput, ctx: AppendContext, before: number,
): Promise<AppendResult | undefined> {
  const lineEnds = new LineEnds()
  let res: StreamAppendResult
  try {
    res = await rawStreamAppend(client, ctx.path, { source, size, flags: normalizeFlags(msg.flags), internalDate: msg.internalDate }, (c) => lineEnds.add(c))
  } catch (err) {
    if (err instanceof LiteralSizeError) {
      throw new MailsyncError('data', `message not appended to ${ctx.path}: ${err.message} (it changed while it was copied); nothing was stored`)
    }
    throw err
  }
  if (res.outcome !== 'done') {
    if (res.outcome === 'unavailable') return undefined
    throw new MailsyncError('server', `APPEND to ${ctx.path} failed: ${res.reason}`)
  }
  const uidValidity = res.uidValidity ?? ctx.uidValidity
  if (res.uid !== undefined) return { uid: res.uid, uidValidity }
  return { uid: await findAppended(client, before, [size, size + lineEnds.bare], msg.messageId), uidValidity }
}

/** Without UIDPLUS: the one new message with our size (and Message-ID), in one UID FETCH of the new UIDs. */
async function findAppended(client: ImapFlow, before: number, sizes: number[], messageId: string | undefined): Promise<number | undefined> {
  const wanted = messageId ? messageId.trim() : undefined
  if (wanted === '') return undefined
  const fresh = await uidsAbove(client, before)
  if (fresh.length === 0) return undefined
  const { messages } = await listMessages(client, { uids: fresh, withMessageId: wanted !== undefined }, { qresync: false, condstore: false })
  const matching = messages.filter((m) => (wanted === undefined || m.messageId === wanted) && sizes.includes(m.size))
  // Two equal new messages (another client appended the same one): we cannot tell which is ours.
  return matching.length === 1 ? matching[0]!.uid : undefined
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer))
  return Buffer.concat(chunks)
}

/** Size once bare LFs become CRLF: servers that store lines (Dovecot) count RFC822.SIZE that way. */
export function crlfSize(content: Buffer): number {
  const ends = new LineEnds()
  ends.add(content)
  return content.length + ends.bare
}

/** Counts the LFs without a CR before them, over a message given in chunks. */
class LineEnds {
  bare = 0
  private afterCr = false

  add(chunk: Buffer): void {
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) {
      if (!(i === 0 ? this.afterCr : chunk[i - 1] === 13)) this.bare++
    }
    if (chunk.length) this.afterCr = chunk[chunk.length - 1] === 13
  }
}

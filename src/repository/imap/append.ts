// APPEND with flags and INTERNALDATE; the new UID from APPENDUID (UIDPLUS), or found again by
// Message-ID and size among the UIDs above the highest before the APPEND. Never by a header we
// injected.
import type { ImapFlow } from 'imapflow'
import type { Readable } from 'node:stream'
import { MailsyncError } from '../../errors.js'
import { normalizeFlags, type AppendInput, type AppendResult } from '../types.js'
import { listMessages } from './list-messages.js'
import { highestUid, uidsAbove } from './message-search.js'

export interface AppendContext {
  path: string
  uidPlus: boolean
  uidValidity: number
}

/**
 * imapflow sends the message as one literal and needs its length up front, so a stream is read
 * into memory first (the engine streams large messages from disk; peak memory is one message).
 */
export async function appendMessage(client: ImapFlow, msg: AppendInput, ctx: AppendContext): Promise<AppendResult> {
  const content = Buffer.isBuffer(msg.content) ? msg.content : await collect(msg.content)
  if (content.length === 0) throw new MailsyncError('data', `refusing to append an empty message to ${ctx.path}`)
  const flags = normalizeFlags(msg.flags)
  // Without UIDPLUS the new UID is searched among UIDs above the highest one before the APPEND.
  const before = ctx.uidPlus ? 0 : await highestUid(client)
  const res = await client.append(ctx.path, content, flags, new Date(msg.internalDate))
  if (!res) throw new MailsyncError('server', `APPEND to ${ctx.path} failed`)
  const uidValidity = res.uidValidity !== undefined ? Number(res.uidValidity) : ctx.uidValidity
  if (typeof res.uid === 'number' && res.uid > 0) return { uid: res.uid, uidValidity }
  return { uid: await findAppended(client, before, [content.length, crlfSize(content)], msg.messageId), uidValidity }
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
  let extra = 0
  for (let i = content.indexOf(10); i >= 0; i = content.indexOf(10, i + 1)) {
    if (i === 0 || content[i - 1] !== 13) extra++
  }
  return content.length + extra
}

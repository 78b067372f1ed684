// One bulk UID FETCH (FLAGS RFC822.SIZE INTERNALDATE [MODSEQ] [Message-ID]) -> ListResult.
import type { FetchMessageObject, FetchQueryObject, ImapFlow } from 'imapflow'
import { normalizeFlags, type ListOptions, type ListResult, type MessageMeta } from '../types.js'
import { messageIdFromHeader } from '../../mail/header.js'
import { uidSetChunks } from './uid-set.js'

export interface ListContext {
  /** QRESYNC is enabled on this connection: CHANGEDSINCE also reports VANISHED. */
  qresync: boolean
  /** CONDSTORE is enabled and the mailbox keeps mod-sequences. */
  condstore: boolean
}

interface ExpungeEvent {
  uid?: number
  vanished?: boolean
  earlier?: boolean
}

export async function listMessages(client: ImapFlow, opts: ListOptions, ctx: ListContext): Promise<ListResult> {
  const query: FetchQueryObject = { uid: true, flags: true, size: true, internalDate: true }
  if (opts.withMessageId) query.headers = ['message-id']
  const changedSince = opts.changedSince !== undefined && ctx.condstore ? opts.changedSince : undefined
  const ranges = uidRanges(opts.uids)
  const from = opts.uids && !Array.isArray(opts.uids) ? opts.uids.from : 1
  const wanted = Array.isArray(opts.uids) ? new Set(opts.uids) : undefined

  const messages: MessageMeta[] = []
  const vanished = new Set<number>()
  // With QRESYNC, `UID FETCH ... (CHANGEDSINCE n VANISHED)` answers `* VANISHED (EARLIER) uids`,
  // which imapflow reports as 'expunge' events carrying the UID.
  const onExpunge = (e: ExpungeEvent): void => {
    if (e.vanished && e.earlier && typeof e.uid === 'number') vanished.add(e.uid)
  }
  const trackVanished = changedSince !== undefined && ctx.qresync
  if (trackVanished) client.on('expunge', onExpunge)
  try {
    for (const range of ranges) {
      const options = changedSince !== undefined ? { uid: true, changedSince } : { uid: true }
      for await (const msg of client.fetch(range, query, options)) {
        // "n:*" always includes the highest UID, even when it is below n.
        if (msg.uid < from || (wanted && !wanted.has(msg.uid))) continue
        messages.push(toMeta(msg, opts.withMessageId === true))
      }
    }
  } finally {
    if (trackVanished) client.off('expunge', onExpunge)
  }
  messages.sort((a, b) => a.uid - b.uid)
  const result: ListResult = { messages }
  if (trackVanished) {
    result.vanished = [...vanished].filter((u) => u >= from && (!wanted || wanted.has(u))).sort((a, b) => a - b)
  }
  return result
}

function uidRanges(uids: ListOptions['uids']): string[] {
  if (!uids) return ['1:*']
  if (Array.isArray(uids)) return uidSetChunks(uids)
  return [`${Math.max(1, uids.from)}:*`]
}

function toMeta(msg: FetchMessageObject, withMessageId: boolean): MessageMeta {
  const meta: MessageMeta = {
    uid: msg.uid,
    flags: normalizeFlags(msg.flags ?? []),
    size: msg.size ?? 0,
    internalDate: msg.internalDate ? new Date(msg.internalDate).getTime() : 0,
  }
  if (withMessageId) {
    const id = messageIdFromHeader(msg.headers)
    if (id) meta.messageId = id
  }
  if (typeof msg.modseq === 'bigint') meta.modSeq = msg.modseq
  return meta
}

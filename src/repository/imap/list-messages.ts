// One bulk UID FETCH (FLAGS RFC822.SIZE INTERNALDATE [MODSEQ] [Message-ID]) -> ListResult,
// read by raw/ where the connection can be borrowed, by imapflow otherwise.
import type { FetchMessageObject, FetchQueryObject, ImapFlow } from 'imapflow'
import { normalizeFlags, type ListOptions, type ListResult, type MessageMeta } from '../types.js'
import { messageIdFromHeader } from '../../mail/header.js'
import { uidSetChunks } from './uid-set.js'
import { rawUidFetch } from './raw/uid-fetch.js'
import { bytesItem, flagsItem, itemStartingWith, modSeqItem, numberItem, parseInternalDate, type FetchResponse } from './raw/fetch-response.js'

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
  const keep = (uid: number) => uid >= from && (!wanted || wanted.has(uid))
  const trackVanished = changedSince !== undefined && ctx.qresync
  for (const range of ranges) {
    const raw = await listRaw(client, range, opts, changedSince, ctx, trackVanished)
    if (raw) {
      for (const m of raw.messages) if (keep(m.uid)) messages.push(m)
      for (const uid of raw.vanished) vanished.add(uid)
      continue
    }
    await listWithImapflow(client, range, query, changedSince, trackVanished, (m) => {
      if (keep(m.uid)) messages.push(toMeta(m, opts.withMessageId === true))
    }, (uid) => vanished.add(uid))
  }
  messages.sort((a, b) => a.uid - b.uid)
  // expunged while the listing ran (VANISHED after its FETCH response): gone, not changed
  const result: ListResult = { messages: vanished.size ? messages.filter((m) => !vanished.has(m.uid)) : messages }
  if (trackVanished) {
    result.vanished = [...vanished].filter(keep).sort((a, b) => a - b)
  }
  return result
}

/**
 * One range through a raw UID FETCH (raw/uid-fetch.ts); undefined when imapflow must do it.
 * A change another client makes while the folder is selected comes as a FETCH of UID and FLAGS
 * only, and an expunge as VANISHED without EARLIER: both count (size and date then come from
 * `known`, or from the message's full response when the server sends one too).
 */
async function listRaw(client: ImapFlow, range: string, opts: ListOptions, changedSince: bigint | undefined, ctx: ListContext, trackVanished: boolean): Promise<{ messages: MessageMeta[]; vanished: number[] } | undefined> {
  const withMessageId = opts.withMessageId === true
  const items = ['UID', 'FLAGS', 'RFC822.SIZE', 'INTERNALDATE']
  if (ctx.condstore) items.push('MODSEQ')
  const byUid = new Map<number, MessageMeta>()
  const vanished: number[] = []
  const outcome = await rawUidFetch(client, {
    uids: range,
    items: `(${items.join(' ')}${withMessageId ? ' BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]' : ''})`,
    ...(changedSince !== undefined ? { modifiers: `(CHANGEDSINCE ${changedSince}${trackVanished ? ' VANISHED' : ''})` } : {}),
    answers: ['UID', 'FLAGS'],
    onFetch: (r) => {
      const meta = rawMeta(r, withMessageId, opts.known)
      const before = byUid.get(meta.uid)
      byUid.set(meta.uid, before ? mergeMeta(before, meta) : meta)
    },
    ...(trackVanished ? { onVanished: (uids: number[]) => vanished.push(...uids) } : {}),
  })
  return outcome === 'done' ? { messages: [...byUid.values()], vanished } : undefined
}

function rawMeta(r: FetchResponse, withMessageId: boolean, known: ListOptions['known']): MessageMeta {
  const uid = numberItem(r.items.get('UID'))
  if (uid === undefined || uid < 1) throw new Error(`FETCH response ${r.seq} without a valid UID`)
  const date = r.items.get('INTERNALDATE')
  const meta: MessageMeta = {
    uid,
    flags: normalizeFlags(flagsItem(r.items.get('FLAGS')) ?? []),
    size: numberItem(r.items.get('RFC822.SIZE')) ?? known?.get(uid)?.size ?? 0,
    internalDate: (typeof date === 'string' ? parseInternalDate(date) : undefined) ?? known?.get(uid)?.internalDate ?? 0,
  }
  if (withMessageId) {
    const id = messageIdFromHeader(bytesItem(itemStartingWith(r.items, 'BODY[HEADER.FIELDS')))
    if (id) meta.messageId = id
  }
  const modSeq = modSeqItem(r.items.get('MODSEQ'))
  if (modSeq !== undefined) meta.modSeq = modSeq
  return meta
}

/** Two responses for one UID: the later one's flags, the fuller one's size, date and Message-ID. */
function mergeMeta(a: MessageMeta, b: MessageMeta): MessageMeta {
  const out: MessageMeta = { ...a, ...b, size: b.size || a.size, internalDate: b.internalDate || a.internalDate }
  if (!b.messageId && a.messageId) out.messageId = a.messageId
  if (a.modSeq !== undefined && (b.modSeq === undefined || a.modSeq > b.modSeq)) out.modSeq = a.modSeq
  return out
}

async function listWithImapflow(client: ImapFlow, range: string, query: FetchQueryObject, changedSince: bigint | undefined, trackVanished: boolean, onMessage: (m: FetchMessageObject) => void, onVanished: (uid: number) => void): Promise<void> {
  // With QRESYNC, `UID FETCH ... (CHANGEDSINCE n VANISHED)` answers `* VANISHED (EARLIER) uids`,
  // and an expunge by another client meanwhile comes as `* VANISHED uids`: imapflow reports both
  // as 'expunge' events carrying the UID.
  const onExpunge = (e: ExpungeEvent): void => {
    if (e.vanished && typeof e.uid === 'number') onVanished(e.uid)
  }
  if (trackVanished) client.on('expunge', onExpunge)
  try {
    const options = changedSince !== undefined ? { uid: true, changedSince } : { uid: true }
    for await (const msg of client.fetch(range, query, options)) onMessage(msg)
  } finally {
    if (trackVanished) client.off('expunge', onExpunge)
  }
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

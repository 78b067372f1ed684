// One bulk UID FETCH (FLAGS RFC822.SIZE INTERNALDATE [MODSEQ] [Message-ID]) -> ListResult,
// read by raw/ where the connection can be borrowed, by imapflow otherwise.
import type { FetchMessageObject, FetchQueryObject, ImapFlow } from 'imapflow'
import { normalizeFlags, type ListOptions, type ListResult, type MessageMeta } from '../types.js'
import { messageIdFromHeader } from '../../mail/header.js'
import { progressBeat } from '../../progress-beat.js'
import { uidSetChunks } from './uid-set.js'
import { rawUidFetch } from './raw/uid-fetch.js'
import { bytesItem, flagsItem, itemStartingWith, modSeqItem, numberItem, parseInternalDate, type FetchResponse, type ItemValue } from './raw/fetch-response.js'

/**
 * More data items per message, for a kind built on this one (Gmail: X-GM-MSGID and X-GM-LABELS):
 * asked in the same bulk FETCH, read into the message's MessageMeta by the kind that knows them.
 */
export interface ListExtra {
  /** Item names for the raw UID FETCH (`X-GM-LABELS`). */
  items: string[]
  /** The same, as imapflow's fetch query (its fallback path). */
  query: Partial<FetchQueryObject>
  /** Reads the items of one raw FETCH response into `meta`. */
  fromRaw(items: ReadonlyMap<string, ItemValue>, meta: MessageMeta): void
  /** Reads imapflow's message object into `meta`. */
  fromImapflow(msg: FetchMessageObject, meta: MessageMeta): void
}

export interface ListContext {
  /** QRESYNC is enabled on this connection: CHANGEDSINCE also reports VANISHED. */
  qresync: boolean
  /** CONDSTORE is enabled and the mailbox keeps mod-sequences. */
  condstore: boolean
  extra?: ListExtra
}

export async function listMessages(client: ImapFlow, opts: ListOptions, ctx: ListContext): Promise<ListResult> {
  const changedSince = opts.changedSince !== undefined && ctx.condstore ? opts.changedSince : undefined
  const trackVanished = changedSince !== undefined && ctx.qresync
  const from = opts.uids && !Array.isArray(opts.uids) ? opts.uids.from : 1
  const wanted = Array.isArray(opts.uids) ? new Set(opts.uids) : undefined
  const keep = (uid: number) => uid >= from && (!wanted || wanted.has(uid))
  const found = new Listed(opts)
  for (const range of uidRanges(opts.uids)) {
    let part = new Listed(opts)
    // read here where the connection can be borrowed; by imapflow otherwise (or when refused)
    if (!(await listRaw(client, range, opts, changedSince, ctx, trackVanished, part))) {
      await listWithImapflow(client, range, opts, changedSince, trackVanished, (part = new Listed(opts)), ctx.extra)
    }
    found.merge(part)
  }
  // expunged while the listing ran (VANISHED after its FETCH response): gone, not changed
  const messages = [...found.byUid.values()].filter((m) => keep(m.uid) && !found.vanished.has(m.uid)).sort((a, b) => a.uid - b.uid)
  const result: ListResult = { messages }
  if (trackVanished) result.vanished = [...found.vanished].filter(keep).sort((a, b) => a - b)
  return result
}

/** What one listing read, however it was read: fields of each UID, and the UIDs that vanished. */
interface Fields {
  uid: number
  flags: Iterable<string>
  size: number | undefined
  internalDate: number | undefined
  /** The Message-ID header field, when asked for. */
  header: Buffer | undefined
  modSeq: bigint | undefined
  /** Reads the extra items (ListExtra) into the message's meta. */
  extra?: (meta: MessageMeta) => void
}

class Listed {
  readonly byUid = new Map<number, MessageMeta>()
  readonly vanished = new Set<number>()
  constructor(private readonly opts: ListOptions) {}

  /**
   * A change another client makes while the folder is selected comes as a FETCH of UID and FLAGS
   * only: size and date then come from `known`, or from the message's full response when the
   * server sends one too.
   */
  add(f: Fields): void {
    // the listing of a big folder is progress too (progress-beat.ts)
    progressBeat()
    const known = this.opts.known?.get(f.uid)
    const meta: MessageMeta = {
      uid: f.uid,
      flags: normalizeFlags(f.flags),
      size: f.size ?? known?.size ?? 0,
      internalDate: f.internalDate ?? known?.internalDate ?? 0,
    }
    if (this.opts.withMessageId) {
      const id = messageIdFromHeader(f.header)
      if (id) meta.messageId = id
    }
    if (f.modSeq !== undefined) meta.modSeq = f.modSeq
    f.extra?.(meta)
    const before = this.byUid.get(meta.uid)
    this.byUid.set(meta.uid, before ? mergeMeta(before, meta) : meta)
  }

  merge(other: Listed): void {
    for (const m of other.byUid.values()) this.byUid.set(m.uid, m)
    for (const u of other.vanished) this.vanished.add(u)
  }
}

/** Two responses for one UID: the later one's flags, the fuller one's size, date and Message-ID. */
function mergeMeta(a: MessageMeta, b: MessageMeta): MessageMeta {
  const out: MessageMeta = { ...a, ...b, size: b.size || a.size, internalDate: b.internalDate || a.internalDate }
  if (!b.messageId && a.messageId) out.messageId = a.messageId
  if (a.modSeq !== undefined && (b.modSeq === undefined || a.modSeq > b.modSeq)) out.modSeq = a.modSeq
  return out
}

/**
 * One range through a raw UID FETCH (raw/uid-fetch.ts); false when imapflow must do it. An
 * expunge by another client meanwhile comes as VANISHED without EARLIER: it counts too.
 */
async function listRaw(client: ImapFlow, range: string, opts: ListOptions, changedSince: bigint | undefined, ctx: ListContext, trackVanished: boolean, into: Listed): Promise<boolean> {
  const items = ['UID', 'FLAGS', 'RFC822.SIZE', 'INTERNALDATE']
  if (ctx.condstore) items.push('MODSEQ')
  if (ctx.extra) items.push(...ctx.extra.items)
  const outcome = await rawUidFetch(client, {
    uids: range,
    items: `(${items.join(' ')}${opts.withMessageId ? ' BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]' : ''})`,
    ...(changedSince !== undefined ? { modifiers: `(CHANGEDSINCE ${changedSince}${trackVanished ? ' VANISHED' : ''})` } : {}),
    answers: ['UID', 'FLAGS'],
    onFetch: (r) => into.add(rawFields(r, ctx.extra)),
    ...(trackVanished ? { onVanished: (uids: number[]) => uids.forEach((u) => into.vanished.add(u)) } : {}),
  })
  return outcome === 'done'
}

function rawFields(r: FetchResponse, extra: ListExtra | undefined): Fields {
  const uid = numberItem(r.items.get('UID'))
  if (uid === undefined || uid < 1) throw new Error(`FETCH response ${r.seq} without a valid UID`)
  const date = r.items.get('INTERNALDATE')
  return {
    uid,
    flags: flagsItem(r.items.get('FLAGS')) ?? [],
    size: numberItem(r.items.get('RFC822.SIZE')),
    internalDate: typeof date === 'string' ? parseInternalDate(date) : undefined,
    header: bytesItem(itemStartingWith(r.items, 'BODY[HEADER.FIELDS')),
    modSeq: modSeqItem(r.items.get('MODSEQ')),
    ...(extra ? { extra: (meta: MessageMeta) => extra.fromRaw(r.items, meta) } : {}),
  }
}

async function listWithImapflow(client: ImapFlow, range: string, opts: ListOptions, changedSince: bigint | undefined, trackVanished: boolean, into: Listed, extra?: ListExtra): Promise<void> {
  const query: FetchQueryObject = { uid: true, flags: true, size: true, internalDate: true, ...extra?.query }
  if (opts.withMessageId) query.headers = ['message-id']
  // With QRESYNC, `UID FETCH ... (CHANGEDSINCE n VANISHED)` answers `* VANISHED (EARLIER) uids`,
  // and an expunge by another client meanwhile comes as `* VANISHED uids`: imapflow reports both
  // as 'expunge' events carrying the UID.
  const onExpunge = (e: { uid?: number; vanished?: boolean }): void => {
    if (e.vanished && typeof e.uid === 'number') into.vanished.add(e.uid)
  }
  if (trackVanished) client.on('expunge', onExpunge)
  try {
    const options = changedSince !== undefined ? { uid: true, changedSince } : { uid: true }
    for await (const m of client.fetch(range, query, options)) {
      into.add({
        uid: m.uid,
        flags: m.flags ?? [],
        size: m.size,
        internalDate: m.internalDate ? new Date(m.internalDate).getTime() : undefined,
        header: m.headers,
        modSeq: typeof m.modseq === 'bigint' ? m.modseq : undefined,
        ...(extra ? { extra: (meta: MessageMeta) => extra.fromImapflow(m, meta) } : {}),
      })
    }
  } finally {
    if (trackVanished) client.off('expunge', onExpunge)
  }
}

function uidRanges(uids: ListOptions['uids']): string[] {
  if (!uids) return ['1:*']
  if (Array.isArray(uids)) return uidSetChunks(uids)
  return [`${Math.max(1, uids.from)}:*`]
}

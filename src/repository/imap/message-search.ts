// UID SEARCH helpers: by exact Message-ID, by \Deleted, and "the UIDs above n".
import type { ImapFlow, SearchObject } from 'imapflow'
import { MailsyncError } from '../../errors.js'
import { messageIdFromHeader } from '../../mail/header.js'
import { uidSetChunks } from './uid-set.js'

export async function searchUids(client: ImapFlow, query: SearchObject): Promise<number[]> {
  const res = await client.search(query, { uid: true })
  if (!Array.isArray(res)) throw new MailsyncError('server', `UID SEARCH failed on ${client.mailbox ? client.mailbox.path : 'no mailbox'}`)
  return [...res].sort((a, b) => a - b)
}

/**
 * UIDs whose Message-ID header is exactly `messageId`. SEARCH HEADER matches substrings, so the
 * candidates' headers are fetched and compared.
 */
export async function searchMessageId(client: ImapFlow, messageId: string): Promise<number[]> {
  const wanted = messageId.trim()
  if (!wanted) return []
  const candidates = await searchUids(client, { header: { 'message-id': wanted } })
  if (candidates.length === 0) return []
  const out: number[] = []
  const set = new Set(candidates)
  for (const range of uidSetChunks(candidates)) {
    for await (const msg of client.fetch(range, { uid: true, headers: ['message-id'] }, { uid: true })) {
      if (set.has(msg.uid) && messageIdFromHeader(msg.headers) === wanted) out.push(msg.uid)
    }
  }
  return out.sort((a, b) => a - b)
}

/** The highest UID in the selected mailbox, 0 when it is empty. */
export async function highestUid(client: ImapFlow): Promise<number> {
  const mb = client.mailbox
  if (!mb || mb.exists === 0) return 0
  const last = await client.fetchOne('*', { uid: true })
  return last ? last.uid : 0
}

/** UIDs strictly above `uid` ("n:*" also names the highest message when it is below n). */
export async function uidsAbove(client: ImapFlow, uid: number): Promise<number[]> {
  return (await searchUids(client, { uid: `${uid + 1}:*` })).filter((u) => u > uid)
}

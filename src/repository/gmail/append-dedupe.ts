// One upload per message, however many source folders bring it (IMAP -> Gmail migrate): a folder
// server keeps a copy per folder, Gmail one message with a label per folder. Before an upload the
// message is looked for in All Mail (same Message-ID and same size); found, the caller adds its
// label instead. Appends of one Message-ID are made one at a time across the repository's
// sessions (folders are copied in parallel), and what this run uploaded is remembered, since
// Gmail's search may not see a message appended a moment ago.
import type { ImapFlow } from 'imapflow'
import type { MessageMeta } from '../types.js'
import { searchUids } from '../imap/message-search.js'

export class AppendDedupe {
  private readonly queue = new Map<string, Promise<unknown>>()
  /** `messageId\0size` -> All Mail UID of a message this run uploaded or found. */
  private readonly known = new Map<string, number>()

  /** Runs `fn` after every earlier call with the same key has settled. */
  async serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.queue.get(key) ?? Promise.resolve()
    const mine = before.catch(() => undefined).then(fn)
    this.queue.set(key, mine)
    try {
      return await mine
    } finally {
      if (this.queue.get(key) === mine) this.queue.delete(key)
    }
  }

  remembered(key: string): number | undefined {
    return this.known.get(key)
  }

  remember(key: string, uid: number): void {
    this.known.set(key, uid)
  }
}

export function dedupeKey(messageId: string, size: number): string {
  return `${messageId}\u0000${size}`
}

/**
 * All Mail UIDs (the connection has All Mail selected) of messages with this Message-ID:
 * by Gmail's own search (X-GM-RAW rfc822msgid:), else by HEADER Message-ID. Candidates only:
 * the caller compares sizes and Message-IDs from a listing.
 */
export async function candidatesByMessageId(client: ImapFlow, messageId: string): Promise<number[]> {
  const bare = bareMessageId(messageId)
  if (!bare) return []
  if (client.capabilities.has('X-GM-EXT-1')) {
    try {
      const found = await searchUids(client, { gmraw: `rfc822msgid:${bare}` })
      if (found.length) return found
    } catch {
      // a server that refuses X-GM-RAW is asked by header below
    }
  }
  return searchUids(client, { header: { 'message-id': bare } })
}

/** A Message-ID without its angle brackets, as Gmail's search and imapflow's envelope spell it. */
export function bareMessageId(messageId: string): string {
  return messageId.trim().replace(/^<|>$/g, '')
}

/** The first listed message that is the same message: same Message-ID, same size. */
export function sameMessage(listed: readonly MessageMeta[], messageId: string, size: number): MessageMeta | undefined {
  return listed.find((m) => m.messageId === messageId && m.size === size)
}

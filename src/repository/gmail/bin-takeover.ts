// An upload into Trash or Spam of a message Gmail already has. Gmail holds each message once, in
// All Mail, Trash or Spam; a local mail reader that deletes moves the file from the All Mail
// folder to the Trash folder, and a sync sees a delete in All Mail (a MOVE to Trash) and a new
// message in Trash (an upload): two copies in Gmail's Trash. So before an upload into Trash or
// Spam the same message (Message-ID and size, as the label views' dedupe) is looked for in the
// target folder, then in the folders it may come from; found there, it is moved, not uploaded,
// and the delete in All Mail later finds nothing left to move.
//
// It runs on the Trash (Spam) session's own connection: that folder is selected again before it
// returns, whatever happened, so the session goes on as it was (a second connection could wait
// forever where maxconnections = 1).
import type { ImapFlow } from 'imapflow'
import { bareMessageId, candidatesByMessageId } from './append-dedupe.js'

export interface TakeoverInput {
  /** The folder the session has selected and the message should end in (Trash or Spam). */
  into: string
  /** Where Gmail may hold the message now (All Mail; for Spam also Trash), looked in in order. */
  from: readonly string[]
  messageId: string
  size: number
}

/** The message's UID in `into` when Gmail has it (there already, or moved there now); else undefined. */
export async function takeOverInto(client: ImapFlow, o: TakeoverInput): Promise<number | undefined> {
  const here = await sameMessageUid(client, o.messageId, o.size)
  if (here !== undefined) return here
  for (const source of o.from) {
    let found: number | undefined
    let moved: number | undefined
    await client.mailboxOpen(source)
    try {
      found = await sameMessageUid(client, o.messageId, o.size)
      if (found !== undefined) {
        const res = await client.messageMove(String(found), o.into, { uid: true })
        moved = res ? res.uidMap?.get(found) : undefined
      }
    } finally {
      await client.mailboxOpen(o.into)
    }
    if (moved !== undefined) return moved
    // moved meanwhile (the All Mail pair's delete, running beside), or no COPYUID: where it is now
    if (found !== undefined) {
      const now = await sameMessageUid(client, o.messageId, o.size)
      if (now !== undefined) return now
    }
  }
  return undefined
}

/** In the selected folder: the UID of the message with this Message-ID and exactly this size. */
async function sameMessageUid(client: ImapFlow, messageId: string, size: number): Promise<number | undefined> {
  const uids = await candidatesByMessageId(client, messageId)
  if (!uids.length) return undefined
  const want = bareMessageId(messageId)
  const listed = await client.fetchAll(uids.join(','), { uid: true, size: true, envelope: true }, { uid: true })
  return listed.find((m) => m.size === size && bareMessageId(m.envelope?.messageId ?? '') === want)?.uid
}

// A Gmail folder in the store layout (All Mail, Trash, Spam): an IMAP folder whose listing also
// carries labels and X-GM-MSGID, whose labels can be changed, and where a delete is Gmail's real
// delete (a move to Trash; only in Trash itself an expunge, which Gmail makes final).
import type { AppendInput, AppendResult, FetchOptions, FolderSession, FolderStatus, ListOptions, ListResult, MessageBody } from '../types.js'
import type { ImapFolderSession } from '../imap/imap-folder.js'
import { GMAIL_LIST_EXTRA } from './list-extra.js'
import { moveUids, storeLabels } from './store-labels.js'
import { searchMessageId } from '../imap/message-search.js'
import { normalizeLabels } from './labels.js'
import { takeOverInto } from './bin-takeover.js'

export interface StoreSessionOptions {
  /** The Trash folder a delete moves to; undefined when this folder is Trash (or there is none). */
  trash?: string
  /**
   * This folder is Trash or Spam: where Gmail may hold a message uploaded here already (All Mail;
   * for Spam also Trash). Such a message is moved here instead of uploaded (bin-takeover.ts).
   */
  takeOverFrom?: string[]
}

export class GmailStoreSession implements FolderSession {
  readonly name: string
  readonly status: FolderStatus
  readonly readOnly: boolean

  constructor(private readonly imap: ImapFolderSession, private readonly opts: StoreSessionOptions) {
    imap.listExtra = GMAIL_LIST_EXTRA
    this.name = imap.name
    this.status = imap.status
    this.readOnly = imap.readOnly
  }

  list(opts?: ListOptions): Promise<ListResult> {
    return this.imap.list(opts)
  }

  fetch(uids: number[], opts?: FetchOptions): AsyncIterable<MessageBody> {
    return this.imap.fetch(uids, opts)
  }

  /**
   * APPEND into this folder, then the labels by UID STORE: an APPEND into a label folder would
   * label it too, but its APPENDUID is that folder's, and the store is this folder's UID space.
   * A crash between the two leaves the message with fewer labels, never twice: the next run
   * pairs it (Message-ID and size) and adds the labels the merge finds missing.
   */
  async append(msg: AppendInput): Promise<AppendResult> {
    const labels = normalizeLabels(msg.labels ?? [])
    const taken = await this.takenOver(msg)
    if (taken !== undefined) {
      // not uploaded: the bytes offered are read to their end and dropped (Gmail's are the same message)
      if (!Buffer.isBuffer(msg.content)) msg.content.resume()
      // the status cache records the flags and labels given, so the message gets them
      if (msg.flags.length) await this.setFlags([taken], msg.flags, [])
      if (labels.length) await this.setLabels([taken], labels, [])
      return { uid: taken, uidValidity: this.status.uidValidity }
    }
    const out = await this.imap.append(msg)
    if (labels.length) {
      const uid = out.uid ?? (msg.messageId ? await this.foundAgain(msg) : undefined)
      if (uid !== undefined) await this.setLabels([uid], labels, [])
    }
    return out
  }

  /** Into Trash or Spam: this folder's UID of the same message Gmail holds already (there or moved there now). */
  private takenOver(msg: AppendInput): Promise<number | undefined> {
    const from = this.opts.takeOverFrom
    if (!from?.length || !msg.messageId) return Promise.resolve(undefined)
    const input = { into: this.name, from, messageId: msg.messageId, size: msg.size }
    return this.imap.command(`looking for ${msg.messageId} elsewhere on Gmail before uploading to`, (c) => takeOverInto(c, input))
  }

  /** Without APPENDUID: the one message of this Message-ID and size (the highest UID: the newest). */
  private async foundAgain(msg: AppendInput): Promise<number | undefined> {
    const uids = await this.imap.query(`searching ${msg.messageId} in`, (c) => searchMessageId(c, msg.messageId!))
    if (!uids.length) return undefined
    const listed = (await this.imap.list({ uids })).messages.filter((m) => m.size === msg.size)
    return listed.at(-1)?.uid
  }

  setFlags(uids: number[], add: string[], remove: string[]): Promise<void> {
    return this.imap.setFlags(uids, add, remove)
  }

  async setLabels(uids: number[], add: string[], remove: string[]): Promise<void> {
    await this.imap.command('changing labels in', (c) => storeLabels(c, uids, add, remove))
  }

  async delete(uids: number[]): Promise<void> {
    const trash = this.opts.trash
    if (trash === undefined || uids.length === 0) return this.imap.delete(uids)
    // a MOVE that is repeated after a throttle only moves what is still here: the UIDs that moved are gone
    await this.imap.command(`moving messages to ${trash} from`, (c) => moveUids(c, uids, trash))
  }

  searchMessageId(messageId: string): Promise<number[]> {
    return this.imap.searchMessageId(messageId)
  }

  close(): Promise<void> {
    return this.imap.close()
  }
}

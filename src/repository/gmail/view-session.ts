// A folder of a label view (migrate --labels folders|first|keywords): what a folder server would
// keep in one folder, read from All Mail, so that every view shares All Mail's UID space and a
// message has one UID whichever view lists it. Which messages a view holds is its `member` test
// on the message's labels. As a target (IMAP -> Gmail) a view is written through All Mail: a
// message is uploaded once and each further folder it comes in adds that folder's label.
import type { AppendInput, AppendResult, FetchOptions, FolderSession, FolderStatus, ListOptions, ListResult, MessageBody, MessageMeta } from '../types.js'
import { normalizeFlags } from '../types.js'
import type { ImapFolderSession } from '../imap/imap-folder.js'
import { MailsyncError } from '../../errors.js'
import { GMAIL_LIST_EXTRA } from './list-extra.js'
import { moveUids, storeLabels } from './store-labels.js'
import { labelKeyword } from './label-keywords.js'
import { candidatesByMessageId, dedupeKey, sameMessage, type AppendDedupe } from './append-dedupe.js'
import { searchMessageId } from '../imap/message-search.js'

export interface ViewDefinition {
  /** The folder name the view is listed under. */
  name: string
  /** Which All Mail messages the view holds, by their labels. */
  member: (labels: readonly string[]) => boolean
  /** The label a message copied into this view gets; undefined: none (the archive view). */
  label?: string
  /** The messages' labels are shown as keywords (labelKeyword). */
  keywords?: boolean
  /** Where a message deleted from a view without a label goes (the archive view: Trash). */
  trash?: string
}

export class GmailViewSession implements FolderSession {
  readonly name: string
  readonly status: FolderStatus
  readonly readOnly: boolean

  constructor(private readonly allMail: ImapFolderSession, private readonly view: ViewDefinition, private readonly dedupe: AppendDedupe) {
    allMail.listExtra = GMAIL_LIST_EXTRA
    this.name = view.name
    this.status = allMail.status
    this.readOnly = allMail.readOnly
  }

  /**
   * Always the full listing (or the asked UIDs): a message that lost the view's label shows no
   * change of its own (CHANGEDSINCE would not report it gone), so changedSince is not passed on.
   */
  async list(opts: ListOptions = {}): Promise<ListResult> {
    const { changedSince: _ignored, ...rest } = opts
    const all = await this.allMail.list(rest)
    return { messages: all.messages.filter((m) => this.view.member(m.labels ?? [])).map((m) => this.shown(m)) }
  }

  /** A view is a folder of a folder server: no labels of its own; in keywords mode, labels as keywords. */
  private shown(m: MessageMeta): MessageMeta {
    const { labels, ...meta } = m
    if (this.view.keywords && labels?.length) meta.flags = normalizeFlags([...m.flags, ...labels.map(labelKeyword)])
    return meta
  }

  fetch(uids: number[], opts?: FetchOptions): AsyncIterable<MessageBody> {
    return this.allMail.fetch(uids, opts)
  }

  /**
   * The message uploaded once: when All Mail has it already (same Message-ID and size: from
   * another folder of this run, or from a run before), it gets this view's label instead of a
   * second upload. Appends of one Message-ID are serialized across the repository's sessions.
   */
  async append(msg: AppendInput): Promise<AppendResult> {
    if (this.view.keywords) throw new MailsyncError('usage', `folder ${this.name}: a keywords view is read-only`)
    if (!msg.messageId) return this.upload(msg)
    const key = dedupeKey(msg.messageId, msg.size)
    return this.dedupe.serialized(key, async () => {
      const uid = this.dedupe.remembered(key) ?? (await this.existing(msg.messageId!, msg.size))
      if (uid !== undefined) {
        await this.label([uid])
        return { uid, uidValidity: this.status.uidValidity }
      }
      const out = await this.upload(msg)
      if (out.uid !== undefined) this.dedupe.remember(key, out.uid)
      return out
    })
  }

  private async upload(msg: AppendInput): Promise<AppendResult> {
    const out = await this.allMail.append({ ...msg, labels: [] })
    if (out.uid !== undefined) await this.label([out.uid])
    return out
  }

  private async existing(messageId: string, size: number): Promise<number | undefined> {
    const uids = await this.allMail.query(`searching ${messageId} in`, (c) => candidatesByMessageId(c, messageId))
    if (!uids.length) return undefined
    const listed = await this.allMail.list({ uids, withMessageId: true })
    return sameMessage(listed.messages, messageId, size)?.uid
  }

  private async label(uids: number[]): Promise<void> {
    const label = this.view.label
    if (label === undefined) return
    await this.allMail.command(`labelling ${label} in`, (c) => storeLabels(c, uids, [label], []))
  }

  /** Flags are the message's, whichever view sets them (Gmail keeps flags per message). */
  setFlags(uids: number[], add: string[], remove: string[]): Promise<void> {
    return this.allMail.setFlags(uids, add, remove)
  }

  /**
   * Gone from this folder, as Gmail does it: the view's label comes off (the message stays in
   * its other labels and in All Mail); from the archive view, which has no label, to Trash.
   */
  async delete(uids: number[]): Promise<void> {
    if (uids.length === 0) return
    const { label, trash } = this.view
    if (label !== undefined) return this.allMail.command(`unlabelling ${label} in`, (c) => storeLabels(c, uids, [], [label]))
    if (trash !== undefined) return this.allMail.command(`moving messages to ${trash} from`, (c) => moveUids(c, uids, trash))
    return this.allMail.delete(uids)
  }

  async searchMessageId(messageId: string): Promise<number[]> {
    const uids = await this.allMail.query(`searching ${messageId} in`, (c) => searchMessageId(c, messageId))
    if (!uids.length) return []
    const listed = await this.allMail.list({ uids })
    return listed.messages.filter((m) => this.view.member(m.labels ?? [])).map((m) => m.uid)
  }

  close(): Promise<void> {
    return this.allMail.close()
  }
}

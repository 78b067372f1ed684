// An open (SELECTed or EXAMINEd) IMAP folder on one pooled connection, held until close().
import type { ImapFlow } from 'imapflow'
import { MailsyncError } from '../../errors.js'
import { normalizeFlags, type AppendInput, type AppendOutcome, type AppendResult, type FetchOptions, type FolderSession, type FolderStatus, type ListOptions, type ListResult, type MessageBody } from '../types.js'
import { appendMessage } from './append.js'
import { rawMultiAppend } from './raw/multi-append.js'
import { expungeUids } from './expunge.js'
import { statePoint } from '../../crash-point.js'
import { fetchBodies, type FetchLimits, DEFAULT_FETCH_LIMITS } from './fetch-bodies.js'
import { storeFlags } from './flags.js'
import { listMessages } from './list-messages.js'
import { searchMessageId } from './message-search.js'
import { readOnlyError } from './errors.js'

/** What a session needs from its repository. */
export interface SessionOwner {
  readonly name: string
  readonly readOnly: boolean
  /** Map any failure to a MailsyncError naming the repository and the action. */
  toError(err: unknown, action: string): MailsyncError
  /** Give the connection back to the pool. */
  release(client: ImapFlow): void
}

export class ImapFolderSession implements FolderSession {
  private closed = false

  constructor(
    private readonly client: ImapFlow,
    private readonly owner: SessionOwner,
    readonly name: string,
    readonly status: FolderStatus,
    readonly readOnly: boolean,
    private readonly fetchLimits: FetchLimits = DEFAULT_FETCH_LIMITS,
  ) {}

  list(opts: ListOptions = {}): Promise<ListResult> {
    return this.run('listing', async (c) => {
      const mb = c.mailbox
      const condstore = c.enabled.has('CONDSTORE') && !!mb && !mb.noModseq
      return listMessages(c, opts, { condstore, qresync: condstore && c.enabled.has('QRESYNC') })
    })
  }

  async *fetch(uids: number[], opts?: FetchOptions): AsyncIterable<MessageBody> {
    this.checkOpen()
    try {
      yield* fetchBodies(this.client, uids, this.fetchLimits, opts?.sizes)
    } catch (err) {
      throw this.owner.toError(err, `fetching messages from ${this.name}`)
    }
  }

  async append(msg: AppendInput): Promise<AppendResult> {
    this.checkWritable()
    const out = await this.run('appending to', (c) =>
      appendMessage(c, msg, { path: this.name, uidPlus: c.capabilities.has('UIDPLUS'), uidValidity: this.status.uidValidity }))
    statePoint('imap-append')
    return out
  }

  /** One MULTIAPPEND where the server has it; one APPEND per message otherwise, or when it says NO. */
  async appendMany(msgs: AppendInput[]): Promise<AppendOutcome[]> {
    this.checkWritable()
    const buffers = msgs.flatMap((m) => (Buffer.isBuffer(m.content) ? [{ content: m.content, flags: normalizeFlags(m.flags), internalDate: m.internalDate }] : []))
    if (msgs.length > 1 && buffers.length === msgs.length) {
      const res = await this.run('appending to', (c) => rawMultiAppend(c, this.name, buffers))
      if (res.outcome === 'done') {
        statePoint('imap-multiappend')
        const uidValidity = res.uidValidity ?? this.status.uidValidity
        return msgs.map((_, i) => (res.uids ? { uid: res.uids[i]!, uidValidity } : { uidValidity }))
      }
    }
    const out: AppendOutcome[] = []
    for (const m of msgs) {
      try {
        out.push(await this.append(m))
      } catch (error) {
        out.push({ error })
      }
    }
    return out
  }

  async setFlags(uids: number[], add: string[], remove: string[]): Promise<void> {
    this.checkWritable()
    await this.run('changing flags in', (c) => storeFlags(c, uids, add, remove))
    statePoint('imap-store')
  }

  async delete(uids: number[]): Promise<void> {
    this.checkWritable()
    await this.run('deleting messages in', (c) => expungeUids(c, uids, c.capabilities.has('UIDPLUS')))
    statePoint('imap-expunge')
  }

  searchMessageId(messageId: string): Promise<number[]> {
    return this.run('searching', (c) => searchMessageId(c, messageId))
  }

  /**
   * Gives the connection back without CLOSE (which would expunge \Deleted mail) or UNSELECT:
   * the next SELECT on it deselects this folder without expunging anything.
   */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.owner.release(this.client)
  }

  private async run<T>(action: string, fn: (c: ImapFlow) => Promise<T>): Promise<T> {
    this.checkOpen()
    try {
      return await fn(this.client)
    } catch (err) {
      throw this.owner.toError(err, `${action} ${this.name}`)
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new MailsyncError('internal', `folder session ${this.owner.name}:${this.name} used after close()`)
  }

  private checkWritable(): void {
    this.checkOpen()
    if (this.owner.readOnly) throw readOnlyError(this.owner.name)
    if (this.readOnly) throw new MailsyncError('usage', `folder ${this.name} of repository ${this.owner.name} was opened read-only`)
  }
}

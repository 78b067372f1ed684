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
import { listMessages, type ListExtra } from './list-messages.js'
import { searchMessageId } from './message-search.js'
import { readOnlyError } from './errors.js'
import type { ThrottleIncident } from './throttle-wait.js'
import type { TransferRate } from './transfer-rate.js'
import type { DailyQuota } from './daily-quota.js'

/** What a session needs from its repository. */
export interface SessionOwner {
  readonly name: string
  readonly readOnly: boolean
  /** Map any failure to a MailsyncError naming the repository and the action. */
  toError(err: unknown, action: string): MailsyncError
  /** Give the connection back to the pool. */
  release(client: ImapFlow): void
  /** The pauses of one fetch the server throttles (throttle-wait.ts). */
  throttleIncident(action: string): ThrottleIncident
  /** The repository's transfer limit (maxbytespersecond, maxmessagespersecond), if any. */
  readonly rate?: TransferRate
  /** The repository's daily transfer limits, if any. */
  readonly quota?: DailyQuota
}

export class ImapFolderSession implements FolderSession {
  private closed = false
  /** More items every listing asks (set by a kind built on IMAP: Gmail's labels and message ids). */
  listExtra?: ListExtra

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
      return listMessages(c, opts, { condstore, qresync: condstore && c.enabled.has('QRESYNC'), ...(this.listExtra ? { extra: this.listExtra } : {}) })
    })
  }

  /**
   * A fetch the server throttles goes on after a pause with the messages not handed out yet: each
   * one handed out was read by the caller before it asked for the next, so none comes twice and
   * none is left out.
   */
  async *fetch(uids: number[], opts?: FetchOptions): AsyncIterable<MessageBody> {
    this.checkOpen()
    const action = `fetching messages from ${this.name}`
    const incident = this.owner.throttleIncident(action)
    let left = uids
    for (;;) {
      const given = new Set<number>()
      try {
        for await (const body of fetchBodies(this.client, left, this.fetchLimits, opts?.sizes)) {
          given.add(body.uid)
          this.owner.quota?.take('download', body.size)
          await this.owner.rate?.take(body.size)
          yield body
        }
        return
      } catch (err) {
        const e = this.owner.toError(err, action)
        if (!this.client.usable) throw e
        await incident.after(e)
        left = left.filter((u) => !given.has(u))
      }
    }
  }

  async append(msg: AppendInput): Promise<AppendResult> {
    this.checkWritable()
    await this.charge([msg.size])
    return this.appendCharged(msg)
  }

  /** The daily upload limit and the rate limits take these messages (a batch fits as a whole or not at all). */
  private async charge(sizes: number[]): Promise<void> {
    this.owner.quota?.take('upload', sizes.reduce((n, s) => n + s, 0))
    for (const s of sizes) await this.owner.rate?.take(s)
  }

  private async appendCharged(msg: AppendInput): Promise<AppendResult> {
    // a message in memory is sent again after a throttled APPEND (which stored nothing); a stream
    // is read once: its error goes up and the folder is resumed
    const out = await this.run('appending to', (c) =>
      appendMessage(c, msg, { path: this.name, uidPlus: c.capabilities.has('UIDPLUS'), uidValidity: this.status.uidValidity }), Buffer.isBuffer(msg.content))
    statePoint('imap-append')
    return out
  }

  /** One MULTIAPPEND where the server has it; one APPEND per message otherwise, or when it says NO. */
  async appendMany(msgs: AppendInput[]): Promise<AppendOutcome[]> {
    this.checkWritable()
    const buffers = msgs.flatMap((m) => (Buffer.isBuffer(m.content) ? [{ content: m.content, flags: normalizeFlags(m.flags), internalDate: m.internalDate }] : []))
    let charged = false
    if (msgs.length > 1 && buffers.length === msgs.length) {
      await this.charge(buffers.map((b) => b.content.length))
      charged = true
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
        // one by one after a MULTIAPPEND refused: already counted
        out.push(charged ? await this.appendCharged(m) : await this.append(m))
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

  /**
   * A command of a kind built on IMAP (Gmail: STORE X-GM-LABELS, UID MOVE) on this session's
   * connection, with the same error mapping and throttle pauses as the session's own commands.
   */
  command<T>(action: string, fn: (c: ImapFlow) => Promise<T>, repeatable = true): Promise<T> {
    this.checkWritable()
    return this.run(action, fn, repeatable)
  }

  /** As command(), for one that changes nothing (a SEARCH): also in a read-only session. */
  query<T>(action: string, fn: (c: ImapFlow) => Promise<T>): Promise<T> {
    return this.run(action, fn)
  }

  /** `fn` on this session's connection; `repeatable` ones again while the server throttles them. */
  private async run<T>(action: string, fn: (c: ImapFlow) => Promise<T>, repeatable = true): Promise<T> {
    this.checkOpen()
    const what = `${action} ${this.name}`
    const once = async (): Promise<T> => {
      try {
        return await fn(this.client)
      } catch (err) {
        throw this.owner.toError(err, what)
      }
    }
    if (!repeatable) return once()
    const incident = this.owner.throttleIncident(what)
    for (;;) {
      try {
        return await once()
      } catch (err) {
        // a throttle that closed the connection (BYE) is not waited for here: the folder is resumed on a new one
        if (!this.client.usable) throw err
        await incident.after(err as MailsyncError)
      }
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

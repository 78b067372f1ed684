// An IMAP account as a Repository, on imapflow, with a hard-bounded connection pool.
import type { ImapFlow } from 'imapflow'
import { defaultPort } from './options.js'
import { MailsyncError } from '../../errors.js'
import type { Capability, FolderInfo, FolderSession, FolderStatus, Repository, StoreWatch, WatchHandlers } from '../types.js'
import { ConnectionPool, type PoolStats } from './connection-pool.js'
import { connectClient, errorContext } from './connect.js'
import { idleRenewMs, watchImap } from './imap-watch.js'
import { partingLogout } from './raw/parting-logout.js'
import { readOnlyError, toMailsyncError } from './errors.js'
import { inboxSeparator, listFolderInfos, listFolderStatuses, listWithStatus, mapCapabilities, pickStatuses, toFolderStatus } from './folder-list.js'
import { ImapFolderSession, type SessionOwner } from './imap-folder.js'
import { folderCache, seedFolderCache, type FolderCache } from './folder-cache.js'
import { DEFAULT_FETCH_LIMITS, type FetchLimits } from './fetch-bodies.js'
import type { ImapRepositoryOptions } from './options.js'
import { ThrottleWaits } from './throttle-wait.js'
import { TransferRate } from './transfer-rate.js'
import { DailyQuota } from './daily-quota.js'

export type { ImapRepositoryOptions, ImapTlsOptions, TlsMode } from './options.js'
export type { PoolStats } from './connection-pool.js'

const LOGOUT_TIMEOUT_MS = 5000
/** Bounded back-off for a connection that cannot be made: 7 s in all, then the error stands. */
const CONNECT_RETRY_DELAYS_MS = [1000, 2000, 4000]

export class ImapRepository implements Repository {
  readonly name: string
  readonly identity: string
  readonly kind = 'imap'
  readonly maxConnections: number
  readonly readOnly: boolean
  private readonly opts: ImapRepositoryOptions
  private readonly pool: ConnectionPool<ImapFlow>
  private password?: Promise<string>
  private serverCapabilities?: Set<string>
  /** Statuses the last listFolders() got with its LIST, until folderStatuses() takes them. */
  private listedStatuses: Map<string, FolderStatus> | undefined
  /** What imapflow keeps of the last full LIST (its `folders` cache), to seed other connections. */
  private listedFolders: FolderCache | undefined
  private namespaceSeparator?: string
  /** The personal namespace's prefix (NAMESPACE, which imapflow asks at login), from the first connection. */
  private namespacePrefix?: string
  private connectionCount = 0
  /** The server's APPENDLIMIT (RFC 7889), from the first connection; 0 or absent: none announced. */
  private serverAppendLimit?: number
  /** Connections still closing after a LOGOUT sent without waiting: a new one waits for them, so the server never sees more than maxconnections. */
  private readonly closing = new Set<Promise<void>>()
  /** Pauses when the server throttles (throttle-wait.ts), for every command of this repository. */
  private readonly waits: ThrottleWaits
  /** maxbytespersecond / maxmessagespersecond, shared by every connection of this repository. */
  private readonly rate: TransferRate | undefined
  /** dailydownloadlimit / dailyuploadlimit, counted across runs. */
  private readonly quota: DailyQuota | undefined
  /** Size thresholds for fetch(); tests lower them to exercise streaming with small messages. */
  fetchLimits: FetchLimits = { ...DEFAULT_FETCH_LIMITS }

  constructor(opts: ImapRepositoryOptions) {
    if (!opts.host) throw new MailsyncError('config', `repository ${opts.name}: remotehost is not set`)
    if (!opts.user) throw new MailsyncError('config', `repository ${opts.name}: remoteuser is not set`)
    if (!['implicit', 'starttls', 'none'].includes(opts.tls?.mode)) {
      throw new MailsyncError('config', `repository ${opts.name}: unknown TLS mode "${String(opts.tls?.mode)}"`)
    }
    const max = opts.maxConnections ?? 4
    if (!Number.isInteger(max) || max < 1) throw new MailsyncError('config', `repository ${opts.name}: maxconnections must be a positive integer`)
    this.opts = opts
    this.name = opts.name
    this.identity = `imap:${opts.user}@${opts.host.toLowerCase()}:${opts.port ?? defaultPort(opts.tls.mode)}`
    this.maxConnections = max
    this.readOnly = opts.readOnly ?? false
    this.quota = DailyQuota.of({ repository: opts.name, identity: this.identity, limits: opts.dailyLimits ?? {}, stateDir: opts.stateDir })
    this.rate = TransferRate.of({ bytesPerSecond: opts.maxBytesPerSecond, messagesPerSecond: opts.maxMessagesPerSecond })
    this.waits = new ThrottleWaits({ repository: opts.name, budgetMs: opts.throttleBudgetMs ?? 600_000, onThrottle: opts.onThrottle })
    this.pool = new ConnectionPool<ImapFlow>(max, {
      create: () => this.connect(),
      isUsable: (c) => c.usable && !c.isClosed,
      dispose: (c) => logout(c, this.closing),
    })
  }

  /** The user's appendlimit, else the server's APPENDLIMIT, else a preset's figure. */
  appendLimit(): { bytes: number; why: string } | undefined {
    const set = this.opts.appendLimit
    if (set?.explicit) return { bytes: set.bytes, why: set.why }
    if (this.serverAppendLimit) return { bytes: this.serverAppendLimit, why: `the server's APPENDLIMIT=${this.serverAppendLimit}` }
    return set && { bytes: set.bytes, why: set.why }
  }

  /** Pool counters (open now, most ever open at once, connections made, idle, waiting). */
  poolStats(): PoolStats {
    return this.pool.stats()
  }

  async open(): Promise<void> {
    await this.withClient('connecting to', async () => undefined)
  }

  async capabilities(): Promise<Set<Capability>> {
    if (!this.serverCapabilities) await this.open()
    return mapCapabilities(this.serverCapabilities ?? [])
  }

  /** Whether the server announced `name` (e.g. X-GM-EXT-1) at login; opens a connection if none was made yet. */
  async hasServerCapability(name: string): Promise<boolean> {
    if (!this.serverCapabilities) await this.open()
    return this.serverCapabilities?.has(name.toUpperCase()) ?? false
  }

  async separator(): Promise<string> {
    if (this.namespaceSeparator) return this.namespaceSeparator
    const folders = await this.listFolders()
    const inbox = folders.find((f) => f.name.toUpperCase() === 'INBOX') ?? folders[0]
    this.namespaceSeparator = inbox?.separator ?? '/'
    return this.namespaceSeparator
  }

  /** From NAMESPACE (imapflow asks it at login): what imapflow also puts before names that lack it. */
  async personalPrefix(): Promise<string> {
    if (this.namespacePrefix === undefined) await this.open()
    return this.namespacePrefix ?? ''
  }

  listFolders(): Promise<FolderInfo[]> {
    return this.withClient('listing folders of', async (c) => {
      let folders: FolderInfo[]
      if (c.capabilities.has('LIST-STATUS')) {
        const listed = await listWithStatus(c)
        this.listedStatuses = listed.statuses
        folders = listed.folders
      } else {
        folders = await listFolderInfos(c)
      }
      this.listedFolders = folderCache(c)
      return folders
    })
  }

  async createFolder(name: string): Promise<void> {
    if (this.readOnly) throw readOnlyError(this.name)
    await this.withClient(`creating folder ${name} on`, async (c) => {
      // imapflow treats ALREADYEXISTS as success ({ created: false }).
      await c.mailboxCreate(name)
    })
  }

  folderStatus(name: string): Promise<FolderStatus> {
    return this.withClient(`STATUS ${name} on`, async (c) => {
      const condstore = c.capabilities.has('CONDSTORE') || c.capabilities.has('QRESYNC')
      const s = await c.status(name, { messages: true, uidNext: true, uidValidity: true, highestModseq: condstore })
      if (!s) throw new MailsyncError('server', `repository ${this.name}: STATUS ${name} failed (does the folder exist?)`)
      return toFolderStatus(s)
    })
  }

  /**
   * One LIST-STATUS round trip on one connection, instead of a STATUS per folder; none at all
   * right after listFolders(), whose LIST asked the statuses too (they are used once). A status
   * taken a moment earlier is as safe: a folder is skipped only when its status equals the one
   * recorded, and a skipped folder records nothing, so a change made meanwhile is seen next run.
   */
  async folderStatuses(names: readonly string[]): Promise<Map<string, FolderStatus> | undefined> {
    const listed = this.listedStatuses
    this.listedStatuses = undefined
    if (listed) return pickStatuses(listed, names)
    if (!this.serverCapabilities) await this.open()
    if (!this.serverCapabilities?.has('LIST-STATUS')) return undefined
    return this.withClient('listing folder status on', (c) => listFolderStatuses(c, names))
  }

  openFolder(name: string, opts: { readOnly?: boolean } = {}): Promise<FolderSession> {
    const action = `opening folder ${name} on`
    return this.waits.retrying(action, () => this.openFolderOnce(name, opts), (err) => this.toError(err, action))
  }

  private async openFolderOnce(name: string, opts: { readOnly?: boolean }): Promise<FolderSession> {
    const readOnly = this.readOnly || opts.readOnly === true
    const client = await this.acquire()
    try {
      seedFolderCache(client, this.listedFolders, name)
      const mb = await client.mailboxOpen(name, { readOnly })
      const status: FolderStatus = { uidValidity: Number(mb.uidValidity), uidNext: mb.uidNext, messages: mb.exists }
      if (typeof mb.highestModseq === 'bigint' && !mb.noModseq) status.highestModSeq = mb.highestModseq
      return new ImapFolderSession(client, this.sessionOwner(), name, status, readOnly, this.fetchLimits)
    } catch (err) {
      this.pool.release(client)
      const e = err as { mailboxMissing?: boolean }
      if (e.mailboxMissing) throw new MailsyncError('server', `repository ${this.name}: folder ${name} does not exist`, { cause: err })
      throw this.toError(err, `opening folder ${name} on`)
    }
  }

  async close(): Promise<void> {
    this.quota?.save()
    await this.pool.close()
  }

  async drained(): Promise<void> {
    if (this.closing.size === 0) return
    // the parting sockets no longer keep the process alive (unref): a caller that waits for them does
    const alive = setInterval(() => undefined, 60_000)
    try {
      await Promise.all([...this.closing])
    } finally {
      clearInterval(alive)
    }
  }

  private sessionOwner(): SessionOwner {
    return {
      name: this.name,
      readOnly: this.readOnly,
      toError: (err, action) => this.toError(err, action),
      release: (client) => this.pool.release(client),
      throttleIncident: (action) => this.waits.incident(action),
      rate: this.rate,
      quota: this.quota,
    }
  }

  private toError(err: unknown, action: string): MailsyncError {
    return toMailsyncError(err, errorContext(this.opts, action))
  }

  private async acquire(): Promise<ImapFlow> {
    try {
      return await this.pool.acquire()
    } catch (err) {
      throw this.toError(err, 'connecting to')
    }
  }

  /** `fn` on a pooled connection; repeated (on another one if need be) while the server throttles. */
  private withClient<T>(action: string, fn: (c: ImapFlow) => Promise<T>): Promise<T> {
    return this.waits.retrying(action, async () => {
      const client = await this.acquire()
      try {
        return await fn(client)
      } catch (err) {
        throw this.toError(err, action)
      } finally {
        this.pool.release(client)
      }
    }, (err) => this.toError(err, action))
  }

  /**
   * A new connection; one refused or lost on the way for a network reason is tried again after a
   * while (CONNECT_RETRY_DELAYS_MS), one the server throttles (a throttled login, a BYE saying so)
   * after the throttle pauses (throttle-wait.ts, within maxthrottlewait).
   */
  private async connect(): Promise<ImapFlow> {
    const delays = this.opts.connectRetryDelaysMs ?? CONNECT_RETRY_DELAYS_MS
    const throttled = this.waits.incident('connecting to')
    for (let attempt = 0; ; ) {
      try {
        return await this.connectOnce()
      } catch (err) {
        const e = this.toError(err, 'connecting to')
        if (e.kind === 'throttled') {
          await throttled.after(e)
          continue
        }
        if (e.kind !== 'network' || attempt >= delays.length) throw err
        const ms = delays[attempt++]!
        this.opts.onRetry?.(`${e.message}; trying again in ${ms / 1000} s (attempt ${attempt + 1} of ${delays.length + 1})`)
        await new Promise((resolve) => setTimeout(resolve, ms))
      }
    }
  }

  /** Connections held between runs (holdconnectionopen): a NOOP on each idle one; a dead one is closed, the next run opens a new one. */
  async keepAlive(): Promise<void> {
    await this.pool.checkIdle(async (c) => (await c.noop().then(() => true, () => false)) && c.usable && !c.isClosed)
  }

  /** Push: NOTIFY for every folder where the server has it, else IDLE on `folders` (imap-watch.ts). */
  async watch(h: WatchHandlers, o: { folders?: readonly string[] } = {}): Promise<StoreWatch | undefined> {
    return watchImap(() => this.connectOnce({ maxIdleTimeMs: idleRenewMs() }), h, o.folders ?? [])
  }

  private async connectOnce(idle?: { maxIdleTimeMs: number }): Promise<ImapFlow> {
    const password = await this.resolvePassword()
    if (this.closing.size) await Promise.all(this.closing)
    const client = await connectClient({ opts: this.opts, password, connectionId: `${this.name}#${++this.connectionCount}${idle ? '-push' : ''}`, idle })
    this.serverCapabilities ??= new Set(client.capabilities.keys())
    this.namespaceSeparator ??= inboxSeparator(client)
    this.namespacePrefix ??= client.namespace?.prefix ?? ''
    const announced = client.capabilities.get('APPENDLIMIT')
    if (typeof announced === 'number' && announced > 0) this.serverAppendLimit ??= announced
    return client
  }

  private resolvePassword(): Promise<string> {
    const p = this.opts.password
    if (typeof p === 'function') {
      // asked once; a failure is not cached so the next connection asks again
      this.password ??= p().catch((err) => {
        this.password = undefined
        throw err
      })
      return this.password
    }
    return Promise.resolve(p ?? '')
  }
}

/** `closing`: connections logging out without waiting (partingLogout), until their sockets close. */
async function logout(client: ImapFlow, closing: Set<Promise<void>>): Promise<void> {
  if (client.isClosed) return
  const parting = partingLogout(client, LOGOUT_TIMEOUT_MS)
  if (parting) {
    const done: Promise<void> = parting.finally(() => {
      closing.delete(done)
      client.close()
    })
    closing.add(done)
    return
  }
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      client.logout(),
      new Promise((resolve) => { timer = setTimeout(resolve, LOGOUT_TIMEOUT_MS) }),
    ])
  } catch {
    // a connection that fails while logging out is closed below all the same
  } finally {
    if (timer) clearTimeout(timer)
    client.close()
  }
}

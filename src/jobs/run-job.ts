// Runs one command's work: resolves repositories, opens the status cache, and drives the engine
// with the policy the command chose. Commands call this and render its events.
import { existsSync } from 'node:fs'
import PQueue from 'p-queue'
import type { LoadedConfig, AccountConfig } from '../config/index.js'
import type { EventSink, FolderCounts, ThrottleTally } from '../engine/events.js'
import { addCounts, emptyCounts } from '../engine/events.js'
import { makePolicy } from '../engine/policy.js'
import { syncAccount, type FolderReport } from '../engine/account-sync.js'
import { accountRepositories } from './account-repositories.js'
import type { LabelMode } from '../repository/gmail/label-mode.js'
import type { Repository } from '../repository/types.js'
import { folderFunctions } from '../config/folder-functions.js'
import { StatusDb } from '../state/status-db.js'
import { statusDbPath } from '../state/locate.js'
import { acquireRunLock, waitForRunLock } from '../state/run-lock.js'
import { EXIT, MailsyncError } from '../errors.js'
import { messageFilter } from './message-filter.js'
import { stopExitCode } from './stop-request.js'
import { accountHooks, type AccountHooks } from '../hooks/account-hooks.js'
import { progressBeat } from '../progress-beat.js'

export type PolicyName = 'sync' | 'backup' | 'restore' | 'migrate'

export interface JobRequest {
  policy: PolicyName
  config: LoadedConfig
  /** Accounts to run; for SOURCE DEST forms the command builds an ad-hoc account (adHocAccount). */
  accounts: AccountConfig[]
  /** Only these folders (names as on either side). */
  folders?: string[]
  dryRun: boolean
  /** backup: propagate server deletions. */
  mirror?: boolean
  /** migrate: remove from NEW what is no longer on OLD. */
  delete?: boolean
  /** Deletion guard: max deletions per folder (default 25% of a folder with more than 20 messages). */
  maxDelete?: number
  force?: boolean
  /** migrate: fetch back and check what was copied (default true). */
  verify?: boolean
  /** migrate: special-use automap (default true). */
  automap?: boolean
  /** migrate --labels: how a Gmail source is laid out for a folder server (folders, first, keywords). */
  labels?: LabelMode
  since?: Date
  before?: Date
  /** Override of the status cache directory ([general] metadata). */
  stateDir?: string
  /** IMAP protocol log sink (debug). */
  imapLogger?: (line: string) => void
  /** Maildir operations log (debug). */
  maildirLogger?: (line: string) => void
  /**
   * Once aborted (src/jobs/stop-request.ts: SIGTERM, SIGINT), no account, folder or message is
   * started any more; what is done is recorded, and the run ends with the reason's exit code.
   */
  stop?: AbortSignal
  /** A quick round of a watcher (`quick = N`): see FolderSyncOptions.quick in the engine. */
  quick?: boolean
  /** Connections a watcher holds open per repository name (its push): the run uses that many fewer. */
  heldConnections?: Readonly<Record<string, number>>
  /**
   * Repositories a watcher keeps open from round to round (holdconnectionopen), by side; the run
   * uses them instead of making its own, and leaves them open.
   */
  heldRepositories?: (account: AccountConfig) => { repoA?: Repository; repoB?: Repository }
  /** --wait: when another run holds an account's lock, wait for it instead of stopping. */
  waitForLock?: boolean
}

export interface JobResult {
  counts: FolderCounts
  exitCode: number
  /** Per account, per folder pair figures for the summary table. */
  folders: ({ account: string } & FolderReport)[]
  errors: { account?: string; folder?: string; kind: string; message: string }[]
  ms: number
  /** Stopped by `stop` with work left for the next run. */
  stopped?: boolean
  /** The servers throttled the run: how often, and the pauses in all (nothing failed for it). */
  throttled?: ThrottleTally
}

export async function runJob(req: JobRequest, emit: EventSink): Promise<JobResult> {
  const started = Date.now()
  const counts = emptyCounts()
  const folders: JobResult['folders'] = []
  const errors: JobResult['errors'] = []
  let worst = 0
  const throttled: ThrottleTally = { times: 0, waitedMs: 0 }
  const sink: EventSink = (e) => {
    // every event is the run moving on (a watcher's systemd keep-alive depends on it)
    progressBeat()
    if (e.type === 'error') errors.push({ account: e.account, folder: e.folder, kind: e.kind, message: e.message })
    if (e.type === 'throttled') {
      throttled.times++
      throttled.waitedMs += e.waitMs
    }
    emit(e)
  }
  sink({ type: 'run-start', policy: req.policy, accounts: req.accounts.map((a) => a.name), dryRun: req.dryRun })
  const stateDir = req.stateDir ?? req.config.general.get<string>('metadata')
  const queue = new PQueue({ concurrency: Math.max(1, req.config.general.get<number>('maxsyncaccounts') ?? 1) })
  let notStarted = false
  await Promise.all(req.accounts.map((account) => queue.add(async () => {
    if (req.stop?.aborted) {
      notStarted = true
      return
    }
    const t0 = Date.now()
    let hooks: AccountHooks | undefined
    // the hooks run only once the account's lock is held: a run refused by the lock (or still
    // waiting for it) runs none, beside the run that holds it
    let hooked = false
    try {
      hooks = accountHooks(req, account, sink)
      const out = await runAccount(req, account, stateDir, sink, async () => {
        hooked = true
        await hooks!.before()
      })
      addCounts(counts, out.counts)
      for (const f of out.folders) folders.push({ account: account.name, ...f })
      await hooks.after({ counts: out.counts, ms: Date.now() - t0, exitCode: runExitCode(out.folders, out.counts, 0, out.folders.some((f) => f.stopped) ? stopExitCode(req.stop?.reason) : 0) })
    } catch (e) {
      const err = e instanceof MailsyncError ? e : new MailsyncError('internal', e instanceof Error ? e.message : String(e), { cause: e })
      if (hooked) await hooks?.after({ counts: emptyCounts(), ms: Date.now() - t0, exitCode: err.exitCode, error: err.message })
      if (req.accounts.length === 1) throw err
      worst = Math.max(worst, err.exitCode)
      sink({ type: 'error', account: account.name, kind: err.kind, message: err.message })
      sink({ type: 'account-done', account: account.name, counts: emptyCounts(), ms: 0, error: err.message })
    }
  })))
  const stopped = notStarted || folders.some((f) => f.stopped)
  const exitCode = runExitCode(folders, counts, worst, stopped ? stopExitCode(req.stop?.reason) : 0)
  const ms = Date.now() - started
  const wasThrottled = throttled.times > 0 ? { throttled } : {}
  sink({ type: 'run-done', counts, ms, exitCode, ...(stopped ? { stopped: true } : {}), ...(throttled.times ? { throttledTimes: throttled.times, throttledMs: throttled.waitedMs } : {}) })
  return { counts, exitCode, folders, errors, ms, ...(stopped ? { stopped: true } : {}), ...wasThrottled }
}

/**
 * The exit code of a run (or of one account's part, for its hooks): a folder that failed on the
 * local disk (full, read-only, permissions) is not fixed by running again, so the run says 74
 * like a disk error of a whole account does; one the network cut short (after its retries) says
 * 69; one a server kept throttling (after the waits allowed) says 80, try again later; a daily
 * transfer limit reached says 81 (go on after the time it names). The worst
 * code wins; then a stop by a signal; then 65 for a failed verification, 75 for other failures.
 */
function runExitCode(folders: readonly FolderReport[], counts: FolderCounts, worst: number, stoppedCode: number): number {
  const failedSomething = counts.failed > 0 || folders.some((f) => f.error)
  const unverified = folders.some((f) => f.problems.some((p) => p.verification))
  const diskFailed = folders.some((f) => f.error?.kind === 'disk') ? EXIT.disk : 0
  const cutOff = folders.some((f) => f.error?.kind === 'network') ? EXIT.network : 0
  const throttledOut = folders.some((f) => f.error?.kind === 'throttled') ? EXIT.throttled : 0
  const quotaOut = folders.some((f) => f.error?.kind === 'quota') ? EXIT.quota : 0
  return Math.max(worst, diskFailed, cutOff, throttledOut, quotaOut) || stoppedCode || (unverified ? EXIT.data : failedSomething ? EXIT.partial : EXIT.ok)
}

/**
 * A new status cache next to a store mailsync synced before: the cache was deleted or lost (or
 * the state directory moved). Nothing is unsafe about that run, but the user should know what
 * it means for deletions.
 */
async function warnLostCache(account: string, file: string, repos: Repository[], emit: EventSink): Promise<void> {
  for (const repo of repos) {
    if (!(await repo.syncedBefore?.().catch(() => false))) continue
    emit({
      type: 'warning', account,
      message: `no status cache ${file}, but ${repo.name} was synced by mailsync before: the cache was deleted or lost (or the state directory changed). Messages on both sides are matched by content, so nothing is copied twice and nothing deleted; a message deleted on one side since the last run is copied back from the other`,
    })
    return
  }
}

/** `locked` runs once the account's lock is held (its presynchook), before anything is synced. */
async function runAccount(req: JobRequest, account: AccountConfig, stateDir: string, emit: EventSink, locked: () => Promise<void>) {
  const held = req.heldRepositories?.(account) ?? {}
  const made = held.repoA && held.repoB ? undefined : accountRepositories({ ...req, stateDir }, account, emit)
  const repoA = held.repoA ?? made!.repoA
  const repoB = held.repoB ?? made!.repoB
  const remote = account.remote
  const local = account.local
  const utf8FolderNames = account.get<boolean | undefined>('utf8foldernames')
  const policy = makePolicy(req.policy, {
    syncDeletesA: remote.get<boolean>('sync_deletes'),
    syncDeletesB: local.get<boolean>('sync_deletes'),
    mirror: req.mirror,
    delete: req.delete,
    readOnlyA: remote.get<boolean>('readonly'),
    readOnlyB: local.get<boolean>('readonly'),
    createFoldersA: remote.get<boolean>('createfolders'),
    createFoldersB: local.get<boolean>('createfolders'),
    syncLabels: account.get<boolean>('synclabels'),
  })
  const lock = req.dryRun ? undefined : req.waitForLock
    ? await waitForRunLock(stateDir, account.name, { stop: req.stop, said: (h) => emit({ type: 'warning', account: account.name, message: `${h.message}: waiting for it to finish` }) })
    : acquireRunLock(stateDir, account.name)
  const dbFile = statusDbPath(stateDir, account.name)
  const newCache = !existsSync(dbFile)
  let db: StatusDb
  try {
    await locked()
    db = StatusDb.open(dbFile)
  } catch (e) {
    lock?.release()
    throw e
  }
  try {
    if (newCache) await warnLostCache(account.name, dbFile, [repoA, repoB], emit)
    return await syncAccount({
      account: account.name,
      a: { repo: repoA, ...folderFunctions(remote, utf8FolderNames) },
      b: { repo: repoB, ...folderFunctions(local, utf8FolderNames) },
      db, policy, emit,
      dryRun: req.dryRun,
      automap: req.policy === 'migrate' && req.automap !== false,
      only: req.folders,
      maxDelete: req.maxDelete,
      force: req.force,
      eligible: messageFilter(account, { since: req.since, before: req.before }),
      verify: req.policy === 'migrate' ? (req.verify !== false ? 'bytes' : 'size') : undefined,
      stop: req.stop,
      quick: req.quick,
      ignoreLabels: account.get<string[] | undefined>('ignorelabels'),
    })
  } finally {
    db.close()
    lock?.release()
    await Promise.allSettled([held.repoA ? undefined : repoA.close(), held.repoB ? undefined : repoB.close()])
  }
}

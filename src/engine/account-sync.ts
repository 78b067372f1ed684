// One account: list both sides' folders, pair them, and sync the pairs in parallel, bounded by
// the connections each side allows.
import PQueue from 'p-queue'
import type { MessageMeta, Repository } from '../repository/types.js'
import { recordedSide } from '../state/rows.js'
import type { StatusDb } from '../state/status-db.js'
import { MailsyncError, ThrottledError, fileSystemTakesNoWrites } from '../errors.js'
import type { EventSink, FolderCounts } from './events.js'
import { addCounts, emptyCounts } from './events.js'
import type { Policy } from './policy.js'
import { pairFolders, type FolderPair, type PairingResult } from './folder-pairing.js'
import { syncFolderPair, type FolderOutcome } from './folder-sync.js'
import { memoryKeeper } from './memory-keeper.js'
import { isStatusDbDamage } from '../state/sqlite-errors.js'

export interface SideConfig {
  repo: Repository
  /** `separator`: the repository's hierarchy separator (given by the pairing, which knows it). */
  folderfilter: (name: string, separator?: string) => boolean
  nametrans: (name: string, separator?: string) => string
  includes?: readonly string[]
}

export interface AccountSyncOptions {
  account: string
  a: SideConfig
  b: SideConfig
  db: StatusDb
  policy: Policy
  emit: EventSink
  dryRun: boolean
  automap?: boolean
  only?: readonly string[]
  maxDelete?: number
  force?: boolean
  eligible?: (m: MessageMeta) => boolean
  verify?: 'bytes' | 'size'
  /** Waits before resuming a folder whose connection was lost: one retry per entry (default FOLDER_RETRY_DELAYS_MS). */
  retryDelaysMs?: readonly number[]
  /** Once aborted, no folder and no message is started any more; what is done is recorded. */
  stop?: AbortSignal
  /** A quick round: see FolderSyncOptions.quick. */
  quick?: boolean
  /** `ignorelabels`: see FolderSyncOptions.ignoreLabels. */
  ignoreLabels?: readonly string[]
}

/**
 * A folder cut short by the network, or by a server that throttles in the middle of what cannot
 * be repeated command by command (a FETCH half read, a streamed APPEND), is resumed on a new
 * connection up to three times, after 1, 3 and 9 s (or the wait the server suggested, if longer).
 */
export const FOLDER_RETRY_DELAYS_MS: readonly number[] = [1000, 3000, 9000]

export interface FolderReport {
  folderA: string
  folderB: string
  counts: FolderCounts
  ms: number
  skipped?: string
  error?: { kind: string; message: string }
  problems: FolderOutcome['problems']
  /** Messages on each side after the run, where known (source / target counts of the report). */
  messagesA?: number
  messagesB?: number
  /** Stopped (AccountSyncOptions.stop) before its work was done: the next run goes on with it. */
  stopped?: boolean
}

export interface AccountOutcome {
  account: string
  counts: FolderCounts
  folders: FolderReport[]
  pairing: PairingResult
  ms: number
}

/** Lists and pairs folders; throws a config error for mappings that collide or do not round-trip. */
export async function pairAccountFolders(o: Pick<AccountSyncOptions, 'a' | 'b' | 'policy' | 'automap' | 'only'>): Promise<PairingResult> {
  const [fa, fb, sepA, sepB] = await Promise.all([o.a.repo.listFolders(), o.b.repo.listFolders(), o.a.repo.separator(), o.b.repo.separator()])
  // after the listing: its connection knows the namespace, so asking opens no second one
  const [prefixA, prefixB] = await Promise.all([o.a.repo.personalPrefix?.(), o.b.repo.personalPrefix?.()])
  return pairFolders(
    { folders: fa, separator: sepA, folderfilter: (n) => o.a.folderfilter(n, sepA), nametrans: (n) => o.a.nametrans(n, sepA), includes: o.a.includes, prefix: prefixA },
    { folders: fb, separator: sepB, folderfilter: (n) => o.b.folderfilter(n, sepB), nametrans: (n) => o.b.nametrans(n, sepB), includes: o.b.includes, prefix: prefixB },
    { createOnA: o.policy.createOnA, createOnB: o.policy.createOnB, automap: o.automap, only: o.only, checkRoundTrip: o.policy.createOnA && o.policy.createOnB },
  )
}

/**
 * A store that is not there at all (a Maildir root that is missing or empty: an unmounted disk)
 * while the status cache holds messages synced with it is not made afresh: every folder would
 * be new and empty, and all its mail would be fetched again onto the wrong disk (or, in a tool
 * without UIDVALIDITY checks, deleted on the other side). The run stops before touching anything.
 */
async function refuseVanishedStore(o: AccountSyncOptions, side: 'A' | 'B', repo: Repository): Promise<void> {
  const missing = await repo.missingStore?.()
  if (missing === undefined) return
  let messages = 0
  let folders = 0
  for (const fp of o.db.listFolderPairs()) {
    const identity = recordedSide(fp, side).identity
    if (identity !== null && repo.identity !== undefined && identity !== repo.identity) continue
    const n = o.db.listMessagePairs(fp.id).filter((p) => (side === 'A' ? p.uidA : p.uidB) !== null).length
    if (n > 0) {
      messages += n
      folders++
    }
  }
  if (messages === 0) return
  throw new MailsyncError('disk', `${missing}, but the status cache has ${messages} messages in ${folders} folder${folders === 1 ? '' : 's'} synced with ${repo.name}: nothing was done (is the disk not mounted?)`, {
    hint: `mount it or fix the path and run again; to start ${repo.name} afresh on purpose, move the status cache ${o.db.file} aside first`,
  })
}

/** Which side's repository a throttle reply came from (its message names it), for the event. */
function throttledRepository(o: AccountSyncOptions, err: MailsyncError): string {
  const name = [o.a.repo.name, o.b.repo.name].find((n) => err.message.startsWith(`repository ${n}:`))
  return name ?? o.a.repo.name
}

/** Waits `ms`, or less when `stop` is aborted meanwhile. */
function pause(ms: number, stop: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      stop?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    stop?.addEventListener('abort', done, { once: true })
  })
}

export async function syncAccount(o: AccountSyncOptions): Promise<AccountOutcome> {
  const started = Date.now()
  o.emit({ type: 'account-start', account: o.account, a: o.a.repo.name, b: o.b.repo.name })
  await refuseVanishedStore(o, 'A', o.a.repo)
  await refuseVanishedStore(o, 'B', o.b.repo)
  await Promise.all([o.a.repo.open(), o.b.repo.open()])
  const pairing = await pairAccountFolders(o)
  const fatal = pairing.issues.filter((i) => i.kind !== 'invalid-name')
  if (fatal.length) {
    throw new MailsyncError('config', `account ${o.account}: the folder mapping is not safe to use:\n  ${fatal.map((i) => i.message).join('\n  ')}`, {
      hint: 'run `mailsync info` to see the mapping both ways, then fix folderfilter / nametrans',
    })
  }
  const counts = emptyCounts()
  const folders: FolderReport[] = []
  // A folder whose name the other side cannot hold fails alone; the others go on.
  for (const i of pairing.issues.filter((x) => x.kind === 'invalid-name')) {
    const c = emptyCounts()
    c.failed = 1
    addCounts(counts, c)
    folders.push({ folderA: i.folder ?? '?', folderB: '-', counts: c, ms: 0, error: { kind: 'data', message: i.message }, problems: [] })
    o.emit({ type: 'error', account: o.account, folder: i.folder, kind: 'data', message: `${i.message} (use nametrans to give it another name)` })
  }
  // Where a store can tell every folder's status in one request, unchanged folders are skipped
  // without a connection per folder (a no-change run then opens one connection per server).
  const [statusesA, statusesB] = await Promise.all([
    o.a.repo.folderStatuses?.(pairing.pairs.filter((p) => !p.createA).map((p) => p.nameA)),
    o.b.repo.folderStatuses?.(pairing.pairs.filter((p) => !p.createB).map((p) => p.nameB)),
  ])
  const concurrency = Math.max(1, Math.min(o.a.repo.maxConnections, o.b.repo.maxConnections))
  const queue = new PQueue({ concurrency })
  // A folder that failed because a file system takes no more writes (full, over quota, read-only)
  // stops the account: the folders not started yet would fail the same way, each with its own
  // error, and each would first read its listing for nothing. Folders already running end on
  // their own (at their next write). Other accounts go on: they may write to other disks.
  // So does a server that kept throttling after every wait allowed: each folder would wait as long.
  let stoppedBy: MailsyncError | undefined
  const notStartedReason = () => (stoppedBy?.kind === 'throttled' ? 'not started: the server is throttling' : stoppedBy?.kind === 'quota' ? 'not started: daily limit reached' : 'not started: no writes possible')
  const notStarted: FolderPair[] = []
  // folders done whose end-of-run status is still being recorded (FolderOutcome.settling)
  const settling: Promise<void>[] = []
  const run = async (pair: FolderPair): Promise<void> => {
    if (stoppedBy) {
      notStarted.push(pair)
      folders.push({ folderA: pair.nameA, folderB: pair.nameB, counts: emptyCounts(), ms: 0, skipped: notStartedReason(), problems: [] })
      return
    }
    if (o.stop?.aborted) {
      folders.push({ folderA: pair.nameA, folderB: pair.nameB, counts: emptyCounts(), ms: 0, skipped: 'not started: stopping', problems: [], stopped: true })
      return
    }
    const t0 = Date.now()
    o.emit({ type: 'folder-start', account: o.account, folderA: pair.nameA, folderB: pair.nameB, messages: 0, bytes: 0 })
    // what every attempt did, also the ones a lost connection cut short
    const done = emptyCounts()
    for (let attempt = 0; ; attempt++) {
      const c = emptyCounts()
      try {
        const out = await syncFolderPair({ ...o, repoA: o.a.repo, repoB: o.b.repo, pair, statusesA, statusesB, counts: c })
        if (out.settling) settling.push(out.settling)
        addCounts(done, c)
        const ms = Date.now() - t0
        addCounts(counts, done)
        folders.push({ folderA: pair.nameA, folderB: pair.nameB, counts: done, ms, skipped: out.skipped, problems: out.problems, messagesA: out.messagesA, messagesB: out.messagesB, ...(out.stopped ? { stopped: true } : {}) })
        o.emit({ type: 'folder-done', account: o.account, folderA: pair.nameA, folderB: pair.nameB, counts: done, ms })
        memoryKeeper.folderDone()
        return
      } catch (e) {
        addCounts(done, c)
        const err = e instanceof MailsyncError ? e : new MailsyncError('internal', e instanceof Error ? e.message : String(e), { cause: e })
        // a damaged status cache is the account's problem, not the folder's: stop with its hint
        if (err.kind === 'auth' || err.kind === 'tls' || err.kind === 'config' || isStatusDbDamage(err)) throw err
        if (err.kind === 'disk' && fileSystemTakesNoWrites(err)) stoppedBy ??= err
        const throttled = err instanceof ThrottledError ? err : undefined
        if (throttled?.exhausted || err.kind === 'quota') stoppedBy ??= err
        const wait = o.retryDelaysMs ?? FOLDER_RETRY_DELAYS_MS
        if ((err.kind === 'network' || (throttled && !throttled.exhausted)) && attempt < wait.length && !o.dryRun && !o.stop?.aborted) {
          // a new connection resumes the folder: what is recorded is not redone, what was stored unrecorded is adopted
          const ms = Math.max(wait[attempt]!, throttled?.retryAfterMs ?? 0)
          const message = `folder ${pair.nameA} -> ${pair.nameB}: ${err.message}; resuming in ${ms / 1000} s (retry ${attempt + 1} of ${wait.length})`
          if (throttled) o.emit({ type: 'throttled', account: o.account, folder: pair.nameB, repository: throttledRepository(o, throttled), message, waitMs: ms })
          else o.emit({ type: 'warning', account: o.account, folder: pair.nameB, message })
          await pause(ms, o.stop)
          if (o.stop?.aborted) {
            addCounts(counts, done)
            folders.push({ folderA: pair.nameA, folderB: pair.nameB, counts: done, ms: Date.now() - t0, skipped: 'stopped before its retry', problems: [], stopped: true })
            return
          }
          continue
        }
        done.failed += 1
        addCounts(counts, done)
        folders.push({ folderA: pair.nameA, folderB: pair.nameB, counts: done, ms: Date.now() - t0, error: { kind: err.kind, message: err.message }, problems: [] })
        o.emit({ type: 'error', account: o.account, folder: pair.nameB, kind: err.kind, message: `folder ${pair.nameA} -> ${pair.nameB}: ${err.message}` })
        if (process.env.MAILSYNC_DEBUG_STACKS && e instanceof Error) process.stderr.write(`${e.stack}\n`)
        return
      }
    }
  }
  await Promise.all(pairing.pairs.map((p) => queue.add(() => run(p))))
  await Promise.all(settling)
  if (stoppedBy) {
    const left = notStarted.length
    const names = notStarted.slice(0, 5).map((p) => p.nameB).join(', ') + (left > 5 ? ', ...' : '')
    o.emit({
      type: 'error', account: o.account, kind: stoppedBy.kind,
      message: `stopped: ${stoppedBy.message}; ${left ? `${left} folder${left === 1 ? '' : 's'} not started (${names})` : 'no folder was left to start'}; ${stoppedBy.hint ?? 'free some disk space and run again'}`,
    })
  }
  const ms = Date.now() - started
  o.emit({ type: 'account-done', account: o.account, counts, ms })
  return { account: o.account, counts, folders, pairing, ms }
}

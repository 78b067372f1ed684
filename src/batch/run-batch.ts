// Runs a batch migration on this machine: every mailbox pair of a batch file through src/jobs'
// migrate, `parallelMailboxes` at a time, within the per-server connection budget, each outcome
// written to the ledger as it ends. Sits above src/jobs and drives it; the engine is unchanged.
// A re-run resumes: done mailboxes are checked again as a cheap delta (their status caches make
// an unchanged folder cost no listing), failed, interrupted and pending ones are run; adoption
// makes a mailbox that was cut off half-way safe to run again.
import { hostname } from 'node:os'
import PQueue from 'p-queue'
import type { LoadedConfig } from '../config/index.js'
import type { EngineEvent } from '../engine/events.js'
import { MailsyncError, EXIT } from '../errors.js'
import { accountRepositories } from '../jobs/account-repositories.js'
import { runJob, type JobResult } from '../jobs/run-job.js'
import type { BatchRow } from './batch-file.js'
import type { ConnectionBudget } from './connection-budget.js'
import { failedOutcome, isRowErrorKey, type Ledger, type LedgerEntry, type MailboxOutcome } from './ledger.js'
import { rowAccount } from './row-account.js'

export type BatchEvent =
  | { type: 'batch-start'; total: number; alreadyDone: number }
  | { type: 'mailbox-start'; key: string; source: string; target: string }
  | { type: 'mailbox-progress'; key: string; messages: number; bytes: number }
  | { type: 'mailbox-done'; key: string; source: string; target: string; outcome: MailboxOutcome }
  | { type: 'batch-done'; entries: LedgerEntry[]; exitCode: number; ms: number }

export interface BatchRequest {
  config: LoadedConfig
  rows: readonly BatchRow[]
  ledger: Ledger
  budget: ConnectionBudget
  parallelMailboxes: number
  /** Connections one mailbox opens on each side (set from the budget: see connectionsPerMailbox). */
  connectionsPerMailbox: number
  stateDir: string
  dryRun: boolean
  verify: boolean
  stop?: AbortSignal
  emit(e: BatchEvent): void
}

/**
 * Each mailbox's connections on each side: N per server shared among M mailboxes in flight, at
 * most 4, at most half of N (both sides may be one server), at least 1.
 */
export function connectionsPerMailbox(perServer: number, parallelMailboxes: number): number {
  return Math.max(1, Math.min(4, Math.floor(perServer / parallelMailboxes), Math.floor(perServer / 2)))
}

/** Who runs a mailbox, as the ledger keeps it: pid@host. */
export function runnerId(): string {
  return `${process.pid}@${hostname()}`
}

/** Whether the runner (pid@host) of a `running` ledger entry still runs: on this host, by its pid. */
export function runnerAlive(runner: string): boolean {
  const [pid, host] = runner.split('@')
  if (host !== hostname()) return true // another machine's: not ours to judge
  try {
    process.kill(Number(pid), 0)
    return Number(pid) !== process.pid
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export async function runBatch(req: BatchRequest): Promise<{ exitCode: number; entries: LedgerEntry[] }> {
  const started = Date.now()
  const { ledger } = req
  ledger.recoverAbandoned(runnerAlive)
  const me = runnerId()
  const queue = new PQueue({ concurrency: Math.max(1, req.parallelMailboxes) })
  const before = new Map(ledger.entries().map((e) => [e.key, e]))
  req.emit({ type: 'batch-start', total: req.rows.length, alreadyDone: req.rows.filter((r) => before.get(r.key)?.state === 'done').length })
  await Promise.all(req.rows.map((row) => queue.add(async () => {
    if (req.stop?.aborted) return
    await runMailbox(req, row, me)
  })))
  const keys = new Set(req.rows.map((r) => r.key))
  const entries = ledger.entries().filter((e) => keys.has(e.key) || isRowErrorKey(e.key))
  const exitCode = batchExitCode(entries, req.stop?.aborted === true)
  req.emit({ type: 'batch-done', entries, exitCode, ms: Date.now() - started })
  return { exitCode, entries }
}

/** 0 when every mailbox is done; else the code that says a mailbox needs attention. */
export function batchExitCode(entries: readonly LedgerEntry[], stopped: boolean): number {
  if (entries.every((e) => e.state === 'done')) return EXIT.ok
  if (stopped) return EXIT.partial
  if (entries.some((e) => e.state === 'failed' && e.verification === 'mismatch')) return EXIT.data
  return EXIT.partial
}

async function runMailbox(req: BatchRequest, row: BatchRow, me: string): Promise<void> {
  const t0 = Date.now()
  const { ledger } = req
  let source = ''
  let target = ''
  let outcome: MailboxOutcome
  try {
    const made = rowAccount(req.config, row, req.connectionsPerMailbox)
    source = made.source
    target = made.target
    ledger.start(row.key, me)
    req.emit({ type: 'mailbox-start', key: row.key, source, target })
    const giveBack = await req.budget.acquire(made.demand, req.stop)
    try {
      outcome = await migrateOne(req, row, made.account, t0)
    } finally {
      await giveBack()
    }
  } catch (e) {
    const err = e instanceof MailsyncError ? e : new MailsyncError('internal', e instanceof Error ? e.message : String(e))
    outcome = failedOutcome(err.kind, err.message, Date.now() - t0)
  }
  if (req.stop?.aborted && outcome.state !== 'done') outcome = { ...outcome, state: 'needs-rerun', error: outcome.error ?? 'stopped before it finished' }
  ledger.finish(row.key, outcome)
  req.emit({ type: 'mailbox-done', key: row.key, source, target, outcome })
}

async function migrateOne(req: BatchRequest, row: BatchRow, account: ReturnType<typeof rowAccount>['account'], t0: number): Promise<MailboxOutcome> {
  let messages = 0
  let bytes = 0
  const emit = (e: EngineEvent) => {
    if (e.type === 'message-copied') {
      messages++
      bytes += e.size
      req.emit({ type: 'mailbox-progress', key: row.key, messages, bytes })
    }
  }
  // the repositories are made here, not by runJob, so that their sockets are known closed
  // (drained) before the budget is given back
  const { repoA, repoB } = accountRepositories({ config: req.config, policy: 'migrate', stateDir: req.stateDir }, account, emit)
  let result: JobResult
  try {
    result = await runJob({
      policy: 'migrate', config: req.config, accounts: [account], dryRun: req.dryRun, verify: req.verify, automap: true,
      folders: row.folders, stateDir: req.stateDir, stop: req.stop,
      heldRepositories: () => ({ repoA, repoB }),
    }, emit)
  } finally {
    await Promise.allSettled([repoA.close(), repoB.close()])
    await Promise.allSettled([repoA.drained?.(), repoB.drained?.()])
  }
  return outcomeOf(result, Date.now() - t0)
}

function outcomeOf(r: JobResult, ms: number): MailboxOutcome {
  const mismatch = r.folders.some((f) => f.problems.some((p) => p.verification))
  const firstError = r.errors[0]
  const state = r.exitCode === EXIT.ok ? 'done' : r.exitCode === EXIT.partial && !mismatch ? 'needs-rerun' : 'failed'
  return {
    state,
    ...(state === 'done' ? {} : { errorKind: firstError?.kind ?? (mismatch ? 'data' : 'partial'), error: firstError ? `${firstError.folder ? `${firstError.folder}: ` : ''}${firstError.message}` : mismatch ? 'a copy did not match its original' : `exit ${r.exitCode}` }),
    copied: r.counts.copiedAtoB,
    adopted: r.counts.adopted,
    failedMessages: r.counts.failed,
    bytes: r.counts.bytes,
    ms,
    verified: r.counts.verified,
    ...(r.counts.verified > 0 || mismatch ? { verification: mismatch ? 'mismatch' : 'ok' } : {}),
  }
}

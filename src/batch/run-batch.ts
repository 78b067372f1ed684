// Runs a batch migration on this machine: every mailbox pair of a batch file through src/jobs'
// migrate, `parallelMailboxes` at a time, within the per-server connection budget, each outcome
// written to the ledger as it ends. Sits above src/jobs and drives it; the engine is unchanged.
// A re-run resumes: done mailboxes are checked again as a cheap delta (their status caches make
// an unchanged folder cost no listing), failed, interrupted and pending ones are run; adoption
// makes a mailbox that was cut off half-way safe to run again.
import { hostname } from 'node:os'
import PQueue from 'p-queue'
import { EXIT } from '../errors.js'
import type { BatchRow } from './batch-file.js'
import { isRowErrorKey, type Ledger, type LedgerEntry, type MailboxOutcome } from './ledger.js'
import { migrateMailbox, type MailboxRun } from './migrate-mailbox.js'

export type BatchEvent =
  | { type: 'batch-start'; total: number; alreadyDone: number }
  | { type: 'mailbox-start'; key: string; source: string; target: string }
  | { type: 'mailbox-progress'; key: string; messages: number; bytes: number }
  | { type: 'mailbox-done'; key: string; source: string; target: string; outcome: MailboxOutcome }
  | { type: 'batch-done'; entries: LedgerEntry[]; exitCode: number; ms: number }

/** What every mailbox runs with (MailboxRun; connectionsPerMailbox: see below), and the batch around them. */
export interface BatchRequest extends Omit<MailboxRun, 'onStart' | 'onProgress'> {
  rows: readonly BatchRow[]
  ledger: Ledger
  parallelMailboxes: number
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
  const { ledger } = req
  ledger.start(row.key, me)
  const { source, target, outcome } = await migrateMailbox({
    ...req,
    onStart: (sides) => req.emit({ type: 'mailbox-start', key: row.key, ...sides }),
    onProgress: (p) => req.emit({ type: 'mailbox-progress', key: row.key, ...p }),
  }, row)
  ledger.finish(row.key, outcome)
  req.emit({ type: 'mailbox-done', key: row.key, source, target, outcome })
}

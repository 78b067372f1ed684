// One mailbox of a batch, start to end: the row made into an account (src/batch/row-account.ts),
// its connections taken from the per-server budget, src/jobs' migrate run with repositories made
// here (so their sockets are known closed before the budget is given back), and what happened as
// a MailboxOutcome. Both runners use it: the one on this machine (run-batch.ts, with its SQLite
// ledger) and the queue worker (worker.ts, with BullMQ's job states). It never throws: a failure
// is an outcome.
import type { LoadedConfig } from '../config/index.js'
import type { EngineEvent } from '../engine/events.js'
import { MailsyncError, EXIT } from '../errors.js'
import { accountRepositories } from '../jobs/account-repositories.js'
import { runJob, type JobResult } from '../jobs/run-job.js'
import type { BatchRow } from './batch-file.js'
import type { ConnectionBudget } from './connection-budget.js'
import { failedOutcome, type MailboxOutcome } from './ledger.js'
import { rowAccount } from './row-account.js'

export interface MailboxRun {
  config: LoadedConfig
  budget: ConnectionBudget
  /** Connections one mailbox opens on each side. */
  connectionsPerMailbox: number
  stateDir: string
  dryRun: boolean
  verify: boolean
  stop?: AbortSignal
  /** The row is a usable account (sides shown without passwords); its connections are next. */
  onStart?(sides: { source: string; target: string }): void
  /** After each message copied: the mailbox's running totals. */
  onProgress?(p: { messages: number; bytes: number }): void
}

export interface MailboxResult {
  source: string
  target: string
  outcome: MailboxOutcome
}

export async function migrateMailbox(run: MailboxRun, row: BatchRow): Promise<MailboxResult> {
  const t0 = Date.now()
  let source = ''
  let target = ''
  let outcome: MailboxOutcome
  try {
    const made = rowAccount(run.config, row, run.connectionsPerMailbox)
    source = made.source
    target = made.target
    run.onStart?.({ source, target })
    const giveBack = await run.budget.acquire(made.demand, run.stop)
    try {
      outcome = await migrateAccount(run, row, made.account, t0)
    } finally {
      await giveBack()
    }
  } catch (e) {
    const err = e instanceof MailsyncError ? e : new MailsyncError('internal', e instanceof Error ? e.message : String(e))
    outcome = failedOutcome(err.kind, err.message, Date.now() - t0)
  }
  if (run.stop?.aborted && outcome.state !== 'done') outcome = { ...outcome, state: 'needs-rerun', error: outcome.error ?? 'stopped before it finished' }
  return { source, target, outcome }
}

async function migrateAccount(run: MailboxRun, row: BatchRow, account: ReturnType<typeof rowAccount>['account'], t0: number): Promise<MailboxOutcome> {
  let messages = 0
  let bytes = 0
  const emit = (e: EngineEvent) => {
    if (e.type === 'message-copied') {
      messages++
      bytes += e.size
      run.onProgress?.({ messages, bytes })
    }
  }
  const { repoA, repoB } = accountRepositories({ config: run.config, policy: 'migrate', stateDir: run.stateDir }, account, emit)
  let result: JobResult
  try {
    result = await runJob({
      policy: 'migrate', config: run.config, accounts: [account], dryRun: run.dryRun, verify: run.verify,
      // under a prefix the target's own Sent, Trash... are not this mailbox's: folders go by name
      automap: row.prefix === undefined,
      folders: row.folders, stateDir: run.stateDir, stop: run.stop,
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

// `mailsync worker`: takes mailbox jobs from the fleet's BullMQ queue and migrates each with
// migrateMailbox, `concurrency` at a time, within the Redis-backed per-server budget. Sits above
// src/jobs and drives it, like the one-machine runner.
// - A try that does not end done is thrown back to BullMQ: auth and config failures at once as
//   unrecoverable (a wrong password stays wrong, and retrying it can lock the account), the rest
//   retried with exponential back-off up to the job's attempts, then failed with the reason.
// - A worker that dies stops renewing its job's lock: BullMQ's stalled-job check hands the job to
//   another worker after `lockMs`. The new try starts from nothing it can trust but the servers,
//   and migrate's adoption (messages the target has are matched, not copied again) makes that safe.
// - Stopped by a signal, a worker ends its tries at a message boundary and puts their jobs back
//   on the queue at once (not counted as a try).
// - Passwords come from this machine: the config's per-host templates, the environment, or
//   `passwords` (rows of a local copy of the batch file, by row key).
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq'
import type { Redis } from 'ioredis'
import type { LoadedConfig } from '../config/index.js'
import type { BatchRow, BatchSide } from './batch-file.js'
import { QUEUE_PREFIX, JOB_NAME, openQueue, unfinished, type FleetJobData, type FleetJobProgress } from './fleet-queue.js'
import { failedOutcome } from './ledger.js'
import { migrateMailbox, type MailboxResult } from './migrate-mailbox.js'
import { RedisBudget } from './redis-budget.js'
import { runnerId, type BatchEvent } from './run-batch.js'

/** Error kinds that another try cannot mend. */
const FINAL_KINDS = new Set(['auth', 'config', 'usage'])

export interface WorkerRequest {
  config: LoadedConfig
  /** A long-lived connection (openRedis with longLived). */
  redis: Redis
  queue: string
  concurrency: number
  stateDir: string
  /** How long a job's lock lasts unless renewed: a dead worker's job is taken over after about this. */
  lockMs: number
  /** Exit once the queue has nothing left to run (none waiting, delayed or running anywhere). */
  untilEmpty: boolean
  /** Passwords by row key, from a local copy of the batch file. */
  passwords?: ReadonlyMap<string, Pick<BatchRow, 'source' | 'target'>>
  stop?: AbortSignal
  emit(e: BatchEvent): void
}

export interface WorkerSummary {
  done: number
  notDone: number
}

export async function runWorker(req: WorkerRequest): Promise<WorkerSummary> {
  const me = runnerId()
  const summary: WorkerSummary = { done: 0, notDone: 0 }
  const budgets = new Map<number, RedisBudget>()
  const inFlight = new Map<string, AbortController>()
  const budgetFor = (perServer: number) => {
    let b = budgets.get(perServer)
    if (!b) {
      b = new RedisBudget(req.redis, {
        perServer,
        leaseMs: Math.max(3000, req.lockMs),
        onLost: () => { for (const c of inFlight.values()) c.abort(new Error('its connection lease ran out (this worker stalled): stopped so that the budget holds')) },
      })
      budgets.set(perServer, b)
    }
    return b
  }

  const runOne = async (job: Job<FleetJobData>, token?: string): Promise<MailboxResult> => {
    const data = job.data
    const row = withPasswords(data.row, req.passwords?.get(data.row.key))
    const controller = new AbortController()
    const onStop = () => controller.abort(req.stop?.reason)
    req.stop?.addEventListener('abort', onStop, { once: true })
    inFlight.set(job.id!, controller)
    const prior = (typeof job.progress === 'object' ? job.progress : {}) as FleetJobProgress
    const sumBefore = prior.sum ?? data.before ?? { copied: 0, adopted: 0, bytes: 0 }
    let progress: FleetJobProgress = { runner: me, sum: sumBefore, ...(prior.last ? { last: prior.last } : {}) }
    let lastWrite = 0
    const report = async (p: FleetJobProgress, force = false) => {
      progress = { ...progress, ...p }
      if (!force && Date.now() - lastWrite < 1000) return
      lastWrite = Date.now()
      await job.updateProgress(progress).catch(() => { /* shown late; the job goes on */ })
    }
    let result: MailboxResult
    try {
      result = await migrateMailbox({
        config: req.config, budget: budgetFor(data.perServer), connectionsPerMailbox: data.connectionsPerMailbox,
        stateDir: req.stateDir, dryRun: false, verify: data.verify, stop: controller.signal,
        onStart: (sides) => {
          req.emit({ type: 'mailbox-start', key: row.key, ...sides })
          void report(sides, true)
        },
        onProgress: (p) => {
          req.emit({ type: 'mailbox-progress', key: row.key, ...p })
          void report(p)
        },
      }, row)
    } catch (e) {
      result = { source: '', target: '', outcome: failedOutcome('internal', (e as Error).message) }
    } finally {
      inFlight.delete(job.id!)
      req.stop?.removeEventListener('abort', onStop)
    }
    const o = result.outcome
    await report({ last: o, sum: { copied: sumBefore.copied + o.copied, adopted: sumBefore.adopted + o.adopted, bytes: sumBefore.bytes + o.bytes } }, true)
    req.emit({ type: 'mailbox-done', key: row.key, source: result.source, target: result.target, outcome: o })
    if (o.state === 'done') {
      summary.done++
      return result
    }
    summary.notDone++
    if (req.stop?.aborted) {
      await job.moveToDelayed(Date.now(), token)
      throw new DelayedError()
    }
    const why = o.error ?? o.state
    if (FINAL_KINDS.has(o.errorKind ?? '')) throw new UnrecoverableError(why)
    throw new Error(why)
  }

  const worker = new Worker<FleetJobData, MailboxResult>(req.queue, async (job, token) => {
    if (job.name !== JOB_NAME) throw new UnrecoverableError(`not a mailsync job: ${job.name}`)
    return runOne(job, token)
  }, {
    connection: req.redis,
    prefix: QUEUE_PREFIX,
    concurrency: req.concurrency,
    lockDuration: req.lockMs,
    stalledInterval: req.lockMs,
    maxStalledCount: 2,
    autorun: false,
  })
  worker.on('error', () => { /* connection trouble: ioredis reconnects, BullMQ goes on */ })
  const running = worker.run()
  const queue = openQueue(req.queue, req.redis)
  try {
    await new Promise<void>((resolve) => {
      const finish = () => { clearInterval(poll); resolve() }
      req.stop?.addEventListener('abort', finish, { once: true })
      if (req.stop?.aborted) return finish()
      let emptyTwice = 0
      const poll = setInterval(() => {
        if (!req.untilEmpty) return
        void unfinished(queue).then((n) => {
          emptyTwice = n === 0 ? emptyTwice + 1 : 0
          if (emptyTwice >= 2) finish()
        }, () => { emptyTwice = 0 })
      }, 500)
    })
  } finally {
    await worker.close()
    await running.catch(() => undefined)
    await queue.close()
  }
  return summary
}

function withPasswords(row: FleetJobData['row'], local?: Pick<BatchRow, 'source' | 'target'>): BatchRow {
  const side = (s: FleetJobData['row']['source'], pw?: BatchSide): BatchSide => (pw?.password !== undefined ? { ...s, password: pw.password } : s)
  return { ...row, source: side(row.source, local?.source), target: side(row.target, local?.target) }
}

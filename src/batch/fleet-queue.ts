// The fleet's queue on Redis, through BullMQ: one job per mailbox pair, so any number of
// `mailsync worker` processes on any machines take them. A job carries the row minus its
// passwords (workers resolve credentials from their own config, environment or a local copy of
// the batch file: secrets never travel through Redis), the budget it must keep, and how often it
// may be tried. Its id is derived from the row's key, so enqueuing the same file again never
// queues a mailbox twice: a mailbox still queued or running is left as it is, and one that ended
// (done or failed) is queued again, which re-checks a done one as a cheap delta.
// This file also reads the queue back as ledger entries for `mailsync batch status --redis`.
import { createHash } from 'node:crypto'
import { Queue, type Job } from 'bullmq'
import type { Redis } from 'ioredis'
import { MailsyncError } from '../errors.js'
import { sideLabel, type BatchRow, type BatchRowError, type BatchSide } from './batch-file.js'
import { rowErrorKey, type LedgerEntry, type MailboxOutcome, type MailboxState } from './ledger.js'
import type { MailboxResult } from './migrate-mailbox.js'

/** BullMQ's key prefix for our queues (their keys are `mailsync:QUEUE:...`). */
export const QUEUE_PREFIX = 'mailsync'
export const DEFAULT_QUEUE = 'migrate'
export const JOB_NAME = 'migrate-mailbox'

export type QueuedSide = Omit<BatchSide, 'password'>
export type QueuedRow = Omit<BatchRow, 'source' | 'target'> & { source: QueuedSide; target: QueuedSide }

/** What a job carries. */
export interface FleetJobData {
  row: QueuedRow
  perServer: number
  connectionsPerMailbox: number
  verify: boolean
  batchFile: string
  /** copied / adopted / bytes of the mailbox's earlier jobs (a re-enqueue carries them on). */
  before?: { copied: number; adopted: number; bytes: number }
}

/** What a job shows while it runs and after each try (job.progress). */
export interface FleetJobProgress {
  source?: string
  target?: string
  runner?: string
  messages?: number
  bytes?: number
  /** The last try's result, and copied/adopted/bytes summed over every try. */
  last?: MailboxOutcome
  sum?: { copied: number; adopted: number; bytes: number }
}

export interface EnqueueSettings {
  perServer: number
  connectionsPerMailbox: number
  verify: boolean
  attempts: number
  backoffMs: number
  batchFile: string
}

export function queuedRow(row: BatchRow): QueuedRow {
  const side = ({ password: _password, ...rest }: BatchSide): QueuedSide => rest
  return { ...row, source: side(row.source), target: side(row.target) }
}

/** A job id from the row key (BullMQ ids may not hold ':'). */
export function jobIdOf(key: string): string {
  return `mb-${createHash('sha256').update(key).digest('hex').slice(0, 32)}`
}

/** The queue `name` on `redis` (close it when done). */
export function openQueue(name: string, redis: Redis): Queue {
  checkQueueName(name)
  return new Queue(name, { connection: redis, prefix: QUEUE_PREFIX })
}

export function checkQueueName(name: string): void {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new MailsyncError('usage', `--queue ${JSON.stringify(name)}: use letters, digits, '.', '_' or '-' (at most 64)`)
}

/** Where the lines of a batch file that could not be read are kept for `batch status`. */
function rowErrorsKey(queue: string): string {
  return `${QUEUE_PREFIX}:${queue}:mailsync-row-errors`
}

export interface EnqueueResult {
  added: number
  requeued: number
  alreadyQueued: number
}

/** Mailboxes looked up and added per round (each round's commands go out together, not one per mailbox). */
const ENQUEUE_CHUNK = 500

export async function enqueueBatch(queue: Queue, redis: Redis, rows: readonly BatchRow[], errors: readonly BatchRowError[], s: EnqueueSettings): Promise<EnqueueResult> {
  const result: EnqueueResult = { added: 0, requeued: 0, alreadyQueued: 0 }
  const opts = { attempts: s.attempts, backoff: { type: 'exponential', delay: s.backoffMs }, removeOnComplete: false, removeOnFail: false }
  for (let i = 0; i < rows.length; i += ENQUEUE_CHUNK) {
    const chunk = rows.slice(i, i + ENQUEUE_CHUNK)
    const olds = await Promise.all(chunk.map((row) => queue.getJob(jobIdOf(row.key))))
    const states = await Promise.all(olds.map((old) => old?.getState()))
    const ended: Job[] = []
    const jobs = chunk.flatMap((row, k) => {
      const old = olds[k]
      if (old && states[k] !== 'completed' && states[k] !== 'failed') {
        result.alreadyQueued++
        return []
      }
      let before: FleetJobData['before']
      if (old) {
        before = (old.progress as FleetJobProgress | undefined)?.sum ?? old.data.before
        ended.push(old)
        result.requeued++
      } else {
        result.added++
      }
      const data: FleetJobData = { row: queuedRow(row), perServer: s.perServer, connectionsPerMailbox: s.connectionsPerMailbox, verify: s.verify, batchFile: s.batchFile, ...(before ? { before } : {}) }
      return [{ name: JOB_NAME, data, opts: { ...opts, jobId: jobIdOf(row.key) } }]
    })
    await Promise.all(ended.map((old) => old.remove()))
    if (jobs.length) await queue.addBulk(jobs)
  }
  const key = rowErrorsKey(queue.name)
  await redis.del(key)
  if (errors.length) await redis.hset(key, Object.fromEntries(errors.map((e) => [String(e.line), e.message])))
  return result
}

const ALL_STATES = ['active', 'waiting', 'delayed', 'prioritized', 'paused', 'waiting-children', 'completed', 'failed'] as const

/** Every mailbox of the queue as a ledger entry (the table `batch status` prints), in file order. */
export async function queueEntries(queue: Queue, redis: Redis): Promise<LedgerEntry[]> {
  const entries: LedgerEntry[] = []
  for (const state of ALL_STATES) {
    for (const job of await queue.getJobs([state], 0, -1)) if (job) entries.push(entryOf(job, state))
  }
  const rowErrors = await redis.hgetall(rowErrorsKey(queue.name))
  for (const [line, message] of Object.entries(rowErrors)) {
    entries.push({ key: rowErrorKey(Number(line)), line: Number(line), source: '', target: '', state: 'failed', errorKind: 'config', error: message, attempts: 0, verification: null, runner: null, updatedAt: 0, copied: 0, adopted: 0, failedMessages: 0, bytes: 0, ms: 0, verified: 0 })
  }
  return entries.sort((a, b) => a.line - b.line)
}

function entryOf(job: Job, state: (typeof ALL_STATES)[number]): LedgerEntry {
  const data = job.data as FleetJobData
  const p = (typeof job.progress === 'object' ? job.progress : {}) as FleetJobProgress
  const done = state === 'completed' ? (job.returnvalue as MailboxResult | undefined)?.outcome : undefined
  const last = done ?? p.last
  const mine: MailboxState = state === 'completed' ? 'done' : state === 'failed' ? 'failed' : state === 'active' ? 'running' : job.attemptsMade > 0 ? 'needs-rerun' : 'pending'
  const sum = p.sum ?? data.before ?? { copied: 0, adopted: 0, bytes: 0 }
  return {
    key: data.row.key,
    line: data.row.line,
    source: p.source ?? sideLabel(data.row.source),
    target: p.target ?? sideLabel(data.row.target),
    state: mine,
    errorKind: mine === 'done' || mine === 'running' || mine === 'pending' ? null : last?.errorKind ?? null,
    error: mine === 'failed' ? job.failedReason ?? last?.error ?? null : mine === 'needs-rerun' ? last?.error ?? job.failedReason ?? null : null,
    attempts: job.attemptsMade + (state === 'active' ? 1 : 0),
    verification: last?.verification ?? null,
    runner: state === 'active' ? p.runner ?? null : null,
    updatedAt: job.finishedOn ?? job.processedOn ?? job.timestamp,
    copied: sum.copied,
    adopted: sum.adopted,
    bytes: sum.bytes,
    failedMessages: last?.failedMessages ?? 0,
    ms: last?.ms ?? 0,
    verified: last?.verified ?? 0,
  }
}


/** Mailboxes not yet ended (queued, waiting for a retry, or running). */
export async function unfinished(queue: Queue): Promise<number> {
  const c = await queue.getJobCounts('active', 'waiting', 'delayed', 'prioritized', 'paused', 'waiting-children')
  return Object.values(c).reduce((a, b) => a + b, 0)
}

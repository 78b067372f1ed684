// The fleet commands' work, kept out of the oclif classes: `batch enqueue FILE --redis URL`,
// `batch status --redis URL`, and `mailsync worker --redis URL`. BullMQ and ioredis are loaded
// only from here (through dynamic imports of our own modules), so no other command pays for them.
import type { Redis } from 'ioredis'
import type { LoadedConfig } from '../config/index.js'
import { MailsyncError } from '../errors.js'
import { readBatchFile, type BatchRow } from '../batch/batch-file.js'
import { connectionsPerMailbox, batchExitCode } from '../batch/run-batch.js'
import { batchEventWriter, renderBatchTable } from './render-batch.js'
import { stopOnSignals } from './stop-on-signals.js'

export interface Output {
  json: boolean
  quiet: boolean
}

export interface EnqueueOptions extends Output {
  file: string
  redis: string
  queue: string
  maxConnectionsPerServer: number
  attempts: number
  backoffSeconds: number
  verify: boolean
}

export async function enqueueFromFile(o: EnqueueOptions): Promise<number> {
  const batch = readBatchFile(o.file)
  return withQueue(o.redis, o.queue, async (queue, redis, { enqueueBatch }, redisDisplay) => {
    const r = await enqueueBatch(queue, redis, batch.rows, batch.errors, {
      perServer: o.maxConnectionsPerServer,
      connectionsPerMailbox: connectionsPerMailbox(o.maxConnectionsPerServer, 4),
      verify: o.verify, attempts: o.attempts, backoffMs: o.backoffSeconds * 1000, batchFile: o.file,
    })
    const summary = { queue: o.queue, redis: redisDisplay(o.redis), ...r, rowErrors: batch.errors.length, passwordsLeftOut: batch.hasPasswords }
    if (o.json) {
      process.stdout.write(JSON.stringify(summary) + '\n')
    } else if (!o.quiet) {
      process.stderr.write(`queue ${o.queue} on ${summary.redis}: ${r.added} mailboxes added, ${r.requeued} queued again (they had ended), ${r.alreadyQueued} still queued or running\n`)
      for (const e of batch.errors) process.stderr.write(`not queued: ${e.message}\n`)
      if (batch.hasPasswords) process.stderr.write('passwords in the batch file were not queued: each worker takes them from its own config or environment, or from `mailsync worker --passwords FILE` (a copy of this file on its machine)\n')
    }
    return batch.errors.length ? 75 : 0
  })
}

export async function statusFromRedis(o: Output & { redis: string; queue: string }): Promise<number> {
  return withQueue(o.redis, o.queue, async (queue, redis, { queueEntries }, redisDisplay) => {
    const entries = await queueEntries(queue, redis)
    if (entries.length === 0) throw new MailsyncError('usage', `nothing was queued on ${o.queue} at ${redisDisplay(o.redis)}`, { hint: 'mailsync batch enqueue FILE --redis URL' })
    if (o.json) process.stdout.write(JSON.stringify({ queue: o.queue, redis: redisDisplay(o.redis), mailboxes: entries }) + '\n')
    else process.stdout.write(`${renderBatchTable(entries)}\n`)
    return batchExitCode(entries, false)
  })
}

type FleetQueueModule = typeof import('../batch/fleet-queue.js')

/** The queue `name` at `url` for `fn` (the name checked before connecting), closed after. */
async function withQueue<T>(url: string, name: string, fn: (queue: ReturnType<FleetQueueModule['openQueue']>, redis: Redis, fleet: FleetQueueModule, redisDisplay: (url: string) => string) => Promise<T>): Promise<T> {
  const [{ openRedis, redisDisplay }, fleet] = await Promise.all([import('../batch/redis-connection.js'), import('../batch/fleet-queue.js')])
  fleet.checkQueueName(name)
  const redis = await openRedis(url)
  const queue = fleet.openQueue(name, redis)
  try {
    return await fn(queue, redis, fleet, redisDisplay)
  } finally {
    await queue.close()
    redis.disconnect()
  }
}

export interface WorkerOptions extends Output {
  config: LoadedConfig
  redis: string
  queue: string
  concurrency: number
  stateDir: string
  lockSeconds: number
  untilEmpty: boolean
  passwords?: string
}

export async function workerFromRedis(o: WorkerOptions): Promise<number> {
  const [{ openRedis, redisDisplay }, { runWorker }, { checkQueueName }] = await Promise.all([
    import('../batch/redis-connection.js'), import('../batch/worker.js'), import('../batch/fleet-queue.js'),
  ])
  checkQueueName(o.queue)
  const passwords = o.passwords ? passwordsOf(o.passwords) : undefined
  const redis = await openRedis(o.redis, { longLived: true })
  const show = batchEventWriter(o)
  if (!o.json && !o.quiet) process.stderr.write(`worker ${process.pid}: queue ${o.queue} on ${redisDisplay(o.redis)}, ${o.concurrency} mailboxes at a time${o.untilEmpty ? ', until the queue is empty' : ''}\n`)
  const stop = stopOnSignals()
  try {
    const s = await runWorker({
      config: o.config, redis, queue: o.queue, concurrency: o.concurrency, stateDir: o.stateDir,
      lockMs: o.lockSeconds * 1000, untilEmpty: o.untilEmpty, passwords, stop: stop.signal, emit: show,
    })
    if (o.json) process.stdout.write(JSON.stringify({ type: 'worker-done', ...s }) + '\n')
    else if (!o.quiet) process.stderr.write(`worker ${process.pid}: ${s.done} mailboxes done, ${s.notDone} tries not done (retried or failed on the queue)\n`)
    return stop.signal.aborted ? 75 : 0
  } finally {
    stop.dispose()
    redis.disconnect()
  }
}

/** Passwords by row key from a local batch file (mode 0600 when it holds any: readBatchFile checks). */
function passwordsOf(file: string): Map<string, Pick<BatchRow, 'source' | 'target'>> {
  const batch = readBatchFile(file)
  if (!batch.hasPasswords) throw new MailsyncError('usage', `--passwords ${file}: the file holds no passwords`)
  return new Map(batch.rows.map((r) => [r.key, { source: r.source, target: r.target }]))
}

// The per-server connection budget across worker processes and machines, in Redis: the same
// promise as LocalBudget (no server ever given more than `perServer` of our connections at once;
// a mailbox admitted only when every server it uses has room for all its connections, taken at
// once) kept by one sorted set per server whose members are leases: `leaseId#k`, scored by when
// the lease runs out. Taking and renewing are Lua scripts, so each is atomic across every worker.
//
// Why our own semaphore and not BullMQ's limits: BullMQ's rate limiter counts jobs per time
// window, not connections held at once; its worker concurrency is per worker, not per server; and
// a mailbox needs room on two servers at once (all-or-nothing, or two mailboxes could each hold
// one side and wait for ever). Leases, renewed while held, make a killed worker's share come back
// by itself once they run out (its sockets closed when it died, so that is only ever late, never
// early); a holder that fails to renew in time is told (onLost) and stops its mailbox.
import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { ConnectionBudget, ServerDemand } from './connection-budget.js'

/** KEYS: one set per server. ARGV: lease id, perServer, lease ms, then the count wanted on each key. */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[2])
local ms = tonumber(ARGV[3])
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  if redis.call('ZCARD', key) + tonumber(ARGV[3 + i]) > limit then return 0 end
end
for i, key in ipairs(KEYS) do
  for k = 1, tonumber(ARGV[3 + i]) do redis.call('ZADD', key, now + ms, ARGV[1] .. '#' .. k) end
  redis.call('PEXPIRE', key, ms * 4)
end
return 1`

/** Same KEYS/ARGV: pushes the lease's end on; 0 when any of its members had run out (the lease is lost). */
const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ms = tonumber(ARGV[3])
for i, key in ipairs(KEYS) do
  for k = 1, tonumber(ARGV[3 + i]) do
    local s = redis.call('ZSCORE', key, ARGV[1] .. '#' .. k)
    if not s or tonumber(s) <= now then return 0 end
  end
end
for i, key in ipairs(KEYS) do
  for k = 1, tonumber(ARGV[3 + i]) do redis.call('ZADD', key, 'XX', now + ms, ARGV[1] .. '#' .. k) end
  redis.call('PEXPIRE', key, ms * 4)
end
return 1`

/** KEYS as above, ARGV: lease id, then the counts. */
const GIVE = `
for i, key in ipairs(KEYS) do
  for k = 1, tonumber(ARGV[1 + i]) do redis.call('ZREM', key, ARGV[1] .. '#' .. k) end
end
return 1`

export interface RedisBudgetOptions {
  perServer: number
  /** How long a lease lasts unless renewed (renewed every third of it). */
  leaseMs?: number
  /** Between tries while a demand does not fit. */
  pollMs?: number
  /** Key prefix (tests give each their own). */
  prefix?: string
  /** A held lease ran out before it was renewed (the process stalled): its mailbox should stop. */
  onLost?(leaseId: string): void
}

export const DEFAULT_LEASE_MS = 30_000

export class RedisBudget implements ConnectionBudget {
  readonly perServer: number
  private readonly leaseMs: number
  private readonly pollMs: number
  private readonly prefix: string

  constructor(private readonly redis: Redis, private readonly opts: RedisBudgetOptions) {
    if (!Number.isInteger(opts.perServer) || opts.perServer < 1) throw new RangeError('perServer must be a positive integer')
    this.perServer = opts.perServer
    this.leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS
    this.pollMs = opts.pollMs ?? 200
    this.prefix = opts.prefix ?? 'mailsync:budget'
  }

  /** The Redis key a server's leases are kept under. */
  keyOf(server: string): string {
    return `${this.prefix}:${server}`
  }

  /** Connections held on a server now (live leases), as every worker sees it. */
  async inUse(server: string): Promise<number> {
    return this.redis.zcount(this.keyOf(server), `(${await this.serverNow()}`, '+inf')
  }

  async acquire(demand: ServerDemand, signal?: AbortSignal): Promise<() => Promise<void>> {
    for (const [server, n] of demand) {
      if (n > this.perServer) throw new RangeError(`${n} connections to ${server} can never fit a budget of ${this.perServer}`)
    }
    const entries = [...demand].filter(([, n]) => n > 0).sort(([a], [b]) => a.localeCompare(b))
    const keys = entries.map(([s]) => this.keyOf(s))
    const counts = entries.map(([, n]) => String(n))
    const id = randomUUID()
    const args = (...head: string[]) => [keys.length, ...keys, ...head, ...counts] as const
    for (;;) {
      signal?.throwIfAborted()
      if (await this.redis.eval(TAKE, ...args(id, String(this.perServer), String(this.leaseMs))) === 1) break
      await sleep(this.pollMs * (0.5 + Math.random()), signal)
    }
    let lost = false
    const renew = setInterval(() => {
      void this.redis.eval(RENEW, ...args(id, String(this.perServer), String(this.leaseMs))).then((ok) => {
        if (ok !== 1 && !lost) {
          lost = true
          this.opts.onLost?.(id)
        }
      }, () => { /* Redis unreachable for now: the next renewal tries again */ })
    }, Math.max(50, Math.floor(this.leaseMs / 3)))
    renew.unref()
    let given = false
    return async () => {
      if (given) return
      given = true
      clearInterval(renew)
      await this.redis.eval(GIVE, keys.length, ...keys, id, ...counts).catch(() => { /* the lease runs out by itself */ })
    }
  }

  private async serverNow(): Promise<number> {
    const [s, us] = await this.redis.time()
    return Number(s) * 1000 + Math.floor(Number(us) / 1000)
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, ms)
    const onAbort = () => { clearTimeout(t); reject(signal!.reason ?? new Error('aborted')) }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

// The Redis a fleet batch runs on (`--redis URL`): the URL checked, shown without its password,
// and a connection that fails with one clear line when Redis cannot be reached, instead of
// ioredis's default of retrying silently for ever. A worker's connection keeps retrying after it
// was once up (BullMQ needs maxRetriesPerRequest: null there), so a Redis restart is ridden out.
import { Redis } from 'ioredis'
import { MailsyncError } from '../errors.js'

const CONNECT_TIMEOUT_MS = 5000

/** The URL as it may be shown: any password replaced by ***. */
export function redisDisplay(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return '(not a URL)'
  }
}

export function checkRedisUrl(url: string): void {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new MailsyncError('usage', `--redis ${JSON.stringify(url)} is not a URL`, { hint: 'give redis://HOST:PORT (or rediss:// for TLS), e.g. redis://127.0.0.1:6379' })
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new MailsyncError('usage', `--redis must be a redis:// or rediss:// URL, not ${u.protocol}//`, { hint: 'e.g. redis://127.0.0.1:6379' })
  }
}

/** A connected client; `longLived` for a worker's (retries for ever once it was up). */
export async function openRedis(url: string, opts: { longLived?: boolean } = {}): Promise<Redis> {
  checkRedisUrl(url)
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: opts.longLived ? null : 2,
    retryStrategy: (times) => Math.min(200 * 2 ** times, 5000),
  })
  let lastError: Error | undefined
  client.on('error', (e) => { lastError = e })
  try {
    await withTimeout(client.connect(), CONNECT_TIMEOUT_MS)
  } catch (e) {
    client.disconnect()
    const why = (lastError ?? (e as Error)).message
    throw new MailsyncError('network', `cannot reach Redis at ${redisDisplay(url)}: ${why}`, { hint: 'is redis-server running there, and is the URL right?', cause: e })
  }
  return client
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer in ${ms / 1000} s`)), ms) }),
  ])
}

// A provider's daily transfer limit (dailydownloadlimit / dailyuploadlimit; the Gmail preset gives
// Google's published IMAP limits, 2,500 MB down and 500 MB up per day), counted across runs: the
// bytes of every message fetched and appended, per hour, over the last 24 hours, in a small file
// in the state directory (one per account on one server: the repository's identity). A message
// that would take a direction past its limit stops the run cleanly (exit 81) with the time at
// which enough of the counted day has passed to go on; what was done is recorded, and the next
// run after that time goes on from there. The file is written every few MB and when the
// repository closes: a crash forgets at most that much, and the provider's own refusal (a
// throttle reply) is then handled like any throttle.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createHash } from 'node:crypto'
import { MailsyncError } from '../../errors.js'
import { replacePrivateFile } from '../../state/private-files.js'

export type Direction = 'download' | 'upload'

const HOUR = 3_600_000
const DAY_HOURS = 24
const SAVE_EVERY_BYTES = 4 * 1024 * 1024
const MB = 1024 * 1024

export interface DailyQuotaOptions {
  repository: string
  /** Whose transfers are counted (user@host:port): the file is named after it. */
  identity: string
  limits: Partial<Record<Direction, { bytes: number; why: string }>>
  /** Where the counts are kept across runs; without one they last this run only. */
  stateDir?: string
  now?: () => number
}

interface Bucket { hour: number; download: number; upload: number }

export class DailyQuota {
  private buckets: Bucket[] | undefined
  private unsaved = 0
  private readonly now: () => number

  constructor(private readonly o: DailyQuotaOptions) {
    this.now = o.now ?? Date.now
  }

  static of(o: DailyQuotaOptions): DailyQuota | undefined {
    return o.limits.download || o.limits.upload ? new DailyQuota(o) : undefined
  }

  get file(): string | undefined {
    if (!this.o.stateDir) return undefined
    return join(this.o.stateDir, 'daily-transfer', `${createHash('sha256').update(this.o.identity).digest('hex').slice(0, 16)}.json`)
  }

  /** Bytes moved in `direction` over the last 24 hours. */
  used(direction: Direction): number {
    return this.window().reduce((n, b) => n + b[direction], 0)
  }

  /** Counts a transfer of `bytes` (one message, or a batch); throws (kind quota) when it would pass the limit, counting nothing. */
  take(direction: Direction, bytes: number): void {
    const limit = this.o.limits[direction]
    const window = this.window()
    if (limit) {
      const used = window.reduce((n, b) => n + b[direction], 0)
      if (used + bytes > limit.bytes) {
        this.save()
        throw this.stop(direction, limit, used, bytes, window)
      }
    }
    const hour = Math.floor(this.now() / HOUR)
    let b = window[window.length - 1]
    if (!b || b.hour !== hour) window.push((b = { hour, download: 0, upload: 0 }))
    b[direction] += bytes
    this.unsaved += bytes
    if (this.unsaved >= SAVE_EVERY_BYTES) this.save()
  }

  /** Writes the counts (atomically, 0600); a failure to write loses only the counting. */
  save(): void {
    const file = this.file
    if (!file || !this.buckets || this.unsaved === 0) return
    try {
      replacePrivateFile(file, JSON.stringify({ identity: this.o.identity, hours: this.window() }), 'write the daily transfer counts to')
      this.unsaved = 0
    } catch {
      // counted again in memory until the next save
    }
  }

  /** The buckets of the last 24 hours, read from the file the first time. */
  private window(): Bucket[] {
    this.buckets ??= this.load()
    const oldest = Math.floor(this.now() / HOUR) - DAY_HOURS + 1
    while (this.buckets.length && this.buckets[0]!.hour < oldest) this.buckets.shift()
    return this.buckets
  }

  private load(): Bucket[] {
    const file = this.file
    if (!file) return []
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as { identity?: string; hours?: Bucket[] }
      if (data.identity !== this.o.identity || !Array.isArray(data.hours)) return []
      return data.hours.filter((b) => Number.isInteger(b.hour) && b.download >= 0 && b.upload >= 0).sort((a, b) => a.hour - b.hour)
    } catch {
      return []
    }
  }

  private stop(direction: Direction, limit: { bytes: number; why: string }, used: number, bytes: number, window: Bucket[]): MailsyncError {
    // the time when enough of the counted hours have left the window for this message to fit
    let freed = used
    let resume = this.now() + DAY_HOURS * HOUR
    for (const b of window) {
      freed -= b[direction]
      if (freed + bytes <= limit.bytes) {
        resume = (b.hour + DAY_HOURS) * HOUR
        break
      }
    }
    const at = new Date(resume).toISOString().slice(0, 16).replace('T', ' ')
    return new MailsyncError('quota',
      `repository ${this.o.repository}: the daily ${direction} limit of ${mb(limit.bytes)} (${limit.why}) is reached: ${mb(used)} in the last 24 hours, and the next transfer has ${mb(bytes)}; stopped cleanly`,
      { hint: `nothing was lost and what was done is recorded: run again after ${at} UTC to go on` })
  }
}

function mb(n: number): string {
  return `${(n / MB).toFixed(n < 10 * MB ? 1 : 0)} MB`
}

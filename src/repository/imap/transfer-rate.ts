// maxbytespersecond / maxmessagespersecond (imapsync's --maxbytespersecond and
// --maxmessagespersecond; OfflineIMAP has none): one limiter per repository, shared by all its
// connections, through which every message fetched or appended passes. Each message takes the
// next free slot on a schedule: it may go when the messages before it have "paid" for their bytes
// (bytes / rate) and their count (1 / rate), so over any run the average stays at or below both
// rates whatever the number of connections. The first message goes at once; a message is never
// cut into pieces (a large one is followed by a longer pause).

export interface TransferRateOptions {
  bytesPerSecond?: number
  messagesPerSecond?: number
  /** Tests: the clock and the pause. */
  now?: () => number
  sleep?: (ms: number) => Promise<void>
}

export class TransferRate {
  /** When the bytes and the messages handed out so far are paid for. */
  private bytesFreeAt = 0
  private messagesFreeAt = 0
  private readonly now: () => number
  private readonly sleep: (ms: number) => Promise<void>
  /** Time spent waiting in all (for the report). */
  waitedMs = 0

  constructor(private readonly o: TransferRateOptions) {
    this.now = o.now ?? Date.now
    this.sleep = o.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)))
  }

  /** A limiter, or undefined when no rate is set (nothing waits then). */
  static of(o: TransferRateOptions): TransferRate | undefined {
    return o.bytesPerSecond || o.messagesPerSecond ? new TransferRate(o) : undefined
  }

  /** Waits until one message of `bytes` may go, and books it. */
  async take(bytes: number): Promise<void> {
    const now = this.now()
    const start = Math.max(now, this.bytesFreeAt, this.messagesFreeAt)
    // booked before the wait, so that callers on other connections queue behind this one
    if (this.o.bytesPerSecond) this.bytesFreeAt = start + (Math.max(0, bytes) / this.o.bytesPerSecond) * 1000
    if (this.o.messagesPerSecond) this.messagesFreeAt = start + 1000 / this.o.messagesPerSecond
    if (start > now) {
      this.waitedMs += start - now
      await this.sleep(start - now)
    }
  }
}

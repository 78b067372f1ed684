// At most `max` connections open at once, ever: callers beyond that wait in FIFO order.
// Idle connections are reused; broken ones are dropped and their slot is given to the next waiter.

export interface PoolHooks<T> {
  create(): Promise<T>
  /** False once the connection is closed or failed: it is then dropped instead of reused. */
  isUsable(conn: T): boolean
  /** Log out / close; must not throw. */
  dispose(conn: T): Promise<void>
}

export interface PoolStats {
  /** Connections open now (including ones being opened). */
  open: number
  /** The most ever open at once. */
  peakOpen: number
  /** Connections ever opened. */
  created: number
  idle: number
  waiting: number
}

interface Waiter<T> {
  resolve(conn: T): void
  reject(err: unknown): void
}

export class ConnectionPool<T> {
  private readonly idle: T[] = []
  private readonly waiters: Waiter<T>[] = []
  private readonly all = new Set<T>()
  private open = 0
  private peakOpen = 0
  private created = 0
  private closed = false

  constructor(readonly max: number, private readonly hooks: PoolHooks<T>) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxConnections must be a positive integer, not ${max}`)
  }

  stats(): PoolStats {
    return { open: this.open, peakOpen: this.peakOpen, created: this.created, idle: this.idle.length, waiting: this.waiters.length }
  }

  async acquire(): Promise<T> {
    if (this.closed) throw new Error('connection pool is closed')
    while (this.idle.length > 0) {
      const conn = this.idle.shift()!
      if (this.hooks.isUsable(conn)) return conn
      this.drop(conn)
    }
    if (this.open < this.max) return this.openOne()
    return new Promise<T>((resolve, reject) => this.waiters.push({ resolve, reject }))
  }

  /** Give a connection back; `broken` (or unusable) ones are closed and their slot freed. */
  release(conn: T, broken = false): void {
    if (!this.all.has(conn)) return
    if (this.closed || broken || !this.hooks.isUsable(conn)) {
      this.drop(conn)
      this.serveWaiterWithNewConnection()
      return
    }
    const waiter = this.waiters.shift()
    if (waiter) waiter.resolve(conn)
    else this.idle.push(conn)
  }

  /**
   * Runs `check` on each idle connection (e.g. a NOOP to keep it open); one for which it says
   * false, or that is unusable afterwards, is closed and its slot freed.
   */
  async checkIdle(check: (conn: T) => Promise<boolean>): Promise<void> {
    const conns = this.idle.splice(0)
    await Promise.all(conns.map(async (c) => {
      const ok = await check(c).catch(() => false)
      this.release(c, !ok)
    }))
  }

  async close(): Promise<void> {
    this.closed = true
    for (const w of this.waiters.splice(0)) w.reject(new Error('connection pool is closed'))
    const conns = [...this.all]
    this.idle.length = 0
    this.all.clear()
    this.open = 0
    await Promise.all(conns.map((c) => this.hooks.dispose(c)))
  }

  private async openOne(): Promise<T> {
    this.open++
    this.peakOpen = Math.max(this.peakOpen, this.open)
    try {
      const conn = await this.hooks.create()
      this.created++
      if (this.closed) {
        this.open = Math.max(0, this.open - 1)
        await this.hooks.dispose(conn)
        throw new Error('connection pool is closed')
      }
      this.all.add(conn)
      return conn
    } catch (err) {
      if (!this.closed) {
        this.open--
        // the freed slot goes to the next waiter, who tries for itself
        queueMicrotask(() => this.serveWaiterWithNewConnection())
      }
      throw err
    }
  }

  private drop(conn: T): void {
    if (!this.all.delete(conn)) return
    this.open--
    void this.hooks.dispose(conn)
  }

  private serveWaiterWithNewConnection(): void {
    if (this.closed || this.open >= this.max) return
    const waiter = this.waiters.shift()
    if (!waiter) return
    this.openOne().then(waiter.resolve, waiter.reject)
  }
}

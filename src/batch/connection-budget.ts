// The per-server connection budget of a batch: no server (host:port) is ever given more than
// `perServer` of our connections at once, across every mailbox in flight. A mailbox is admitted
// only when every server it uses has room for all the connections it may open (its
// maxconnections on each side), taken at once and given back when its connections have closed:
// a mailbox never waits for a connection while holding others, so admission cannot deadlock.
// This one lives in the process; src/batch/redis-budget.ts keeps the same promise across workers.

/** server key (host:port) -> connections wanted there. */
export type ServerDemand = ReadonlyMap<string, number>

export interface ConnectionBudget {
  /** Resolves once `demand` fits; the function it gives returns the connections. */
  acquire(demand: ServerDemand, signal?: AbortSignal): Promise<() => Promise<void>>
}

/** The key a server is counted under. */
export function serverKey(host: string, port: number): string {
  return `${host.toLowerCase()}:${port}`
}

/** Adds `n` connections on `server` to a demand. */
export function addDemand(demand: Map<string, number>, server: string, n: number): Map<string, number> {
  demand.set(server, (demand.get(server) ?? 0) + n)
  return demand
}

export class LocalBudget implements ConnectionBudget {
  private readonly used = new Map<string, number>()
  private readonly waiting: { demand: ServerDemand; admit: () => void }[] = []
  /** The most connections ever granted on each server at once (what a test or a report reads). */
  readonly peak = new Map<string, number>()

  constructor(readonly perServer: number) {
    if (!Number.isInteger(perServer) || perServer < 1) throw new RangeError('perServer must be a positive integer')
  }

  acquire(demand: ServerDemand, signal?: AbortSignal): Promise<() => Promise<void>> {
    for (const [server, n] of demand) {
      if (n > this.perServer) return Promise.reject(new RangeError(`${n} connections to ${server} can never fit a budget of ${this.perServer}`))
    }
    return new Promise((resolve, reject) => {
      const entry = {
        demand,
        admit: () => {
          signal?.removeEventListener('abort', onAbort)
          this.take(demand)
          let given = false
          resolve(async () => {
            if (given) return
            given = true
            this.give(demand)
          })
        },
      }
      const onAbort = () => {
        const i = this.waiting.indexOf(entry)
        if (i >= 0) this.waiting.splice(i, 1)
        reject(signal?.reason ?? new Error('aborted'))
      }
      if (signal?.aborted) return onAbort()
      signal?.addEventListener('abort', onAbort, { once: true })
      this.waiting.push(entry)
      this.admitWaiting()
    })
  }

  private fits(demand: ServerDemand): boolean {
    for (const [server, n] of demand) if ((this.used.get(server) ?? 0) + n > this.perServer) return false
    return true
  }

  private take(demand: ServerDemand): void {
    for (const [server, n] of demand) {
      const now = (this.used.get(server) ?? 0) + n
      this.used.set(server, now)
      this.peak.set(server, Math.max(this.peak.get(server) ?? 0, now))
    }
  }

  private give(demand: ServerDemand): void {
    for (const [server, n] of demand) this.used.set(server, (this.used.get(server) ?? 0) - n)
    this.admitWaiting()
  }

  /** In order, every waiting demand that fits now (a later small one may pass a big one that does not). */
  private admitWaiting(): void {
    for (let i = 0; i < this.waiting.length;) {
      const w = this.waiting[i]!
      if (this.fits(w.demand)) {
        this.waiting.splice(i, 1)
        w.admit()
      } else {
        i++
      }
    }
  }
}

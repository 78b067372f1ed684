// The rounds of a long-running `sync --watch` / `backup --watch`: when each account is due
// (autorefresh), which rounds are quick (`quick = N`), and what wakes the loop early: a push
// from a store (IDLE, NOTIFY, a Maildir change), SIGUSR1, a jump of the wall clock. One round at a
// time; it sits above src/jobs and only calls `round`, which runs the job.

import { EXIT } from '../errors.js'

export interface WatchAccount {
  name: string
  /** Time between rounds (autorefresh). */
  intervalMs: number
  /** Quick rounds between full ones (OfflineIMAP's `quick`). */
  quick: number
}

export interface RoundRequest {
  accounts: string[]
  quick: boolean
  /** What made the round start now: 'start', 'timer', 'push', 'signal', 'clock', 'retry'. */
  reason: string
}

export interface RoundOutcome {
  exitCode: number
  /** Stopped by the stop signal with work left. */
  stopped?: boolean
}

export interface WatchLoopOptions {
  accounts: WatchAccount[]
  round(r: RoundRequest): Promise<RoundOutcome>
  /** SIGTERM / SIGINT: no new round; the loop ends once the round in flight has ended. */
  stop: AbortSignal
  /** Waits after failed rounds in a row (then the last one again), never longer than the account's interval. */
  retryDelaysMs?: readonly number[]
  /** Told before each wait: how long until the next round (for logs and tests). */
  onWait?(ms: number): void
  /** Stop after this many rounds (tests and benchmarks); unset: until a signal. */
  maxRounds?: number
}

export const RETRY_DELAYS_MS: readonly number[] = [5_000, 15_000, 60_000, 300_000]
/** Pushes that come close together make one round. */
export const PUSH_SETTLE_MS = 250

interface State {
  account: WatchAccount
  dueAt: number
  rounds: number
  failures: number
  forceFull: boolean
  reason: string
  /** A trigger came in while the account's round was running. */
  again: boolean
  running: boolean
}

export class WatchLoop {
  private readonly states: Map<string, State>
  private wake: (() => void) | undefined
  private finishing = false
  private lastExit = 0
  private roundsDone = 0
  /** poke() came while the loop was not asleep. */
  private poked = false

  constructor(private readonly o: WatchLoopOptions) {
    const now = Date.now()
    this.states = new Map(o.accounts.map((a) => [a.name, { account: a, dueAt: now, rounds: 0, failures: 0, forceFull: false, reason: 'start', again: false, running: false }]))
    o.stop.addEventListener('abort', () => this.poke(), { once: true })
  }

  /** Make accounts (default: all) due now, or after `settleMs`; `full`: the next round is not quick. */
  trigger(reason: string, o: { accounts?: string[]; full?: boolean; settleMs?: number } = {}): void {
    const at = Date.now() + (o.settleMs ?? 0)
    for (const s of this.states.values()) {
      if (o.accounts && !o.accounts.includes(s.account.name)) continue
      if (o.full) s.forceFull = true
      if (s.running) {
        s.again = true
        s.reason = reason
        continue
      }
      if (at < s.dueAt) {
        s.dueAt = at
        s.reason = reason
      }
    }
    this.poke()
  }

  /** SIGUSR2: end after the round in flight (or at once when none is). */
  finish(): void {
    this.finishing = true
    this.poke()
  }

  /** Runs rounds until stopped; resolves with the exit code of the last round (0 when stopped between rounds). */
  async run(): Promise<number> {
    for (;;) {
      if (this.o.stop.aborted || this.finishing) return this.lastExit
      if (this.o.maxRounds !== undefined && this.roundsDone >= this.o.maxRounds) return this.lastExit
      this.poked = false
      const now = Date.now()
      const due = [...this.states.values()].filter((s) => s.dueAt <= now)
      if (!due.length) {
        const next = Math.min(...[...this.states.values()].map((s) => s.dueAt)) - now
        this.o.onWait?.(next)
        await this.sleep(next)
        continue
      }
      const quickOnes = due.filter((s) => this.isQuick(s))
      const fullOnes = due.filter((s) => !this.isQuick(s))
      for (const group of [fullOnes, quickOnes]) {
        if (!group.length || this.o.stop.aborted) continue
        const out = await this.runGroup(group, group === quickOnes)
        if (out.stopped) return out.exitCode
      }
    }
  }

  private isQuick(s: State): boolean {
    return !s.forceFull && s.account.quick > 0 && s.rounds % (s.account.quick + 1) !== 0
  }

  private async runGroup(group: State[], quick: boolean): Promise<RoundOutcome> {
    for (const s of group) {
      s.running = true
      s.again = false
      s.forceFull = false
    }
    const reason = group[0]!.reason
    let out: RoundOutcome
    try {
      out = await this.o.round({ accounts: group.map((s) => s.account.name), quick, reason })
    } finally {
      for (const s of group) s.running = false
    }
    this.roundsDone++
    this.lastExit = out.exitCode
    const now = Date.now()
    // a provider that kept throttling, or a daily limit reached: a quick retry would only be refused
    // again (and spend the provider's patience): the next round waits the whole interval
    const later = out.exitCode === EXIT.throttled || out.exitCode === EXIT.quota
    const failed = out.exitCode !== 0 && !out.stopped && !later
    const retry = this.o.retryDelaysMs ?? RETRY_DELAYS_MS
    for (const s of group) {
      s.rounds++
      s.failures = failed ? s.failures + 1 : 0
      const wait = failed ? Math.min(s.account.intervalMs, retry[Math.min(s.failures, retry.length) - 1]!) : s.account.intervalMs
      s.dueAt = s.again ? now + PUSH_SETTLE_MS : now + wait
      s.reason = s.again ? s.reason : failed ? 'retry' : 'timer'
      s.again = false
    }
    return out
  }

  private poke(): void {
    const w = this.wake
    this.wake = undefined
    if (w) w()
    else this.poked = true
  }

  private sleep(ms: number): Promise<void> {
    // something happened since the loop last looked (a trigger, a signal): look again first
    if (this.poked) {
      this.poked = false
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.poke(), Math.max(0, Math.min(ms, 2_147_000_000)))
      this.wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })
  }
}

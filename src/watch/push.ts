// The push side of a watcher: each account's stores watched through Repository.watch (IMAP
// NOTIFY or IDLE, Maildir file-system watching). A change makes the account due (the loop runs
// it after a short settle); a lost push is opened again with back-off, never a crash. The
// connections held are told to each round, which then opens that many fewer.
import type { AccountConfig } from '../config/index.js'
import type { Repository, StoreWatch } from '../repository/types.js'

/** Waits before opening a lost push again, one per failure in a row (then the last again). */
export const PUSH_RETRY_MS: readonly number[] = [1_000, 5_000, 15_000, 60_000]

export interface PushOptions {
  accounts: AccountConfig[]
  /** The account's two repositories, made for pushing only (never used for a round). */
  repositories(account: AccountConfig): { repoA: Repository; repoB: Repository }
  /** IMAP `idlefolders` of a repository of the account. */
  idleFolders(account: AccountConfig, side: 'A' | 'B'): readonly string[]
  changed(account: string, folder: string | undefined): void
  /** One line for the user: what is watched, what was lost. */
  say(account: string, line: string): void
  retryMs?: readonly number[]
}

interface Slot {
  account: AccountConfig
  side: 'A' | 'B'
  repo: Repository
  watch?: StoreWatch
  failures: number
  /** Times a push was opened for it. */
  opened: number
  timer?: NodeJS.Timeout
}

export class PushWatchers {
  private readonly slots: Slot[] = []
  private closed = false

  constructor(private readonly o: PushOptions) {
    for (const account of o.accounts) {
      const { repoA, repoB } = o.repositories(account)
      this.slots.push({ account, side: 'A', repo: repoA, failures: 0, opened: 0 }, { account, side: 'B', repo: repoB, failures: 0, opened: 0 })
    }
  }

  /** Opens every push (errors are told and retried, not thrown). */
  async start(): Promise<void> {
    await Promise.all(this.slots.map((s) => this.open(s)))
  }

  /** Connections held open, per repository name. */
  held(): Record<string, number> {
    const out: Record<string, number> = {}
    for (const s of this.slots) if (s.watch?.connections) out[s.repo.name] = (out[s.repo.name] ?? 0) + s.watch.connections
    return out
  }

  /** After a round: folders it made are watched too. */
  async refresh(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.watch?.refresh?.().catch((e: unknown) => this.o.say(s.account.name, `watching ${s.repo.name}: ${e instanceof Error ? e.message : String(e)}`))))
  }

  /** After a clock jump: every push is likely dead; open them all again. */
  async reopen(): Promise<void> {
    await Promise.all(this.slots.map(async (s) => {
      await this.drop(s)
      await this.open(s)
    }))
  }

  async close(): Promise<void> {
    this.closed = true
    await Promise.all(this.slots.map(async (s) => {
      await this.drop(s)
      await s.repo.close().catch(() => undefined)
    }))
  }

  private async drop(s: Slot): Promise<void> {
    clearTimeout(s.timer)
    s.timer = undefined
    const w = s.watch
    s.watch = undefined
    await w?.close().catch(() => undefined)
  }

  private async open(s: Slot): Promise<void> {
    if (this.closed || !s.repo.watch) return
    const name = s.account.name
    try {
      let lost = false
      const w = await s.repo.watch({
        changed: (folder) => this.o.changed(name, folder),
        lost: (err) => {
          if (lost || this.closed) return
          lost = true
          this.o.say(name, `push from ${s.repo.name} lost (${err.message}); opening it again`)
          void this.drop(s).then(() => this.retry(s))
        },
      }, { folders: this.o.idleFolders(s.account, s.side) })
      if (this.closed) {
        await w?.close()
        return
      }
      s.watch = w
      s.failures = 0
      if (w) this.o.say(name, `watching ${s.repo.name}: ${w.how}`)
      // a change made while the push was down is found by a round now (the first push opens with the first round)
      if (w && s.opened++ > 0) this.o.changed(name, undefined)
    } catch (e) {
      this.o.say(name, `push from ${s.repo.name} failed: ${e instanceof Error ? e.message : String(e)}`)
      this.retry(s)
    }
  }

  private retry(s: Slot): void {
    if (this.closed) return
    const delays = this.o.retryMs ?? PUSH_RETRY_MS
    const ms = delays[Math.min(s.failures, delays.length - 1)]!
    s.failures++
    s.timer = setTimeout(() => void this.open(s), ms)
    s.timer.unref()
  }
}

// `holdconnectionopen = yes` on a repository: a watcher keeps that repository (and so its logged-in
// connections) from one round to the next instead of connecting anew each round, and with
// `keepalive = SECONDS` sends a NOOP on its idle connections that often. A connection the server or
// the network dropped meanwhile is found out (by the NOOP, or when a round takes it) and replaced
// by a new one; nothing else changes.
import type { AccountConfig, RepositoryConfig } from '../config/index.js'
import type { Repository } from '../repository/types.js'

export class HeldRepositories {
  private readonly held = new Map<string, { repoA?: Repository; repoB?: Repository }>()
  private readonly timers: NodeJS.Timeout[] = []

  constructor(private readonly make: (account: AccountConfig) => { repoA: Repository; repoB: Repository }) {}

  /** The account's held repositories (made on first use); none when no side holds its connections. */
  get(account: AccountConfig): { repoA?: Repository; repoB?: Repository } {
    let h = this.held.get(account.name)
    if (h) return h
    const holds = (r: RepositoryConfig) => r.get<boolean | undefined>('holdconnectionopen') === true
    h = {}
    if (holds(account.remote) || holds(account.local)) {
      const made = this.make(account)
      if (holds(account.remote)) h.repoA = made.repoA
      if (holds(account.local)) h.repoB = made.repoB
      for (const [repo, cfg] of [[h.repoA, account.remote], [h.repoB, account.local]] as const) {
        const seconds = cfg.get<number | undefined>('keepalive')
        if (!repo || !seconds || !repo.keepAlive) continue
        const t = setInterval(() => void repo.keepAlive!().catch(() => undefined), seconds * 1000)
        t.unref()
        this.timers.push(t)
      }
    }
    this.held.set(account.name, h)
    return h
  }

  async close(): Promise<void> {
    for (const t of this.timers.splice(0)) clearInterval(t)
    const repos = [...this.held.values()].flatMap((h) => [h.repoA, h.repoB]).filter((r): r is Repository => r !== undefined)
    this.held.clear()
    await Promise.allSettled(repos.map((r) => r.close()))
  }
}

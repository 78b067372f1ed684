// `sync --watch` / `backup --watch` (or `autorefresh` in the config): rounds of the job until a
// signal ends them. Rounds come from the loop (watch-loop.ts); pushes (push.ts), SIGUSR1 and a
// clock jump make them come early; SIGUSR2 ends after the round in flight; SIGTERM / SIGINT stop
// the round in flight cleanly (the job's stop signal) and end. A failed round is told and tried
// again with back-off; the watcher itself does not end because of it.
import type { AccountConfig } from '../config/index.js'
import type { JobRequest, JobResult } from '../jobs/run-job.js'
import { accountRepositories } from '../jobs/account-repositories.js'
import { WatchLoop, PUSH_SETTLE_MS, type WatchAccount } from './watch-loop.js'
import { PushWatchers } from './push.js'
import { watchClock } from './clock-jump.js'
import { HeldRepositories } from './held-repositories.js'
import { startWatchdog } from './sd-notify.js'
import { msSinceProgress, progressBeat } from '../progress-beat.js'

/** Minutes between rounds when neither --watch=MINUTES nor the account's autorefresh says. */
export const DEFAULT_AUTOREFRESH_MIN = 5

export interface WatchRequest {
  /** The job of every round (its accounts are the watched ones). */
  job: JobRequest
  /** --watch=MINUTES: overrides every account's autorefresh. */
  minutes?: number
  /** Runs one round (the CLI shows it); must not throw: a failure is its exit code. */
  round(req: JobRequest): Promise<Pick<JobResult, 'exitCode' | 'stopped'>>
  /** SIGTERM / SIGINT (src/cli/stop-on-signals.ts). */
  stop: AbortSignal
  /** A line for the user, not part of a round. */
  say(line: string): void
  /** Told before each wait (ms until the next round). */
  onWait?(ms: number): void
  /** End after this many rounds (benchmarks); unset: until a signal. */
  maxRounds?: number
  /** Push from the stores (default true). */
  push?: boolean
}

export function watchAccounts(accounts: readonly AccountConfig[], minutes: number | undefined): WatchAccount[] {
  return accounts.map((a) => ({
    name: a.name,
    intervalMs: Math.max(1, Math.round((minutes ?? a.get<number | undefined>('autorefresh') ?? DEFAULT_AUTOREFRESH_MIN) * 60_000)),
    quick: a.get<number | undefined>('quick') ?? 0,
  }))
}

export async function runWatch(w: WatchRequest): Promise<number> {
  const stateDir = w.job.stateDir ?? w.job.config.general.get<string>('metadata')
  let push: PushWatchers | undefined
  /** A round is in flight: the systemd keep-alive then depends on its progress (sd-notify.ts). */
  let inRound = false
  // made at the first round, when the push connections they must leave room for are open
  const held = new HeldRepositories((account) => accountRepositories({ ...w.job, stateDir, heldConnections: push?.held() }, account, () => undefined))
  const loop = new WatchLoop({
    accounts: watchAccounts(w.job.accounts, w.minutes),
    stop: w.stop,
    onWait: w.onWait,
    maxRounds: w.maxRounds,
    round: async (r) => {
      inRound = true
      progressBeat()
      try {
        const out = await w.round({
          ...w.job,
          accounts: w.job.accounts.filter((a) => r.accounts.includes(a.name)),
          quick: r.quick,
          stop: w.stop,
          heldConnections: push?.held(),
          heldRepositories: (account) => held.get(account),
          // a cron run on the same account: wait for it rather than fail the round
          waitForLock: true,
        })
        await push?.refresh()
        return out
      } finally {
        inRound = false
      }
    },
  })
  if (w.push !== false && !w.job.dryRun) {
    push = new PushWatchers({
      accounts: w.job.accounts,
      repositories: (account) => accountRepositories({ ...w.job, stateDir }, account, () => undefined),
      idleFolders: (account, side) => (side === 'A' ? account.remote : account.local).get<string[] | undefined>('idlefolders') ?? [],
      changed: (account) => loop.trigger('push', { accounts: [account], settleMs: PUSH_SETTLE_MS }),
      say: (account, line) => w.say(`${account}: ${line}`),
    })
  }
  const onUsr1 = (): void => {
    w.say('SIGUSR1: syncing every account now')
    loop.trigger('signal', { full: true })
  }
  const onUsr2 = (): void => {
    w.say('SIGUSR2: ending after the round in flight')
    loop.finish()
  }
  process.on('SIGUSR1', onUsr1)
  process.on('SIGUSR2', onUsr2)
  const stopClock = watchClock((ms) => {
    w.say(`the clock jumped ${Math.round(ms / 1000)} s (suspend/resume?): reconnecting and syncing every account`)
    void push?.reopen()
    loop.trigger('clock', { full: true })
  })
  let stopWatchdog = (): void => undefined
  try {
    await push?.start()
    stopWatchdog = startWatchdog(process.env, {
      silentMs: () => (inRound ? msSinceProgress() : undefined),
      stalled: (ms) => w.say(`a round has made no progress for ${Math.round(ms / 1000)} s: the systemd watchdog keep-alive stops, so systemd restarts the watcher`),
      resumed: () => w.say('the round makes progress again: the systemd watchdog keep-alive goes on'),
    })
    return await loop.run()
  } finally {
    stopWatchdog()
    stopClock()
    process.removeListener('SIGUSR1', onUsr1)
    process.removeListener('SIGUSR2', onUsr2)
    await push?.close()
    await held.close()
  }
}

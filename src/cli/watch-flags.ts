// `--watch[=MINUTES]` and `-o/--once` of `sync` and `backup`. oclif has no flag with an optional
// value, so a bare `--watch` is rewritten to `--watch=auto` before parsing.
import { Flags } from '@oclif/core'
import type { AccountConfig } from '../config/index.js'
import { MailsyncError } from '../errors.js'

export const watchFlags = {
  watch: Flags.string({
    helpValue: 'MINUTES',
    description: 'Keep running: a round every MINUTES (default: the account\'s autorefresh, else 5), at once on a push from the server (NOTIFY, or IDLE on idlefolders) or a change in the Maildir, and on SIGUSR1. SIGUSR2 ends after the round in flight; SIGTERM/SIGINT stop cleanly.',
  }),
  once: Flags.boolean({ char: 'o', default: false, description: 'Run once, even if the config sets autorefresh (as OfflineIMAP\'s -o).' }),
}

/** A bare `--watch` becomes `--watch=auto` (up to a `--` that ends the flags). */
export function watchArgv(argv: readonly string[]): string[] {
  const end = argv.indexOf('--')
  return argv.map((a, i) => (a === '--watch' && (end < 0 || i < end) ? '--watch=auto' : a))
}

export interface WatchMode {
  watch: boolean
  /** --watch=MINUTES; undefined: each account's autorefresh. */
  minutes?: number
}

/**
 * Whether to keep running: --once never; --watch always; otherwise (sync only, as OfflineIMAP
 * does) when an account sets autorefresh. A backup from cron must end: it watches only on --watch.
 */
export function watchMode(flags: { watch?: string; once: boolean }, accounts: readonly AccountConfig[], autorefreshApplies: boolean): WatchMode {
  if (flags.once) return { watch: false }
  if (flags.watch !== undefined) {
    if (flags.watch === 'auto') return { watch: true }
    const minutes = Number(flags.watch)
    if (!Number.isFinite(minutes) || minutes <= 0) throw new MailsyncError('usage', `--watch=${flags.watch}: give the minutes between rounds as a positive number (e.g. --watch=10 or --watch=0.5)`)
    return { watch: true, minutes }
  }
  return { watch: autorefreshApplies && accounts.some((a) => a.get<number | undefined>('autorefresh') !== undefined) }
}

// SIGTERM / SIGINT / SIGHUP during a run: the first stops it cleanly (no new account, folder or
// message is started; the message in flight is finished or abandoned, what is done is committed
// to the status cache, the lock released) and the run ends with 128 + the signal's number. A
// second signal, or a run still busy after STOP_DEADLINE_MS, exits at once: the status cache
// (SQLite transactions) and the Maildir (tmp/ then rename) are never half-written, so that is
// safe too; the next run adopts what was copied but not yet recorded.
import { StopRequest, STOP_EXIT } from '../jobs/stop-request.js'

/** After the first signal, a run that has not ended by then is ended at once. */
export const STOP_DEADLINE_MS = 8000

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const

export interface SignalStop {
  /** Aborted (reason: a StopRequest) at the first signal. */
  signal: AbortSignal
  /** Remove the handlers (the run is over). */
  dispose(): void
}

/** Installs the handlers; `say` prints one line to the user. */
export function stopOnSignals(say: (line: string) => void = (l) => void process.stderr.write(l + '\n')): SignalStop {
  const controller = new AbortController()
  let deadline: NodeJS.Timeout | undefined
  const handler = (sig: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      say(`mailsync: ${sig} again: stopping now`)
      process.exit(STOP_EXIT[sig] ?? 1)
    }
    say(`mailsync: ${sig}: stopping cleanly after the message in flight (send it again to stop at once)`)
    controller.abort(new StopRequest(sig))
    deadline = setTimeout(() => {
      say(`mailsync: still busy ${STOP_DEADLINE_MS / 1000} s after ${sig}: stopping now`)
      process.exit(STOP_EXIT[sig] ?? 1)
    }, STOP_DEADLINE_MS)
    deadline.unref()
  }
  for (const s of SIGNALS) process.on(s, handler)
  return {
    signal: controller.signal,
    dispose() {
      for (const s of SIGNALS) process.removeListener(s, handler)
      if (deadline) clearTimeout(deadline)
    },
  }
}

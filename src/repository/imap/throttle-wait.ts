// Waiting out a server that throttles the account (errors.ts: throttleSign): the command is
// repeated after a pause that doubles each time (1, 2, 4 ... s, at most 60 s each; the server's
// suggested wait where it gives one), until the waits of one incident reach maxthrottlewait. Then
// the error stands, marked exhausted so that no caller above waits again, and the run ends with
// exit 80 (try again later). A throttled command did nothing (a NO is a refusal), so repeating it
// can neither lose nor duplicate a message; commands that cannot be repeated (a streamed APPEND,
// a FETCH half read) are not repeated here: their error goes up and the engine resumes the folder.
import { MailsyncError, ThrottledError } from '../../errors.js'

export const THROTTLE_FIRST_WAIT_MS = 1000
export const THROTTLE_MAX_WAIT_MS = 60_000

/** One pause, as told to the user (and counted in the run's summary). */
export interface ThrottleReport {
  repository: string
  /** What was throttled, e.g. "SELECT INBOX on". */
  action: string
  /** The server's words. */
  text: string
  waitMs: number
  /** 1 for the first pause of an incident. */
  attempt: number
}

export interface ThrottleWaitOptions {
  repository: string
  /** The waits one incident may take in all (maxthrottlewait). */
  budgetMs: number
  onThrottle?: (r: ThrottleReport) => void
  /** Tests: a pause that does not take real time. */
  sleep?: (ms: number) => Promise<void>
}

/** The pause before attempt `attempt + 1`: the server's suggestion, else doubling from 1 s, capped. */
export function throttlePause(attempt: number, suggestedMs: number | undefined): number {
  if (suggestedMs !== undefined) return suggestedMs
  return Math.min(THROTTLE_MAX_WAIT_MS, THROTTLE_FIRST_WAIT_MS * 2 ** attempt)
}

/** The pauses of one command (or one fetch) that the server throttles, until it goes through. */
export interface ThrottleIncident {
  /** `err` (a MailsyncError) failed the command: pauses if it is a throttle reply within the budget, else throws it (exhausted, where it was one). */
  after(err: MailsyncError): Promise<void>
}

export class ThrottleWaits {
  constructor(private readonly o: ThrottleWaitOptions) {}

  incident(action: string): ThrottleIncident {
    let waited = 0
    let attempt = 0
    return {
      after: async (err) => {
        if (!(err instanceof ThrottledError) || err.exhausted) throw err
        // a wait the client library already made (imapflow, for Microsoft's suggestion) counts too
        const spent = err.waitedMs
        const pause = throttlePause(attempt, err.retryAfterMs)
        if (waited + spent + pause > this.o.budgetMs) throw this.exhausted(err, waited + spent, pause)
        waited += spent + pause
        attempt++
        this.o.onThrottle?.({ repository: this.o.repository, action, text: err.serverText, waitMs: spent + pause, attempt })
        await (this.o.sleep ?? sleep)(pause)
      },
    }
  }

  /**
   * Runs `fn`; while it fails with a ThrottledError not yet exhausted, pauses and runs it again.
   * `toError` maps whatever `fn` threw to a MailsyncError (a throttle reply becomes a ThrottledError).
   */
  async retrying<T>(action: string, fn: () => Promise<T>, toError: (err: unknown) => MailsyncError): Promise<T> {
    const incident = this.incident(action)
    for (;;) {
      try {
        return await fn()
      } catch (raw) {
        await incident.after(toError(raw))
      }
    }
  }

  private exhausted(err: ThrottledError, waited: number, next: number): ThrottledError {
    const asked = err.retryAfterMs !== undefined && err.retryAfterMs > this.o.budgetMs
    const until = new Date(Date.now() + next).toISOString().slice(0, 16).replace('T', ' ')
    const what = asked
      ? `the server asks to wait ${seconds(err.retryAfterMs!)}, more than maxthrottlewait (${seconds(this.o.budgetMs)}) allows`
      : `still throttled after waiting ${seconds(waited)} in all (maxthrottlewait = ${Math.round(this.o.budgetMs / 1000)})`
    return new ThrottledError(`${err.message}; ${what}`, {
      serverText: err.serverText,
      retryAfterMs: err.retryAfterMs,
      exhausted: true,
      hint: `nothing was lost and nothing is done twice: run again later${asked ? ` (after ${until} UTC)` : ' (a provider\'s daily limit resets within a day)'}; what is done is recorded`,
      cause: err,
    })
  }
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1).replace(/\.0$/, '')} s` : `${Math.round(ms / 1000)} s`
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

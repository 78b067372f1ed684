// Why a run was asked to stop early, carried as the reason of the AbortSignal a job gets
// (JobRequest.stop): a signal's name, and the exit code a run stopped by it ends with.
import { EXIT } from '../errors.js'

/** Exit codes of a run that a signal stopped before its work was done (128 + the signal's number). */
export const STOP_EXIT: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 }

export class StopRequest {
  constructor(readonly signal: string) {}
  get exitCode(): number {
    return STOP_EXIT[this.signal] ?? EXIT.partial
  }
}

/** The exit code for a stop with this reason: a StopRequest's, else 75 (run again). */
export function stopExitCode(reason: unknown): number {
  return reason instanceof StopRequest ? reason.exitCode : EXIT.partial
}

// The last moment a run's work moved: an event of the run, a chunk of a message streamed, a
// message listed, a poll for a lock that another run holds, a hook still within its time limit.
// A watcher under systemd sends its watchdog keep-alive only while this keeps moving during a
// round (src/watch/sd-notify.ts), so a round wedged inside (a connection that neither answers nor
// times out, a promise that never settles) is restarted by systemd, while a long round that
// keeps copying is not. Called directly, like crash-point.ts; a beat is one clock read.
import { performance } from 'node:perf_hooks'

let last = performance.now()

export function progressBeat(): void {
  last = performance.now()
}

/** Milliseconds since the last beat. */
export function msSinceProgress(): number {
  return performance.now() - last
}

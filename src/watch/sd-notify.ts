// Tells systemd how a watcher run as a service is doing (sd_notify): READY=1 once it is up, then
// WATCHDOG=1 every half of WatchdogSec, so a frozen process is restarted. The keep-alive depends
// on the watcher's work moving, not only on its timers firing: while a round is in flight it is
// sent only if the round made progress (src/progress-beat.ts) within the last WatchdogSec, so a
// round wedged inside (a connection that neither answers nor times out) is restarted by systemd
// too, while a long round that keeps copying, listing or waiting for a lock is not. Between
// rounds the watcher is waiting on purpose: the keep-alive goes on. Node has no unix datagram
// sockets, so systemd's own `systemd-notify` sends the message (with our PID as the main one).
// Without NOTIFY_SOCKET (not under systemd) nothing is sent.
import { execFile } from 'node:child_process'

/** A round silent for less than this never stops the keep-alive, however short WatchdogSec is (a lock poll is up to 2 s). */
export const MIN_SILENCE_MS = 5_000

export interface WatchdogLiveness {
  /** Milliseconds since the round in flight last made progress; undefined between rounds. */
  silentMs(): number | undefined
  /** The keep-alive stops (once per silence), and when it starts again. */
  stalled?(silentMs: number): void
  resumed?(): void
}

export function notifySystemd(states: string[], env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (!env.NOTIFY_SOCKET) return Promise.resolve(false)
  return new Promise((resolve) => {
    execFile('systemd-notify', [`--pid=${process.pid}`, ...states], { env, timeout: 5000 }, (err) => resolve(!err))
  })
}

/** READY=1 now, then WATCHDOG=1 at half the interval systemd asks for (WATCHDOG_USEC) while `live` says so; returns the stop function. */
export function startWatchdog(env: NodeJS.ProcessEnv = process.env, live?: WatchdogLiveness): () => void {
  if (!env.NOTIFY_SOCKET) return () => undefined
  void notifySystemd(['READY=1', 'STATUS=watching'], env)
  const usec = Number(env.WATCHDOG_USEC ?? '')
  const pid = Number(env.WATCHDOG_PID ?? process.pid)
  if (!usec || pid !== process.pid) return () => undefined
  const limitMs = Math.max(MIN_SILENCE_MS, usec / 1000)
  let stalled = false
  const timer = setInterval(() => {
    const silent = live?.silentMs() ?? 0
    if (silent >= limitMs) {
      if (stalled) return
      stalled = true
      live?.stalled?.(silent)
      void notifySystemd([`STATUS=a round has made no progress for ${Math.round(silent / 1000)} s; watchdog keep-alive stopped`], env)
      return
    }
    if (stalled) {
      stalled = false
      live?.resumed?.()
      void notifySystemd(['WATCHDOG=1', 'STATUS=watching'], env)
      return
    }
    void notifySystemd(['WATCHDOG=1'], env)
  }, Math.max(500, usec / 2000))
  timer.unref()
  return () => clearInterval(timer)
}

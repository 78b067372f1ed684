// Tells systemd how a watcher run as a service is doing (sd_notify): READY=1 once it is up, then
// WATCHDOG=1 every half of WatchdogSec, so a frozen process is restarted. Node has no unix
// datagram sockets, so systemd's own `systemd-notify` sends the message (with our PID as the
// main one). Without NOTIFY_SOCKET (not under systemd) nothing is sent.
import { execFile } from 'node:child_process'

export function notifySystemd(states: string[], env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (!env.NOTIFY_SOCKET) return Promise.resolve(false)
  return new Promise((resolve) => {
    execFile('systemd-notify', [`--pid=${process.pid}`, ...states], { env, timeout: 5000 }, (err) => resolve(!err))
  })
}

/** READY=1 now, then WATCHDOG=1 at half the interval systemd asks for (WATCHDOG_USEC); returns the stop function. */
export function startWatchdog(env: NodeJS.ProcessEnv = process.env): () => void {
  if (!env.NOTIFY_SOCKET) return () => undefined
  void notifySystemd(['READY=1', 'STATUS=watching'], env)
  const usec = Number(env.WATCHDOG_USEC ?? '')
  const pid = Number(env.WATCHDOG_PID ?? process.pid)
  if (!usec || pid !== process.pid) return () => undefined
  const timer = setInterval(() => void notifySystemd(['WATCHDOG=1'], env), Math.max(500, usec / 2000))
  timer.unref()
  return () => clearInterval(timer)
}

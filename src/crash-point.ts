// A test hook for crash safety, at every state write of every command (as isync's journal
// limit does). Each write calls statePoint(name) right after it completed; with
//   MAILSYNC_TEST_KILL_AFTER=N       the process kills itself (SIGKILL, no cleanup) at the N-th point of any kind,
//   MAILSYNC_TEST_KILL_AT=name[:k]   at the k-th time (default 1) the point `name` is reached,
//   MAILSYNC_TEST_KILL_TRACE=file    each point's name is appended to `file` as it is reached,
// so a test records the trace of an uninterrupted run, then kills at every index of it and checks
// that the resumed run ends exactly like the uninterrupted one. No dependencies: repositories and
// the status cache call it directly. With none of these set a point only counts.
import { appendFileSync } from 'node:fs'

let count = 0
const env = process.env
const limit = Number(env.MAILSYNC_TEST_KILL_AFTER || '0')
const at = parseAt(env.MAILSYNC_TEST_KILL_AT)
const trace = env.MAILSYNC_TEST_KILL_TRACE || undefined
const active = limit > 0 || at !== undefined || trace !== undefined
const reached = new Map<string, number>()

function parseAt(v: string | undefined): { name: string; k: number } | undefined {
  if (!v) return undefined
  const i = v.lastIndexOf(':')
  const k = i > 0 ? Number(v.slice(i + 1)) : NaN
  return Number.isInteger(k) && k > 0 ? { name: v.slice(0, i), k } : { name: v, k: 1 }
}

/** Call right after a state write (a mailbox change, a file in a Maildir, a status-cache commit) completed. */
export function statePoint(name: string): void {
  count++
  if (!active) return
  if (trace) appendFileSync(trace, `${name}\n`)
  const n = (reached.get(name) ?? 0) + 1
  reached.set(name, n)
  if ((limit > 0 && count >= limit) || (at && at.name === name && n >= at.k)) process.kill(process.pid, 'SIGKILL')
}

/** Points reached so far in this process. */
export function sideEffectCount(): number {
  return count
}

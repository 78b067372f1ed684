// A test hook for crash safety: with MAILSYNC_TEST_KILL_AFTER=N in the environment, the process
// kills itself (SIGKILL, no cleanup) right after its N-th side effect. Tests run a scenario once
// for every N and check that the resumed run ends exactly like an uninterrupted one.

let count = 0
const limit = Number(process.env.MAILSYNC_TEST_KILL_AFTER ?? '0')

/** Call right after a side effect (a write to a mailbox) has completed. */
export function sideEffectDone(): void {
  count++
  if (limit > 0 && count >= limit) {
    process.kill(process.pid, 'SIGKILL')
  }
}

export function sideEffectCount(): number {
  return count
}

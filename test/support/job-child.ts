// Runs one job in a child process through job-runner.js, so a test can kill it at a side effect.
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import assert from 'node:assert/strict'

/** The compiled job-runner.js: `node JOB_RUNNER <config file> <policy> [account]`. */
export const JOB_RUNNER = join(dirname(fileURLToPath(import.meta.url)), 'job-runner.js')

/** Where to kill the child (see src/crash-point.ts): the N-th state point, or the k-th time of one point `name:k`. */
export interface KillAt { after?: number; at?: string; trace?: string }

/**
 * Runs `policy` on `config` to the end, or until MAILSYNC_TEST_KILL_AFTER (a number) or
 * MAILSYNC_TEST_KILL_AT kills it (then `{}`); otherwise the runner's JSON line (exit code, state points).
 */
export function runJobChild(config: string, policy: string, kill?: number | KillAt): { sideEffects?: number; exitCode?: number } {
  const k: KillAt = typeof kill === 'number' ? { after: kill } : kill ?? {}
  const env = { ...process.env, MAILSYNC_TEST_KILL_AFTER: k.after ? String(k.after) : '', MAILSYNC_TEST_KILL_AT: k.at ?? '', MAILSYNC_TEST_KILL_TRACE: k.trace ?? '' }
  const r = spawnSync(process.execPath, [JOB_RUNNER, config, policy], { env, encoding: 'utf8' })
  if (r.signal === 'SIGKILL') return {}
  const last = r.stdout.trim().split('\n').pop()
  assert.ok(last, `runner printed nothing: ${r.stderr}`)
  return JSON.parse(last!)
}

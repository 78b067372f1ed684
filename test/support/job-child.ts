// Runs one job in a child process through job-runner.js, so a test can kill it at a side effect.
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import assert from 'node:assert/strict'

/** The compiled job-runner.js: `node JOB_RUNNER <config file> <policy> [account]`. */
export const JOB_RUNNER = join(dirname(fileURLToPath(import.meta.url)), 'job-runner.js')

/**
 * Runs `policy` on `config` to the end, or until MAILSYNC_TEST_KILL_AFTER kills it after side
 * effect `killAfter` (then `{}`); otherwise the runner's JSON line (exit code, side effects).
 */
export function runJobChild(config: string, policy: string, killAfter?: number): { sideEffects?: number; exitCode?: number } {
  const r = spawnSync(process.execPath, [JOB_RUNNER, config, policy], { env: { ...process.env, MAILSYNC_TEST_KILL_AFTER: killAfter ? String(killAfter) : '' }, encoding: 'utf8' })
  if (r.signal === 'SIGKILL') return {}
  const last = r.stdout.trim().split('\n').pop()
  assert.ok(last, `runner printed nothing: ${r.stderr}`)
  return JSON.parse(last!)
}

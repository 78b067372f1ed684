// The kill matrix (issue 17): a scenario is run once with MAILSYNC_TEST_KILL_TRACE to learn which
// state points it reaches; then, on a fresh copy of the scenario each time, it is killed (SIGKILL)
// at the first and at the last time of every distinct point, run again normally, and compared
// with the uninterrupted run's end state.
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import assert from 'node:assert/strict'
import { runJobChild } from './job-child.js'

export interface KillWorld { root: string; config: string }

export interface MatrixResult { points: Record<string, number>; kills: string[] }

/** `name:k` kill targets: every distinct point's first and last occurrence in `trace`. */
export function killTargets(trace: readonly string[]): string[] {
  const counts = new Map<string, number>()
  for (const p of trace) counts.set(p, (counts.get(p) ?? 0) + 1)
  const out: string[] = []
  for (const [name, n] of counts) {
    out.push(`${name}:1`)
    if (n > 1) out.push(`${name}:${n}`)
  }
  return out
}

/**
 * `make` builds a fresh scenario; `state` reads its end state (snapshots of both sides) and
 * checks what must hold after any normal run (tmp/ clean). Returns the points and the kills done.
 */
export async function runKillMatrix<W extends KillWorld, S>(
  policy: string, make: () => Promise<W>, state: (w: W) => Promise<S>,
): Promise<MatrixResult> {
  const ref = await make()
  const traceFile = join(ref.root, 'trace')
  const full = runJobChild(ref.config, policy, { trace: traceFile })
  assert.equal(full.exitCode, 0, `uninterrupted ${policy}: ${JSON.stringify(full)}`)
  const expected = await state(ref)
  const trace = readFileSync(traceFile, 'utf8').split('\n').filter(Boolean)
  rmSync(ref.root, { recursive: true, force: true })
  const points: Record<string, number> = {}
  for (const p of trace) points[p] = (points[p] ?? 0) + 1
  const kills = killTargets(trace)
  for (const at of kills) {
    const w = await make()
    try {
      const killed = runJobChild(w.config, policy, { at })
      assert.equal(killed.exitCode, undefined, `${policy} should have been killed at ${at}: ${JSON.stringify(killed)}`)
      const resumed = runJobChild(w.config, policy)
      assert.equal(resumed.exitCode, 0, `${policy} after a kill at ${at}: ${JSON.stringify(resumed)}`)
      assert.deepEqual(await state(w), expected, `${policy}: end state after a kill at ${at} differs from the uninterrupted run`)
    } finally {
      rmSync(w.root, { recursive: true, force: true })
    }
  }
  return { points, kills }
}

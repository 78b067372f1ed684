// The kill matrix (issue 17): a scenario is run once with MAILSYNC_TEST_KILL_TRACE to learn which
// state points it reaches; then, on a fresh copy of the scenario each time, it is killed (SIGKILL)
// at the first and at the last time of every distinct point (the sampled matrix, in CI), or at
// every time of every point (`all`, scripts/kill-matrix-all.mjs), run again normally, and compared
// with the uninterrupted run's end state.
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import assert from 'node:assert/strict'
import { runJobChild } from './job-child.js'

export interface KillWorld { root: string; config: string }

export interface MatrixResult {
  points: Record<string, number>
  kills: string[]
  /** With `keepGoing`: the kills whose resumed run failed or ended differently, and why. */
  failures: { at: string; error: string }[]
}

/** `name:k` kill targets: every distinct point's first and last occurrence in `trace`, or every occurrence (`all`). */
export function killTargets(trace: readonly string[], all = false): string[] {
  const counts = new Map<string, number>()
  for (const p of trace) counts.set(p, (counts.get(p) ?? 0) + 1)
  const out: string[] = []
  for (const [name, n] of counts) {
    if (all) for (let k = 1; k <= n; k++) out.push(`${name}:${k}`)
    else {
      out.push(`${name}:1`)
      if (n > 1) out.push(`${name}:${n}`)
    }
  }
  return out
}

export interface MatrixOptions {
  /** Kill at every occurrence of every point, not only the first and the last. */
  all?: boolean
  /** Record a failed kill and go on with the next one, instead of throwing at the first. */
  keepGoing?: boolean
  /** Told after each kill (the kill, and whether the resumed run ended like the uninterrupted one). */
  log?: (line: string) => void
}

/**
 * `make` builds a fresh scenario; `state` reads its end state (snapshots of both sides and what
 * is left in tmp/, which must be nothing after any normal run). Returns the points and the kills done.
 */
export async function runKillMatrix<W extends KillWorld, S extends { tmp: readonly string[] }>(
  policy: string, make: () => Promise<W>, state: (w: W) => Promise<S>, o: MatrixOptions = {},
): Promise<MatrixResult> {
  const ref = await make()
  const traceFile = join(ref.root, 'trace')
  const full = runJobChild(ref.config, policy, { trace: traceFile })
  assert.equal(full.exitCode, 0, `uninterrupted ${policy}: ${JSON.stringify(full)}`)
  const expected = await state(ref)
  assert.deepEqual(expected.tmp, [], `an uninterrupted ${policy} leaves tmp/ empty`)
  const trace = readFileSync(traceFile, 'utf8').split('\n').filter(Boolean)
  rmSync(ref.root, { recursive: true, force: true })
  const points: Record<string, number> = {}
  for (const p of trace) points[p] = (points[p] ?? 0) + 1
  const kills = killTargets(trace, o.all)
  const failures: MatrixResult['failures'] = []
  for (const [i, at] of kills.entries()) {
    const w = await make()
    try {
      const killed = runJobChild(w.config, policy, { at })
      assert.equal(killed.exitCode, undefined, `${policy} should have been killed at ${at}: ${JSON.stringify(killed)}`)
      const resumed = runJobChild(w.config, policy)
      assert.equal(resumed.exitCode, 0, `${policy} after a kill at ${at}: ${JSON.stringify(resumed)}`)
      assert.deepEqual(await state(w), expected, `${policy}: end state after a kill at ${at} differs from the uninterrupted run`)
      o.log?.(`${policy} ${i + 1}/${kills.length} killed at ${at}: same end state`)
    } catch (e) {
      if (!o.keepGoing) throw e
      failures.push({ at, error: e instanceof Error ? e.message.slice(0, 3000) : String(e) })
      o.log?.(`${policy} ${i + 1}/${kills.length} killed at ${at}: FAILED`)
    } finally {
      rmSync(w.root, { recursive: true, force: true })
    }
  }
  return { points, kills, failures }
}

// Random-moment SIGKILL (issue 17): the parent starts the real `mailsync` CLI and kills it
// (SIGKILL) after a seeded random delay, not at a named state point; then it runs the command
// normally and compares both stores (content and flags) and the Maildir's tmp/ with the end state
// of an uninterrupted run of the same world. Used by test/integration/random-kills.test.ts (a few
// rounds) and scripts/random-kills.mjs (many rounds over a large corpus).
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SeededRandom } from './seeded-random.js'
import { big, ids, putImap, putMaildir, state, world, type W } from './kill-worlds.js'

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'run.js')

/** A command over a world of about `n` messages (plus one streamed large message). */
export interface RandomKillScenario { name: string; args: string[]; make: (n: number) => Promise<W> }

export const RANDOM_SCENARIOS: RandomKillScenario[] = [
  {
    name: 'backup', args: ['backup'],
    make: async (n) => {
      const w = world('maildir')
      await putImap(w.userA, 'INBOX', ids('in', Math.ceil(n * 0.7)), [big('big-imap', 4.5)])
      await putImap(w.userA, 'Work', ids('wk', Math.floor(n * 0.3)))
      return w
    },
  },
  {
    name: 'restore', args: ['restore'],
    make: async (n) => {
      const w = world('maildir')
      await putMaildir(w.maildir, 'INBOX', ids('rs', Math.ceil(n * 0.7)), [big('big-md', 1.5)])
      await putMaildir(w.maildir, 'Work', ids('rw', Math.floor(n * 0.3)))
      return w
    },
  },
  {
    name: 'migrate', args: ['migrate', 'R', 'L'],
    make: async (n) => {
      const w = world('imap')
      await putImap(w.userA, 'INBOX', ids('in', Math.ceil(n * 0.7)), [big('big-imap', 4.5)])
      await putImap(w.userA, 'Work', ids('wk', Math.floor(n * 0.3)))
      return w
    },
  },
  {
    // a first sync of two non-empty sides, a tenth of the mail on both (adopted, flags merged);
    // --force: copying many messages both ways is what this world is (the first-sync guard)
    name: 'sync', args: ['sync', '--force'],
    make: async (n) => {
      const w = world('maildir')
      const shared = ids('sh', Math.max(2, Math.floor(n / 10)))
      await putImap(w.userA, 'INBOX', [...shared, ...ids('sa', Math.floor(n * 0.45))])
      await putMaildir(w.maildir, 'INBOX', [...shared, ...ids('sb', Math.floor(n * 0.45))], [big('big-sync', 1.5)])
      return w
    },
  },
]

export interface RandomKillFigures { scenario: string; rounds: number; kills: number; finishedBeforeKill: number; fullRunMs: number }

function runCli(w: W, args: string[]): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args, '-c', w.config, '-q'], { encoding: 'utf8' })
  return { code: r.status, stderr: r.stderr }
}

/** Starts the CLI and SIGKILLs it after `delayMs`; true if it was killed, false if it ended first. */
function killAfter(w: W, args: string[], delayMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args, '-c', w.config, '-q'], { stdio: 'ignore' })
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs)
    child.on('exit', (_code, signal) => {
      clearTimeout(timer)
      resolve(signal === 'SIGKILL')
    })
  })
}

/**
 * `rounds` fresh worlds of `n` messages; in each, `killsPerRound` runs in a row are killed after
 * a random delay in [0, 0.9 x the uninterrupted run's wall time], then one normal run must end with
 * exit 0 and the uninterrupted run's end state (nothing lost, nothing twice, same flags, tmp/ clean).
 */
export async function randomKills(s: RandomKillScenario, o: { seed: number; n: number; rounds: number; killsPerRound: number; log?: (line: string) => void }): Promise<RandomKillFigures> {
  const rng = new SeededRandom(o.seed)
  const ref = await s.make(o.n)
  const t0 = process.hrtime.bigint()
  const full = runCli(ref, s.args)
  const fullRunMs = Number(process.hrtime.bigint() - t0) / 1e6
  assert.equal(full.code, 0, `uninterrupted ${s.name}: ${full.stderr}`)
  const expected = await state(ref)
  assert.deepEqual(expected.tmp, [], 'an uninterrupted run leaves tmp/ empty')
  rmSync(ref.root, { recursive: true, force: true })
  const figures: RandomKillFigures = { scenario: s.name, rounds: o.rounds, kills: 0, finishedBeforeKill: 0, fullRunMs: Math.round(fullRunMs) }
  for (let round = 1; round <= o.rounds; round++) {
    const w = await s.make(o.n)
    try {
      const delays: number[] = []
      for (let k = 0; k < o.killsPerRound; k++) {
        const delay = rng.int(0, Math.max(1, Math.round(fullRunMs * 0.9)))
        delays.push(delay)
        if (await killAfter(w, s.args, delay)) figures.kills++
        else figures.finishedBeforeKill++
      }
      const resumed = runCli(w, s.args)
      assert.equal(resumed.code, 0, `${s.name} round ${round} (kills after ${delays.join(', ')} ms): the normal run failed: ${resumed.stderr}`)
      assert.deepEqual(await state(w), expected, `${s.name} round ${round} (seed ${o.seed}, kills after ${delays.join(', ')} ms): end state differs from the uninterrupted run`)
      o.log?.(`${s.name} round ${round}: killed after ${delays.join(', ')} ms, then a normal run: same end state`)
    } finally {
      rmSync(w.root, { recursive: true, force: true })
    }
  }
  return figures
}

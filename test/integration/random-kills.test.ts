// Issue 17, kills at random moments: each command (backup, restore, migrate, a first two-way
// sync of two non-empty sides) run by the real CLI is killed (SIGKILL) by the parent after a
// seeded random delay, a few times, each followed by a normal run that must end exactly like an
// uninterrupted run, with tmp/ clean. scripts/random-kills.mjs runs the same over a large corpus.
import { test, before, after } from 'node:test'
import { startDovecot, type DovecotInstance } from '../support/dovecot.js'
import { killUsers, useDovecot } from '../support/kill-worlds.js'
import { RANDOM_SCENARIOS, randomKills, type RandomKillFigures } from '../support/random-kills.js'

const ROUNDS = Number(process.env.RANDOM_KILL_ROUNDS ?? 5)
const SEED = Number(process.env.RANDOM_KILL_SEED ?? 17)
let d: DovecotInstance
const figures: RandomKillFigures[] = []

before(async () => {
  d = await startDovecot({ users: killUsers(RANDOM_SCENARIOS.length * (ROUNDS + 1)) })
  useDovecot(d)
})
after(async () => {
  await d?.stop()
  console.log(`random kills (seed ${SEED}): ${figures.map((f) => `${f.scenario} ${f.kills} kills / ${f.rounds} rounds (${f.finishedBeforeKill} ended first)`).join('; ')}`)
})

for (const [i, s] of RANDOM_SCENARIOS.entries()) {
  test(`${s.name} killed at ${ROUNDS} random moments, each followed by a normal run, ends like an uninterrupted run`, async () => {
    figures.push(await randomKills(s, { seed: SEED + i, n: 24, rounds: ROUNDS, killsPerRound: 1 }))
  })
}

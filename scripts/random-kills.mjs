#!/usr/bin/env node
// Random-moment SIGKILL over a large corpus (issue 17): for each command (backup, restore,
// migrate, sync), ROUNDS fresh worlds of MESSAGES messages; in each, KILLS runs in a row are
// killed by SIGKILL after a seeded random delay, then a normal run must end exactly like an
// uninterrupted run (content, flags, tmp/ clean). Needs `npx tsc -p tsconfig.json` first.
//   node scripts/random-kills.mjs                      # 2000 messages, 6 rounds x 5 kills = 30 kills per command
//   MESSAGES=40 ROUNDS=2 KILLS=1 node scripts/random-kills.mjs   # CI-sized
//   SEED=7 ONLY=backup,sync node scripts/random-kills.mjs
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'test', 'support')
const { startDovecot } = await import(join(dist, 'dovecot.js'))
const { killUsers, useDovecot } = await import(join(dist, 'kill-worlds.js'))
const { RANDOM_SCENARIOS, randomKills } = await import(join(dist, 'random-kills.js'))

const env = process.env
const n = Number(env.MESSAGES ?? 2000)
const rounds = Number(env.ROUNDS ?? 6)
const killsPerRound = Number(env.KILLS ?? 5)
const seed = Number(env.SEED ?? 17)
const only = env.ONLY ? new Set(env.ONLY.split(',')) : undefined
const scenarios = RANDOM_SCENARIOS.filter((s) => !only || only.has(s.name))

const d = await startDovecot({ users: killUsers(scenarios.length * (rounds + 1)) })
useDovecot(d)
const results = []
let failed = false
try {
  for (const [i, s] of scenarios.entries()) {
    const t0 = Date.now()
    try {
      const f = await randomKills(s, { seed: seed + i, n, rounds, killsPerRound, log: (l) => console.error(l) })
      results.push({ ...f, ok: true, seconds: Math.round((Date.now() - t0) / 1000) })
    } catch (e) {
      failed = true
      results.push({ scenario: s.name, ok: false, error: String(e?.message ?? e).slice(0, 2000) })
    }
    console.error(JSON.stringify(results.at(-1)))
  }
} finally {
  await d.stop()
}
console.log(JSON.stringify({ messages: n, rounds, killsPerRound, seed, results }, null, 1))
process.exitCode = failed ? 1 : 0

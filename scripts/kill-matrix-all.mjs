#!/usr/bin/env node
// The exhaustive kill matrix (issue 17): each scenario of the kill matrix (backup, restore,
// migrate, a first two-way sync, a sync with changes on both sides and a UIDVALIDITY repair) is
// traced once, then killed (SIGKILL) at EVERY occurrence of every state point it reaches, each
// time in a fresh world, and run again normally: the end state must equal the uninterrupted
// run's (content and flags of both sides) with every tmp/ empty. CI runs the sampled matrix
// (first and last occurrence, test/integration/kill-matrix*.test.ts); this is the whole of it.
// Needs `npm run build` first.
//   node scripts/kill-matrix-all.mjs                  # every scenario
//   ONLY=backup,migrate node scripts/kill-matrix-all.mjs
//   SERVER=cyrus node scripts/kill-matrix-all.mjs     # against Cyrus (its alternative namespace) instead of Dovecot
// Prints per scenario: distinct points, occurrences, kills, failures (and what failed); exit 1 on any failure.
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'test', 'support')
const { startDovecot } = await import(join(dist, 'dovecot.js'))
const { startCyrus } = await import(join(dist, 'cyrus.js'))
const { killUsers, useDovecot, SCENARIOS, state } = await import(join(dist, 'kill-worlds.js'))
const { runKillMatrix } = await import(join(dist, 'kill-matrix.js'))

const env = process.env
const only = env.ONLY ? new Set(env.ONLY.split(',')) : undefined
const scenarios = SCENARIOS.filter((s) => !only || only.has(s.name))
// every kill takes a fresh world (one or two users): killUsers(100) is 200 users, enough for the largest scenario (91 worlds)
const worldsPerScenario = Number(env.WORLDS ?? 100)
const server = env.SERVER ?? 'dovecot'
const start = (users) => (server === 'cyrus' ? startCyrus({ users, altNamespace: true }) : startDovecot({ users }))

const results = []
let failed = false
for (const s of scenarios) {
  const d = await start(killUsers(worldsPerScenario))
  useDovecot(d)
  const t0 = Date.now()
  try {
    const r = await runKillMatrix(s.policy, s.make, state, { all: true, keepGoing: true, log: (l) => console.error(l) })
    const occurrences = Object.values(r.points).reduce((n, k) => n + k, 0)
    results.push({ server, scenario: s.name, policy: s.policy, distinctPoints: Object.keys(r.points).length, occurrences, kills: r.kills.length, failures: r.failures.length, points: r.points, failed: r.failures, seconds: Math.round((Date.now() - t0) / 1000) })
    if (r.failures.length) failed = true
  } catch (e) {
    failed = true
    results.push({ scenario: s.name, error: String(e?.message ?? e).slice(0, 3000) })
  } finally {
    await d.stop()
  }
  console.error(JSON.stringify(results.at(-1)))
}
console.log(JSON.stringify({ results }, null, 1))
process.exitCode = failed ? 1 : 0

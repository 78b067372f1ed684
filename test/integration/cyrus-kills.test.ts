// Kills against Cyrus (issue 17), the second server brand: the kill matrix's worlds (see
// test/support/kill-worlds.ts) on a Cyrus IMAP 3.6 with its alternative namespace (folders beside
// INBOX, as on Dovecot, so the worlds are the same). Backup from Cyrus, a migrate Cyrus -> Cyrus
// and a sync with changes on both sides and a folder recreated on Cyrus (a UIDVALIDITY repair)
// are each killed (SIGKILL) at the first and the last time of every state point they reach, and
// backup also at seeded random moments of the real CLI; each is run again normally and must end
// exactly like an uninterrupted run (nothing lost, nothing twice, same flags, tmp/ empty).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startCyrus, type CyrusInstance } from '../support/cyrus.js'
import { runKillMatrix } from '../support/kill-matrix.js'
import { killUsers, SCENARIOS, state, useDovecot } from '../support/kill-worlds.js'
import { RANDOM_SCENARIOS, randomKills } from '../support/random-kills.js'

let cyrus: CyrusInstance
const report: string[] = []

before(async () => {
  cyrus = await startCyrus({ users: killUsers(40), altNamespace: true })
  useDovecot(cyrus)
})
after(async () => {
  await cyrus?.stop()
  if (report.length) console.log(`kills against Cyrus:\n${report.join('\n')}`)
})

/** Points a scenario must reach on Cyrus too, else the matrix would not kill where it claims to. */
const MUST_REACH: Record<string, string[]> = {
  'backup': ['maildir-tmp-write', 'maildir-rename', 'maildir-flush', 'pair-commit'],
  'migrate': ['imap-multiappend', 'imap-append', 'pair-commit', 'verify-commit'],
  'sync-changes': ['uidvalidity-repair', 'imap-store', 'imap-expunge', 'imap-multiappend', 'maildir-rename'],
}

for (const name of Object.keys(MUST_REACH)) {
  const s = SCENARIOS.find((x) => x.name === name)!
  test(`Cyrus: ${name} (${s.policy}) killed at the first and last time of every state point, then run again, ends like an uninterrupted run`, async () => {
    const r = await runKillMatrix(s.policy, s.make, state)
    report.push(`  ${name}: ${r.kills.length} kills over ${Object.keys(r.points).length} points`)
    for (const p of MUST_REACH[name]!) assert.ok(r.points[p], `point ${p} not reached: ${JSON.stringify(r.points)}`)
  })
}

test('Cyrus: backup killed at random moments (the CLI, 2 rounds of 2 kills), then run again, ends like an uninterrupted run', async () => {
  const f = await randomKills(RANDOM_SCENARIOS.find((x) => x.name === 'backup')!, { seed: 17, n: 60, rounds: 2, killsPerRound: 2 })
  report.push(`  backup at random moments: ${f.kills} kills, ${f.finishedBeforeKill} runs ended before their kill`)
  assert.ok(f.kills >= 1, `at least one run was killed in the middle: ${JSON.stringify(f)}`)
})

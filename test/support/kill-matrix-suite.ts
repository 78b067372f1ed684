// The kill matrix tests (issue 17), the kill test itself: each command (backup, restore, migrate, two-way sync: a first
// sync of two non-empty sides, and a later sync with changes on both sides and a folder
// recreated on the server, i.e. a UIDVALIDITY repair) is traced once, then killed (SIGKILL) at the
// first and the last time it reaches every distinct state point (status cache commits, Maildir
// tmp writes, renames, flushes, IMAP APPEND/MULTIAPPEND/STORE/EXPUNGE, ...), and run again
// normally: the end state equals the uninterrupted run's (no message lost, none duplicated, same
// flags) and no file is left in any tmp/. The corpus has multi-message groups and one message
// large enough to be streamed (IMAP > 4 MiB, Maildir > 1 MiB).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startDovecot, type DovecotInstance } from './dovecot.js'
import { runKillMatrix } from './kill-matrix.js'
import { killUsers, SCENARIOS, state, useDovecot } from './kill-worlds.js'

/** Points each scenario must reach: else the matrix would not kill where it claims to. */
const MUST_REACH: Record<string, string[]> = {
  'backup': ['maildir-tmp-write', 'maildir-rename', 'maildir-flush', 'pair-commit', 'folder-create', 'maildir-uid-state'],
  'restore': ['imap-append', 'imap-multiappend', 'pair-commit', 'folder-create'],
  'migrate': ['imap-multiappend', 'imap-append', 'pair-commit', 'verify-commit'],
  'sync-first': ['adopt-commit', 'imap-append', 'imap-store', 'maildir-flags-rename', 'maildir-rename', 'pair-commit'],
  'sync-changes': ['uidvalidity-repair', 'imap-store', 'imap-expunge', 'maildir-flags-rename', 'maildir-delete', 'imap-multiappend', 'maildir-rename'],
}

/** Registers the kill matrix for the scenarios `names` (one Dovecot for them). */
export function killMatrixTests(names: string[]): void {
  let d: DovecotInstance
  const report: string[] = []

  before(async () => {
    d = await startDovecot({ users: killUsers(names.length * 30) })
    useDovecot(d)
  })
  after(async () => {
    await d?.stop()
    if (report.length) console.log(`kill matrix:\n${report.join('\n')}`)
  })

  function record(name: string, r: { points: Record<string, number>; kills: string[] }): void {
    report.push(`  ${name}: ${r.kills.length} kills over ${Object.keys(r.points).length} points (${Object.entries(r.points).map(([p, n]) => `${p} x${n}`).join(', ')})`)
  }

  /** The points every command must reach: else the matrix would not kill where it claims to. */
  function assertReached(r: { points: Record<string, number> }, names: string[]): void {
    for (const n of names) assert.ok(r.points[n], `point ${n} not reached: ${JSON.stringify(r.points)}`)
  }

  for (const s of SCENARIOS.filter((x) => names.includes(x.name))) {
    test(`${s.name} (${s.policy}) killed at the first and last time of every state point, then run again, ends like an uninterrupted run`, async () => {
      const r = await runKillMatrix(s.policy, s.make, state)
      record(s.name, r)
      assertReached(r, MUST_REACH[s.name]!)
    })
  }
}

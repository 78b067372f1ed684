// The batch ledger: one SQLite row per mailbox pair, private to the user, that a re-run resumes
// from (plan keeps known states), that start/finish move through running and its outcome (counts
// summed over runs), that records unreadable rows, recovers mailboxes a killed run left running,
// and that a read-only opener (batch status) reads while a writer has it open.
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Ledger, ledgerPathFor, type MailboxOutcome } from '../../src/batch/ledger.js'
import { MailsyncError } from '../../src/errors.js'

const root = mkdtempSync(join(tmpdir(), 'batch-ledger-test-'))
const open: Ledger[] = []
let n = 0

after(() => {
  for (const l of open) {
    try {
      l.close()
    } catch {
      // already closed
    }
  }
  rmSync(root, { recursive: true, force: true })
})

/** A fresh ledger file path (not created yet). */
function freshFile(): string {
  return join(root, `case-${++n}`, 'batch.ledger.sqlite')
}

function openLedger(file: string, opts?: { mustExist?: boolean; readOnly?: boolean }): Ledger {
  const l = Ledger.open(file, opts)
  open.push(l)
  return l
}

const ROW_A = { key: 'imap://a@src.example -> imap://a@dst.example', line: 2, source: 'imap://a@src.example', target: 'imap://a@dst.example' }
const ROW_B = { key: 'imap://b@src.example -> imap://b@dst.example', line: 3, source: 'imap://b@src.example', target: 'imap://b@dst.example' }
const ROW_C = { key: 'imap://c@src.example -> imap://c@dst.example', line: 4, source: 'imap://c@src.example', target: 'imap://c@dst.example' }

function outcome(o: Partial<MailboxOutcome> & Pick<MailboxOutcome, 'state'>): MailboxOutcome {
  return { copied: 0, adopted: 0, failedMessages: 0, bytes: 0, ms: 0, verified: 0, ...o }
}

test('ledgerPathFor names the ledger after the batch file, in the state directory', () => {
  assert.equal(ledgerPathFor('/s', '/x/My Batch.csv'), '/s/batch-My_Batch.ledger.sqlite')
  assert.equal(ledgerPathFor('/s', '/x/users.v2.csv'), '/s/batch-users.v2.ledger.sqlite', 'only the last extension goes')
})

test('open creates the ledger file with mode 0600', () => {
  const file = freshFile()
  assert.equal(existsSync(file), false)
  const l = openLedger(file)
  assert.equal(existsSync(file), true)
  assert.equal(statSync(file).mode & 0o777, 0o600)
  assert.equal(l.file, file)
  assert.deepEqual(l.entries(), [])
  l.close()
})

test('plan inserts new rows as pending; a second plan keeps known states and updates line', () => {
  const l = openLedger(freshFile())
  l.plan([ROW_A, ROW_B])
  const first = l.entries()
  assert.deepEqual(first.map((e) => [e.key, e.line, e.source, e.target, e.state, e.attempts, e.runner]), [
    [ROW_A.key, 2, ROW_A.source, ROW_A.target, 'pending', 0, null],
    [ROW_B.key, 3, ROW_B.source, ROW_B.target, 'pending', 0, null],
  ])

  l.start(ROW_A.key, '100@host')
  l.finish(ROW_A.key, outcome({ state: 'done', copied: 7, bytes: 700 }))
  l.start(ROW_B.key, '100@host')
  l.finish(ROW_B.key, outcome({ state: 'failed', errorKind: 'auth', error: 'bad password' }))

  l.plan([{ ...ROW_A, line: 10 }, { ...ROW_B, line: 11 }, ROW_C])
  const a = l.get(ROW_A.key)!
  assert.equal(a.state, 'done', 'a done mailbox stays done')
  assert.equal(a.line, 10, 'line follows the batch file')
  assert.equal(a.copied, 7)
  assert.equal(a.bytes, 700)
  assert.equal(a.attempts, 1)
  const b = l.get(ROW_B.key)!
  assert.equal(b.state, 'failed', 'a failed mailbox stays failed')
  assert.equal(b.errorKind, 'auth')
  assert.equal(b.error, 'bad password')
  assert.equal(b.line, 11)
  const c = l.get(ROW_C.key)!
  assert.equal(c.state, 'pending')
  assert.equal(c.line, 4)
  assert.equal(l.entries().length, 3)
  l.close()
})

test('plan drops mailboxes the batch no longer lists, but not running ones or row errors', () => {
  const l = openLedger(freshFile())
  l.plan([ROW_A, ROW_B, ROW_C])
  l.start(ROW_B.key, '5@h')
  l.finish(ROW_B.key, outcome({ state: 'done', copied: 2 }))
  l.start(ROW_C.key, '5@h')
  l.rowError(9, 'row 9: bad url')

  l.plan([ROW_A])
  assert.equal(l.get(ROW_B.key), undefined, 'no longer listed: dropped, even though done')
  assert.equal(l.get(ROW_C.key)?.state, 'running', 'a running mailbox is not dropped under its runner')
  assert.equal(l.get('line 9')?.state, 'failed', 'row errors are not dropped by plan')
  assert.equal(l.get(ROW_A.key)?.state, 'pending')

  l.plan([ROW_A, ROW_B])
  const b = l.get(ROW_B.key)!
  assert.equal(b.state, 'pending', 'listed again: starts over')
  assert.equal(b.copied, 0)
  assert.equal(b.attempts, 0)
  l.close()
})

test('start marks running, counts the attempt, sets the runner and clears the last error', () => {
  const l = openLedger(freshFile())
  l.plan([ROW_A])
  l.start(ROW_A.key, '42@box')
  let e = l.get(ROW_A.key)!
  assert.equal(e.state, 'running')
  assert.equal(e.attempts, 1)
  assert.equal(e.runner, '42@box')

  l.finish(ROW_A.key, outcome({ state: 'failed', errorKind: 'network', error: 'timed out' }))
  l.start(ROW_A.key, '43@box')
  e = l.get(ROW_A.key)!
  assert.equal(e.state, 'running')
  assert.equal(e.attempts, 2)
  assert.equal(e.runner, '43@box')
  assert.equal(e.errorKind, null)
  assert.equal(e.error, null)
  l.close()
})

test('finish records state, error and counts, clears the runner; copied/adopted/bytes are summed, the rest are the last run', () => {
  const l = openLedger(freshFile())
  l.plan([ROW_A])
  l.start(ROW_A.key, '1@h')
  l.finish(ROW_A.key, outcome({
    state: 'failed', errorKind: 'network', error: 'connection reset',
    copied: 3, adopted: 2, failedMessages: 4, bytes: 1000, ms: 500, verified: 9, verification: 'mismatch',
  }))
  let e = l.get(ROW_A.key)!
  assert.equal(e.state, 'failed')
  assert.equal(e.errorKind, 'network')
  assert.equal(e.error, 'connection reset')
  assert.equal(e.runner, null)
  assert.deepEqual(
    { copied: e.copied, adopted: e.adopted, failedMessages: e.failedMessages, bytes: e.bytes, ms: e.ms, verified: e.verified, verification: e.verification },
    { copied: 3, adopted: 2, failedMessages: 4, bytes: 1000, ms: 500, verified: 9, verification: 'mismatch' },
  )

  l.start(ROW_A.key, '2@h')
  l.finish(ROW_A.key, outcome({ state: 'done', copied: 0, adopted: 5, failedMessages: 0, bytes: 24, ms: 80, verified: 1, verification: 'ok' }))
  e = l.get(ROW_A.key)!
  assert.equal(e.state, 'done')
  assert.equal(e.errorKind, null)
  assert.equal(e.error, null)
  assert.equal(e.runner, null)
  assert.equal(e.copied, 3, 'copied summed: 3 + 0')
  assert.equal(e.adopted, 7, 'adopted summed: 2 + 5')
  assert.equal(e.bytes, 1024, 'bytes summed: 1000 + 24')
  assert.equal(e.ms, 80, 'ms of the last run')
  assert.equal(e.verified, 1, 'verified of the last run')
  assert.equal(e.verification, 'ok', 'verification of the last run')
  assert.equal(e.failedMessages, 0, 'failed messages of the last run')

  l.start(ROW_A.key, '3@h')
  l.finish(ROW_A.key, outcome({ state: 'done', copied: 1 }))
  e = l.get(ROW_A.key)!
  assert.equal(e.verification, null, 'a run without verification leaves none')
  assert.equal(e.verified, 0)
  assert.equal(e.copied, 4)
  assert.equal(e.attempts, 3)
  l.close()
})

test('rowError records a failed config entry under "line N"; clearRowErrors removes it but not real rows', () => {
  const l = openLedger(freshFile())
  // A real mailbox whose key happens to start like a row error's: it has a source, so it stays.
  const lookalike = { key: 'line 5 -> maildir:/m/line5', line: 5, source: 'line 5', target: 'maildir:/m/line5' }
  l.plan([ROW_A, ROW_B, lookalike])
  l.rowError(7, 'row 7: no target')
  const r = l.get('line 7')!
  assert.ok(r, 'the row error is an entry')
  assert.equal(r.line, 7)
  assert.equal(r.state, 'failed')
  assert.equal(r.errorKind, 'config')
  assert.equal(r.error, 'row 7: no target')
  assert.equal(r.source, '')
  assert.equal(r.target, '')

  l.rowError(7, 'row 7: still no target')
  assert.equal(l.get('line 7')!.error, 'row 7: still no target', 'a second error on the line replaces the first')
  l.rowError(9, 'row 9: bad url')
  assert.equal(l.entries().length, 5)

  l.clearRowErrors()
  assert.equal(l.get('line 7'), undefined)
  assert.equal(l.get('line 9'), undefined)
  assert.deepEqual(l.entries().map((e) => e.key), [ROW_A.key, ROW_B.key, lookalike.key], 'the real rows stay')
  l.close()
})

test('recoverAbandoned turns running entries of dead runners into needs-rerun and leaves the rest alone', () => {
  const l = openLedger(freshFile())
  const rows = ['dead', 'alive', 'done', 'failed', 'pending', 'dead2'].map((k, i) => ({ key: k, line: i + 1, source: `s-${k}`, target: `t-${k}` }))
  l.plan(rows)
  l.start('dead', '1@gone')
  l.start('dead2', '2@gone')
  l.start('alive', '3@here')
  l.start('done', '1@gone')
  l.finish('done', outcome({ state: 'done', copied: 1 }))
  l.start('failed', '1@gone')
  l.finish('failed', outcome({ state: 'failed', errorKind: 'auth', error: 'no' }))

  const asked: string[] = []
  const count = l.recoverAbandoned((runner) => {
    asked.push(runner)
    return runner === '3@here'
  })
  assert.equal(count, 2)

  for (const k of ['dead', 'dead2']) {
    const e = l.get(k)!
    assert.equal(e.state, 'needs-rerun', k)
    assert.equal(e.runner, null, k)
  }
  const alive = l.get('alive')!
  assert.equal(alive.state, 'running')
  assert.equal(alive.runner, '3@here')
  assert.equal(l.get('done')!.state, 'done')
  assert.equal(l.get('failed')!.state, 'failed')
  assert.equal(l.get('failed')!.error, 'no')
  assert.equal(l.get('pending')!.state, 'pending')
  assert.deepEqual([...asked].sort(), ['1@gone', '2@gone', '3@here'], 'only running entries are asked about')

  assert.equal(l.recoverAbandoned(() => true), 0, 'nothing left to recover')
  l.close()
})

test('opening a missing ledger read-only throws a usage MailsyncError naming the file', () => {
  const file = freshFile()
  assert.throws(
    () => Ledger.open(file, { readOnly: true }),
    (e: unknown) => e instanceof MailsyncError && e.kind === 'usage' && e.message.includes(file),
  )
  assert.equal(existsSync(file), false, 'and does not create it')
})

test('a read-only ledger reads what a writer that has it open wrote', () => {
  const file = freshFile()
  const writer = openLedger(file)
  writer.plan([ROW_A, ROW_B], '/batches/users.csv')
  assert.equal(existsSync(`${file}-wal`), true, 'the writer keeps the ledger in WAL mode')
  assert.equal(statSync(`${file}-wal`).mode & 0o777, 0o600, 'the WAL file is as private as the ledger')
  const reader = openLedger(file, { readOnly: true })
  assert.deepEqual(reader.entries().map((e) => [e.key, e.state]), [[ROW_A.key, 'pending'], [ROW_B.key, 'pending']])

  writer.start(ROW_A.key, '9@h')
  writer.finish(ROW_A.key, outcome({ state: 'done', copied: 12 }))
  writer.start(ROW_B.key, '9@h')
  const a = reader.get(ROW_A.key)!
  assert.equal(a.state, 'done')
  assert.equal(a.copied, 12)
  assert.equal(reader.get(ROW_B.key)!.state, 'running')
  assert.equal(reader.get(ROW_B.key)!.runner, '9@h')
  assert.equal(reader.batchFile(), '/batches/users.csv')
  assert.throws(() => reader.plan([ROW_C]), 'the reader cannot write')
  reader.close()
  writer.close()
})

test('batchFile returns what plan was given, undefined before, and the latest after a re-plan', () => {
  const file = freshFile()
  const l = openLedger(file)
  assert.equal(l.batchFile(), undefined)
  l.plan([ROW_A], '/x/My Batch.csv')
  assert.equal(l.batchFile(), '/x/My Batch.csv')
  l.plan([ROW_A])
  assert.equal(l.batchFile(), '/x/My Batch.csv', 'a plan without a file keeps the recorded one')
  l.plan([ROW_A], '/y/other.csv')
  assert.equal(l.batchFile(), '/y/other.csv')
  l.close()

  const again = openLedger(file, { mustExist: true })
  assert.equal(again.batchFile(), '/y/other.csv', 'kept on disk')
  assert.equal(again.get(ROW_A.key)!.state, 'pending')
  again.close()
})

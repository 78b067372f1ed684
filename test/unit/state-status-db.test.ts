// StatusDb: round trips of every row type, message-pair uniqueness, transactions,
// and the on-disk file (mode 0600, WAL).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { StatusDb, type MessagePairRow } from '../../src/state/status-db.js'
import { MailsyncError } from '../../src/errors.js'

let base: string
before(() => {
  base = mkdtempSync(join(tmpdir(), 'mailsync-state-'))
})
after(() => {
  rmSync(base, { recursive: true, force: true })
})

function msg(folderPairId: number, uidA: number | null, uidB: number | null, extra: Partial<MessagePairRow> = {}): MessagePairRow {
  return {
    folderPairId,
    uidA,
    uidB,
    flags: ['\\Seen'],
    size: 100,
    internalDate: 1_700_000_000_000,
    messageId: `<${uidA}-${uidB}@example.com>`,
    sha256: 'a'.repeat(64),
    ...extra,
  }
}

test('folder pairs: ensure is idempotent, update round-trips every field incl. modseqs above 2^53', () => {
  const db = StatusDb.openMemory()
  const fp = db.ensureFolderPair('INBOX', 'inbox')
  assert.equal(db.ensureFolderPair('INBOX', 'inbox').id, fp.id)
  assert.deepEqual(fp, {
    id: fp.id, nameA: 'INBOX', nameB: 'inbox',
    uidValidityA: null, uidValidityB: null, uidNextA: null, uidNextB: null,
    highestModSeqA: null, highestModSeqB: null, messagesA: null, messagesB: null,
    changeTokenA: null, changeTokenB: null, lastPolicy: null, identityA: null, identityB: null, lastSync: null,
  })
  const big = (1n << 63n) - 1n
  const patch = {
    uidValidityA: 4294967295, uidValidityB: 1, uidNextA: 77, uidNextB: 78,
    highestModSeqA: big, highestModSeqB: (1n << 53n) + 1n, messagesA: 10, messagesB: 11, changeTokenA: '1:2:3', changeTokenB: null, lastPolicy: 'sync', identityA: 'imap:a@h:993', identityB: null, lastSync: 1_700_000_000_123,
  }
  db.updateFolderPair(fp.id, patch)
  assert.deepEqual(db.getFolderPair('INBOX', 'inbox'), { id: fp.id, nameA: 'INBOX', nameB: 'inbox', ...patch })
  // undefined leaves a field alone, null forgets it
  db.updateFolderPair(fp.id, { uidNextA: undefined, highestModSeqB: null })
  const after = db.getFolderPairById(fp.id)
  assert.equal(after?.uidNextA, 77)
  assert.equal(after?.highestModSeqB, null)
  assert.equal(after?.highestModSeqA, big)
  db.ensureFolderPair('Sent', 'Sent')
  assert.deepEqual(db.listFolderPairs().map((f) => f.nameA), ['INBOX', 'Sent'])
  assert.equal(db.getFolderPair('INBOX', 'other'), undefined)
  db.close()
})

test('folder pairs: bad updates are refused and change nothing', () => {
  const db = StatusDb.openMemory()
  const fp = db.ensureFolderPair('A', 'B')
  db.updateFolderPair(fp.id, { uidNextA: 5 })
  assert.throws(() => db.updateFolderPair(fp.id, { uidNextA: 6, highestModSeqA: -1n }), /highestModSeqA/)
  assert.throws(() => db.updateFolderPair(fp.id, { uidValidityA: 1.5 }), /uidValidityA/)
  assert.throws(() => db.updateFolderPair(fp.id, { nameA: 'X' } as never), /unknown field nameA/)
  assert.throws(() => db.updateFolderPair(999, { uidNextA: 1 }), /no folder pair with id 999/)
  assert.equal(db.getFolderPairById(fp.id)?.uidNextA, 5)
  db.close()
})

test('message pairs round-trip, flags sorted and de-duplicated', () => {
  const db = StatusDb.openMemory()
  const fp = db.ensureFolderPair('INBOX', 'INBOX').id
  const a = msg(fp, 1, 101, { flags: ['\\Seen', '$Label1', '\\Flagged', '\\Seen'], size: 2 ** 40, internalDate: -5 })
  const b = msg(fp, 2, null, { flags: [], messageId: null, sha256: null })
  const c = msg(fp, null, 103)
  for (const r of [a, b, c]) db.upsertMessagePair(r)
  assert.deepEqual(db.listMessagePairs(fp), [{ ...a, flags: ['$Label1', '\\Flagged', '\\Seen'] }, b, c])
  assert.deepEqual(db.getMessagePair(fp, 'B', 103), c)
  assert.equal(db.getMessagePair(fp, 'A', 103), undefined)
  assert.equal(db.countMessagePairs(fp), 3)
  assert.throws(() => db.upsertMessagePair(msg(fp, 9, 9, { flags: ['two words'] })), /white space/)
  assert.throws(() => db.upsertMessagePair(msg(fp, null, null)), /at least one side/)
  assert.throws(() => db.upsertMessagePair(msg(fp, -1, 9)), /uidA/)
  assert.equal(db.countMessagePairs(fp), 3)
  db.close()
})

test('upsert is keyed by uidA (else uidB): the same key twice is one row', () => {
  const db = StatusDb.openMemory()
  const fp = db.ensureFolderPair('INBOX', 'INBOX').id
  const other = db.ensureFolderPair('Sent', 'Sent').id
  db.upsertMessagePair(msg(fp, 1, 11))
  db.upsertMessagePair(msg(fp, 1, 11, { flags: ['\\Answered'] }))
  db.upsertMessagePair(msg(other, 1, 11)) // same uids in another folder pair: its own row
  assert.equal(db.countMessagePairs(fp), 1)
  assert.deepEqual(db.listMessagePairs(fp)[0]?.flags, ['\\Answered'])
  // keyed by uidA: the whole row is replaced, uidB included
  db.upsertMessagePair(msg(fp, 1, null))
  assert.deepEqual(db.listMessagePairs(fp).map((r) => [r.uidA, r.uidB]), [[1, null]])
  // keyed by uidB when there is no uidA
  db.upsertMessagePair(msg(fp, null, 12, { size: 1 }))
  db.upsertMessagePair(msg(fp, null, 12, { size: 2 }))
  assert.deepEqual(db.listMessagePairs(fp).map((r) => [r.uidA, r.uidB, r.size]), [[1, null, 100], [null, 12, 2]])
  assert.equal(db.countMessagePairs(other), 1)
  // the batch form: one transaction, all or nothing
  db.upsertMessagePairs([msg(fp, 30, 31), msg(fp, 30, 31, { size: 7 })])
  assert.equal(db.getMessagePair(fp, 'A', 30)?.size, 7)
  assert.throws(() => db.upsertMessagePairs([msg(fp, 40, 41), msg(fp, null, null)]), /at least one side/)
  assert.equal(db.getMessagePair(fp, 'A', 40), undefined)
  db.close()
})

test('upsert with both uids merges a B-only row and takes uidB from a row paired elsewhere', () => {
  const db = StatusDb.openMemory()
  const fp = db.ensureFolderPair('INBOX', 'INBOX').id
  db.upsertMessagePair(msg(fp, null, 20)) // known only on B
  db.upsertMessagePair(msg(fp, 2, 20)) // now paired: one row
  assert.deepEqual(db.listMessagePairs(fp).map((r) => [r.uidA, r.uidB]), [[2, 20]])
  db.upsertMessagePair(msg(fp, 3, 20)) // uidB 20 now belongs to A:3; A:2 keeps its row
  const pairs = db.listMessagePairs(fp).map((r) => [r.uidA, r.uidB])
  assert.deepEqual(pairs.sort(), [[2, null], [3, 20]])
  db.close()
})

test('deleteMessagePair deletes only the exact pair; clearUids keeps the rows', () => {
  const db = StatusDb.openMemory()
  const fp = db.ensureFolderPair('INBOX', 'INBOX').id
  db.upsertMessagePair(msg(fp, 1, 11))
  db.upsertMessagePair(msg(fp, 2, 12))
  db.upsertMessagePair(msg(fp, null, 13))
  assert.equal(db.deleteMessagePair(fp, 1, 99), 0)
  assert.equal(db.deleteMessagePair(fp, 1, 11), 1)
  assert.equal(db.deleteMessagePair(fp, null, 13), 1)
  assert.deepEqual(db.listMessagePairs(fp).map((r) => [r.uidA, r.uidB]), [[2, 12]])
  assert.throws(() => db.deleteMessagePair(fp, null, null), /at least one side/)

  db.upsertMessagePair(msg(fp, 3, 13, { sha256: 'b'.repeat(64) }))
  db.clearUids(fp, 'B')
  const rows = db.listMessagePairs(fp)
  assert.equal(rows.length, 2)
  assert.deepEqual(rows.map((r) => [r.uidA, r.uidB, r.sha256?.[0]]), [[2, null, 'a'], [3, null, 'b']])
  // B uids are free again: re-pairing by fingerprint keys on uidA
  db.upsertMessagePair(msg(fp, 3, 12))
  assert.equal(db.countMessagePairs(fp), 2)
  db.clearUids(fp, 'A')
  assert.equal(db.countMessagePairs(fp), 2)
  assert.equal(db.deleteMessagePairsWithoutUids(fp), 1) // the (2, null) row became (null, null)
  assert.deepEqual(db.listMessagePairs(fp).map((r) => [r.uidA, r.uidB]), [[null, 12]])
  db.close()
})

test('transaction commits together, rolls back everything on throw, and refuses async functions', async () => {
  const db = StatusDb.openMemory()
  const fp = db.ensureFolderPair('INBOX', 'INBOX').id
  const n = db.transaction(() => {
    db.upsertMessagePair(msg(fp, 1, 1))
    db.upsertMessagePair(msg(fp, 2, 2))
    return 2
  })
  assert.equal(n, 2)
  assert.throws(
    () =>
      db.transaction(() => {
        db.upsertMessagePair(msg(fp, 3, 3))
        db.updateFolderPair(fp, { uidNextA: 4 })
        throw new Error('boom')
      }),
    /boom/,
  )
  assert.equal(db.countMessagePairs(fp), 2)
  assert.equal(db.getFolderPairById(fp)?.uidNextA, null)
  // nested: the inner failure is caught, the outer work commits
  db.transaction(() => {
    db.upsertMessagePair(msg(fp, 4, 4))
    assert.throws(() => db.transaction(() => { db.upsertMessagePair(msg(fp, 5, 5)); throw new Error('inner') }), /inner/)
  })
  assert.deepEqual(db.listMessagePairs(fp).map((r) => r.uidA), [1, 2, 4])
  assert.throws(() => db.transaction((async () => 1) as never), /synchronous/)
  assert.throws(() => db.transaction(() => { db.upsertMessagePair(msg(fp, 6, 6)); return Promise.resolve(1) }), /synchronous/)
  assert.equal(db.countMessagePairs(fp), 3)
  db.close()
})

test('on disk: directories 0700, file 0600 even with umask 000, WAL mode, data survives reopen', () => {
  const old = process.umask(0)
  let db: StatusDb
  const file = join(base, 'deep', 'er', 'acct.sqlite')
  try {
    db = StatusDb.open(file)
  } finally {
    process.umask(old)
  }
  assert.equal(db.file, file)
  assert.equal(statSync(file).mode & 0o777, 0o600)
  assert.equal(statSync(join(base, 'deep')).mode & 0o777, 0o700)
  assert.equal(statSync(join(base, 'deep', 'er')).mode & 0o777, 0o700)
  const fp = db.ensureFolderPair('INBOX', 'INBOX').id
  db.upsertMessagePair(msg(fp, 1, 1))
  assert.equal(statSync(`${file}-wal`).mode & 0o777, 0o600)
  const peek = new Database(file, { readonly: true })
  assert.equal(peek.pragma('journal_mode', { simple: true }), 'wal')
  peek.close()
  db.close()
  const again = StatusDb.open(file)
  assert.equal(again.countMessagePairs(fp), 1)
  again.close()
})

test('an existing file with loose permissions is tightened to 0600', () => {
  const file = join(base, 'loose.sqlite')
  StatusDb.open(file).close()
  chmodSync(file, 0o644)
  StatusDb.open(file).close()
  assert.equal(statSync(file).mode & 0o777, 0o600)
})

test('a state directory that cannot be created is a disk error', () => {
  const notADir = join(base, 'plain-file')
  writeFileSync(notADir, 'x')
  assert.throws(
    () => StatusDb.open(join(notADir, 'sub', 'acct.sqlite')),
    (e: unknown) => e instanceof MailsyncError && e.kind === 'disk' && e.message.includes('plain-file'),
  )
})

test('copy checks: owed, failed, settled; forgetting a pair or a side\'s uids forgets its checks', () => {
  const db = StatusDb.openMemory()
  const fp = db.ensureFolderPair('INBOX', 'INBOX').id
  for (const [a, b] of [[1, 11], [2, 12], [3, 13]] as const) db.upsertMessagePair(msg(fp, a, b))
  const check = (uid: number, failure: string | null) => ({ folderPairId: fp, side: 'B' as const, uid, sourceUid: uid - 10, messageId: null, subject: null, failure })
  db.transaction(() => [11, 12, 13].forEach((u) => db.putCopyCheck(check(u, null))))
  assert.equal(db.hasCopyChecks(fp), true)
  db.putCopyCheck(check(12, 'differs'))
  db.deleteCopyCheck(fp, 'B', 13)
  assert.deepEqual(db.listCopyChecks(fp).map((c) => [c.uid, c.failure]), [[11, null], [12, 'differs']])
  db.deleteMessagePair(fp, 2, 12)
  assert.deepEqual(db.listCopyChecks(fp).map((c) => c.uid), [11])
  db.clearUids(fp, 'B')
  assert.equal(db.hasCopyChecks(fp), false)
  db.close()
})

test('labels: recorded with the pair in one upsert (spaces and any character kept), kept by an upsert without them, cleared by null', () => {
  const db = StatusDb.openMemory()
  const fp = db.ensureFolderPair('[Gmail]/All Mail', 'all')
  const row = { folderPairId: fp.id, uidA: 1, uidB: 2, flags: ['\\Seen'], size: 10, internalDate: 0, messageId: '<a@x>', sha256: null }
  db.upsertMessagePair({ ...row, labels: ['Work', 'My Label', '\\Inbox', 'Work', 'Ünïcode/Ordner'] })
  assert.deepEqual(db.getMessagePair(fp.id, 'A', 1)?.labels, ['My Label', 'Work', '\\Inbox', 'Ünïcode/Ordner'])
  // a flag change recorded without labels leaves the label base alone
  db.upsertMessagePair({ ...row, flags: [] })
  assert.deepEqual(db.listMessagePairs(fp.id)[0]?.labels, ['My Label', 'Work', '\\Inbox', 'Ünïcode/Ordner'])
  assert.deepEqual(db.listMessagePairs(fp.id)[0]?.flags, [])
  db.upsertMessagePair({ ...row, labels: [] })
  assert.deepEqual(db.listMessagePairs(fp.id)[0]?.labels, [])
  db.upsertMessagePair({ ...row, labels: null })
  assert.equal(db.listMessagePairs(fp.id)[0]?.labels, undefined)
  assert.equal(db.hasMessagePairsWithoutLabels(fp.id), true)
  assert.throws(() => db.upsertMessagePair({ ...row, labels: [''] }), /non-empty/)
  db.close()
})

test('labels: a pair and its label base commit together or not at all', () => {
  const db = StatusDb.openMemory()
  const fp = db.ensureFolderPair('INBOX', 'INBOX')
  const row = { folderPairId: fp.id, uidA: 1, uidB: 2, flags: [], size: 10, internalDate: 0, messageId: null, sha256: null }
  assert.throws(() => db.transaction(() => {
    db.upsertMessagePair({ ...row, labels: ['Work'] })
    throw new Error('killed before the commit')
  }), /killed/)
  assert.equal(db.countMessagePairs(fp.id), 0)
  db.close()
})

// Status database schema: migration from version 1, refusal of newer or foreign databases
// (leaving them unchanged), damaged files.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { StatusDb } from '../../src/state/status-db.js'
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate } from '../../src/state/migrations.js'
import { MailsyncError } from '../../src/errors.js'

let base: string
before(() => {
  base = mkdtempSync(join(tmpdir(), 'mailsync-migrate-'))
})
after(() => {
  rmSync(base, { recursive: true, force: true })
})

function isDataError(re: RegExp) {
  return (e: unknown) => e instanceof MailsyncError && e.kind === 'data' && re.test(e.message)
}

test('migrations are numbered 1, 2, ... in order', () => {
  assert.deepEqual(MIGRATIONS.map((m) => m.version), MIGRATIONS.map((_, i) => i + 1))
  assert.ok(LATEST_SCHEMA_VERSION >= 2)
})

test('a version-1 database is migrated to the latest version, keeping its data', () => {
  const file = join(base, 'v1.sqlite')
  const raw = new Database(file)
  migrate(raw, 1)
  assert.equal(raw.pragma('user_version', { simple: true }), 1)
  raw.prepare(`INSERT INTO folder_pair (id, name_a, name_b, uid_validity_a, highest_modseq_a) VALUES (1, 'INBOX', 'INBOX', 42, '18446744073709551615')`).run()
  raw.prepare(`INSERT INTO message_pair (folder_pair_id, uid_a, uid_b, flags, size, internal_date) VALUES (1, 5, 6, '\\Seen', 10, 1000)`).run()
  raw.prepare(`INSERT INTO intent (folder_pair_id, kind, side, created_at) VALUES (1, 'append', 'B', 1)`).run()
  raw.close()

  const db = StatusDb.open(file)
  assert.equal(db.schemaVersion(), LATEST_SCHEMA_VERSION)
  const fp = db.getFolderPair('INBOX', 'INBOX')
  assert.equal(fp?.uidValidityA, 42)
  assert.equal(fp?.highestModSeqA, 18446744073709551615n)
  assert.equal(fp?.messagesA, null) // column added by migration 2
  db.updateFolderPair(1, { messagesA: 3, messagesB: 4 })
  assert.deepEqual(db.listMessagePairs(1).map((r) => [r.uidA, r.uidB, r.flags]), [[5, 6, ['\\Seen']]])
  // migration 6 drops the intent table (recovery never read it)
  const tables = new Database(file, { readonly: true })
  assert.equal((tables.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'intent'`).get() as { n: number }).n, 0)
  tables.close()
  db.close()
  const reopened = StatusDb.open(file)
  assert.equal(reopened.getFolderPairById(1)?.messagesB, 4)
  reopened.close()
})

test('a version-6 database gets the copy checks table (7) and keeps its pairs', () => {
  const file = join(base, 'v6.sqlite')
  const raw = new Database(file)
  migrate(raw, 6)
  raw.prepare(`INSERT INTO folder_pair (id, name_a, name_b) VALUES (1, 'INBOX', 'INBOX')`).run()
  raw.prepare(`INSERT INTO message_pair (folder_pair_id, uid_a, uid_b, flags, size, internal_date) VALUES (1, 5, 6, '', 10, 1000)`).run()
  raw.close()
  const db = StatusDb.open(file)
  assert.equal(db.schemaVersion(), LATEST_SCHEMA_VERSION)
  assert.equal(db.hasCopyChecks(1), false)
  db.putCopyCheck({ folderPairId: 1, side: 'B', uid: 6, sourceUid: 5, messageId: '<m@x>', subject: null, failure: 'copy (UID 6) differs from the source' })
  db.close()
  const reopened = StatusDb.open(file)
  assert.deepEqual(reopened.listCopyChecks(1).map((c) => [c.side, c.uid, c.sourceUid, c.failure]), [['B', 6, 5, 'copy (UID 6) differs from the source']])
  assert.deepEqual(reopened.listMessagePairs(1).map((r) => [r.uidA, r.uidB]), [[5, 6]])
  reopened.close()
})

test('a version-7 database gets a label base per message pair (8): old pairs have none, and keep everything else', () => {
  const file = join(base, 'v7.sqlite')
  const raw = new Database(file)
  migrate(raw, 7)
  raw.prepare(`INSERT INTO folder_pair (id, name_a, name_b) VALUES (1, '[Gmail]/All Mail', 'all')`).run()
  raw.prepare(`INSERT INTO message_pair (folder_pair_id, uid_a, uid_b, flags, size, internal_date, message_id) VALUES (1, 5, 6, '\\Seen', 10, 1000, '<m@x>')`).run()
  raw.close()
  const db = StatusDb.open(file)
  assert.equal(db.schemaVersion(), 8)
  const [old] = db.listMessagePairs(1)
  assert.deepEqual([old!.uidA, old!.uidB, old!.flags, old!.messageId, old!.labels], [5, 6, ['\\Seen'], '<m@x>', undefined])
  assert.equal(db.hasMessagePairsWithoutLabels(1), true)
  db.upsertMessagePair({ ...old!, labels: ['Lists/Debian', 'My Label', '\\Inbox'] })
  assert.equal(db.hasMessagePairsWithoutLabels(1), false)
  db.close()
  const reopened = StatusDb.open(file)
  assert.deepEqual(reopened.listMessagePairs(1).map((r) => [r.uidA, r.flags, r.labels]), [[5, ['\\Seen'], ['Lists/Debian', 'My Label', '\\Inbox']]])
  reopened.close()
})

test('a database from a newer mailsync is refused (kind data) and left unchanged', () => {
  const file = join(base, 'newer.sqlite')
  const raw = new Database(file)
  raw.exec(`CREATE TABLE future (x TEXT); INSERT INTO future VALUES ('keep me')`)
  raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`)
  raw.close()
  const bytes = readFileSync(file)
  assert.throws(() => StatusDb.open(file), isDataError(/newer mailsync.*schema \d+.*knows up to/))
  assert.deepEqual(readFileSync(file), bytes)
  const check = new Database(file, { readonly: true })
  assert.equal(check.pragma('journal_mode', { simple: true }), 'delete')
  assert.deepEqual(check.prepare('SELECT x FROM future').all(), [{ x: 'keep me' }])
  check.close()
})

test("someone else's SQLite file is refused, not migrated into", () => {
  const file = join(base, 'foreign.sqlite')
  const raw = new Database(file)
  raw.exec(`CREATE TABLE notes (t TEXT)`)
  raw.close()
  const bytes = readFileSync(file)
  assert.throws(() => StatusDb.open(file), isDataError(/without mailsync's schema/))
  assert.deepEqual(readFileSync(file), bytes)

  const other = join(base, 'other-app.sqlite')
  const raw2 = new Database(other)
  raw2.pragma('application_id = 1234')
  raw2.close()
  assert.throws(() => StatusDb.open(other), isDataError(/some other program/))
})

test('a file that is not a database gives a data error and is left alone', () => {
  const file = join(base, 'garbage.sqlite')
  const junk = Buffer.from('this is not a SQLite database, it is some text that happens to be here\n'.repeat(100))
  writeFileSync(file, junk)
  assert.throws(() => StatusDb.open(file), isDataError(/damaged or not a mailsync status database/))
  assert.deepEqual(readFileSync(file), junk)
})

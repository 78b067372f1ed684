// The status cache of one account: which folders are paired, which messages are paired (with
// their flags at last sync, the merge base).
// One SQLite file per account, WAL mode, synchronous=NORMAL: a commit survives a killed process
// at once and a power cut once the WAL is checkpointed. Losing the last commits to a power cut
// is safe by design: an unrecorded copy is found again by fingerprint (adoption), an unrecorded
// flag change or deletion shows up as already done on both sides. FULL would fsync every commit,
// two per copied message, which made a 10,000-message pull several times slower.
import Database from 'better-sqlite3'
import type BetterSqlite3 from 'better-sqlite3'
import { dirname } from 'node:path'
import { checkSchemaCompatible, migrate, readSchemaVersion } from './migrations.js'
import { ensurePrivateFile, makePrivateDir } from './private-files.js'
import { statusDbError } from './sqlite-errors.js'
import { statePoint } from '../crash-point.js'
import {
  FOLDER_PAIR_COLUMNS,
  flagsFromSql,
  flagsToSql,
  labelsFromSql,
  labelsToSql,
  folderPairFromSql,
  uint32OrNull,
  type FolderPairPatch,
  type FolderPairRow,
  type FolderPairSql,
  type CopyCheckRow,
  type MessagePairRow,
  type Side,
} from './rows.js'

export type { CopyCheckRow, FolderPairPatch, FolderPairRow, MessagePairRow, Side } from './rows.js'

type Db = BetterSqlite3.Database
type Stmt = BetterSqlite3.Statement

interface MessagePairSql {
  folder_pair_id: number
  uid_a: number | null
  uid_b: number | null
  flags: string
  size: number
  internal_date: number
  message_id: string | null
  sha256: string | null
  labels: string | null
}

const MESSAGE_VALUES = '@fp, @uidA, @uidB, @flags, @size, @date, @messageId, @sha256, @labels'
const MESSAGE_COLUMNS = 'folder_pair_id, uid_a, uid_b, flags, size, internal_date, message_id, sha256, labels'
// labels: an upsert without them (labelsGiven 0) leaves the recorded ones alone
const MESSAGE_UPDATE =
  'flags = excluded.flags, size = excluded.size, internal_date = excluded.internal_date, message_id = excluded.message_id, sha256 = excluded.sha256, ' +
  'labels = CASE WHEN @labelsGiven = 1 THEN excluded.labels ELSE message_pair.labels END'
const UPSERT_BY_UID_A = `INSERT INTO message_pair (${MESSAGE_COLUMNS}) VALUES (${MESSAGE_VALUES})
  ON CONFLICT (folder_pair_id, uid_a) WHERE uid_a IS NOT NULL DO UPDATE SET uid_b = excluded.uid_b, ${MESSAGE_UPDATE}`
const UPSERT_BY_UID_B = `INSERT INTO message_pair (${MESSAGE_COLUMNS}) VALUES (${MESSAGE_VALUES})
  ON CONFLICT (folder_pair_id, uid_b) WHERE uid_b IS NOT NULL DO UPDATE SET uid_a = excluded.uid_a, ${MESSAGE_UPDATE}`
const LIST_MESSAGE_PAIRS = `SELECT ${MESSAGE_COLUMNS} FROM message_pair WHERE folder_pair_id = ? ORDER BY rowid`

/** A message_pair row in MESSAGE_COLUMNS order. */
type MessagePairTuple = [number, number | null, number | null, string, number, number, string | null, string | null, string | null]

export class StatusDb {
  readonly file: string
  private readonly db: Db
  private readonly stmts = new Map<string, Stmt>()
  private closed = false

  private constructor(db: Db, file: string) {
    this.db = db
    this.file = file
  }

  /** Open (creating dirs 0700 and the file 0600 if needed) and migrate an account's status database. */
  static open(file: string): StatusDb {
    makePrivateDir(dirname(file))
    ensurePrivateFile(file)
    let db: Db | undefined
    try {
      db = new Database(file)
      return StatusDb.prepare(db, file, true)
    } catch (e) {
      db?.close()
      throw statusDbError(file, e)
    }
  }

  /** An in-memory database, for tests. */
  static openMemory(): StatusDb {
    return StatusDb.prepare(new Database(':memory:'), ':memory:', false)
  }

  private static prepare(db: Db, file: string, onDisk: boolean): StatusDb {
    // Nothing is written before we know the file is ours and not from a newer version.
    db.pragma('busy_timeout = 5000')
    checkSchemaCompatible(db, file)
    if (onDisk) {
      const mode = db.pragma('journal_mode = WAL', { simple: true })
      if (mode !== 'wal') throw new Error(`status database ${file}: could not switch to WAL mode (got ${String(mode)})`)
      db.pragma('synchronous = NORMAL')
    }
    db.pragma('foreign_keys = ON')
    migrate(db)
    return new StatusDb(db, file)
  }

  schemaVersion(): number {
    return readSchemaVersion(this.db)
  }

  // ---- folder pairs ----

  getFolderPair(nameA: string, nameB: string): FolderPairRow | undefined {
    const r = this.stmt('SELECT * FROM folder_pair WHERE name_a = ? AND name_b = ?').get(nameA, nameB) as FolderPairSql | undefined
    return r && folderPairFromSql(r)
  }

  getFolderPairById(id: number): FolderPairRow | undefined {
    const r = this.stmt('SELECT * FROM folder_pair WHERE id = ?').get(id) as FolderPairSql | undefined
    return r && folderPairFromSql(r)
  }

  ensureFolderPair(nameA: string, nameB: string): FolderPairRow {
    return this.guard(() => {
      if (this.stmt('INSERT INTO folder_pair (name_a, name_b) VALUES (?, ?) ON CONFLICT (name_a, name_b) DO NOTHING').run(nameA, nameB).changes) this.written(0)
      return this.getFolderPair(nameA, nameB) as FolderPairRow
    })
  }

  listFolderPairs(): FolderPairRow[] {
    return (this.stmt('SELECT * FROM folder_pair ORDER BY id').all() as FolderPairSql[]).map(folderPairFromSql)
  }

  /** Change the given fields (undefined = leave alone, null = forget). Throws if no such pair. */
  updateFolderPair(id: number, patch: FolderPairPatch): void {
    const fields = (Object.keys(patch) as (keyof FolderPairPatch)[]).filter((k) => patch[k] !== undefined).sort()
    const values: unknown[] = []
    for (const k of fields) {
      const col = FOLDER_PAIR_COLUMNS[k]
      if (col === undefined) throw new TypeError(`updateFolderPair: unknown field ${String(k)}`)
      values.push(col.toSql(patch[k]))
    }
    if (fields.length === 0) return
    const sets = fields.map((k) => `${FOLDER_PAIR_COLUMNS[k].column} = ?`).join(', ')
    const info = this.guard(() => this.stmt(`UPDATE folder_pair SET ${sets} WHERE id = ?`).run(...values, id))
    if (info.changes !== 1) throw new Error(`updateFolderPair: no folder pair with id ${id}`)
    this.written(0)
  }

  /** Forget a folder pair with all its message pairs. */
  deleteFolderPair(id: number): void {
    this.written(this.guard(() => this.stmt('DELETE FROM folder_pair WHERE id = ?').run(id)))
  }

  // ---- message pairs ----

  listMessagePairs(folderPairId: number): MessagePairRow[] {
    // Rows as arrays (columns in MESSAGE_COLUMNS order): a folder's records are read whole on
    // every run that lists it, and building keyed objects first cost a third of that.
    const rows = this.stmt(LIST_MESSAGE_PAIRS, { raw: true }).all(folderPairId) as MessagePairTuple[]
    const out: MessagePairRow[] = new Array(rows.length)
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!
      const row: MessagePairRow = { folderPairId: r[0], uidA: r[1], uidB: r[2], flags: flagsFromSql(r[3]), size: r[4], internalDate: r[5], messageId: r[6], sha256: r[7] }
      // no label base recorded: the field is left out (an upsert of the row then keeps it so)
      if (r[8] !== null) row.labels = labelsFromSql(r[8])
      out[i] = row
    }
    return out
  }

  /** The message pair holding `uid` on `side`, if any. */
  getMessagePair(folderPairId: number, side: Side, uid: number): MessagePairRow | undefined {
    const col = side === 'A' ? 'uid_a' : 'uid_b'
    const r = this.stmt(`SELECT ${MESSAGE_COLUMNS} FROM message_pair WHERE folder_pair_id = ? AND ${col} = ?`).get(folderPairId, uid) as
      | MessagePairSql
      | undefined
    return r && messagePairFromSql(r)
  }

  /**
   * Record a message pair. The row is keyed by uidA when it has one, else by uidB: the row with
   * that key is replaced as a whole (including its other uid). When both uids are given, any
   * other row claiming the same uidB gives it up: a row known only on B is merged into this one
   * (deleted), a row paired with a different uidA keeps its uidA with uidB set to null.
   * `labels` left out (undefined) keeps what the row recorded; given, they are written with the
   * pair in the same statement, so a pair and its label base never part.
   */
  upsertMessagePair(row: MessagePairRow): void {
    const uidA = uint32OrNull('uidA', row.uidA)
    const uidB = uint32OrNull('uidB', row.uidB)
    if (uidA === null && uidB === null) throw new TypeError('upsertMessagePair: a message pair needs a uid on at least one side')
    const params = {
      fp: row.folderPairId,
      uidA,
      uidB,
      flags: flagsToSql(row.flags),
      size: row.size,
      date: row.internalDate,
      messageId: row.messageId,
      sha256: row.sha256,
      labels: row.labels === undefined ? null : labelsToSql(row.labels),
      labelsGiven: row.labels === undefined ? 0 : 1,
    }
    this.guard(() => {
      if (uidA !== null && uidB !== null) {
        const other = this.stmt('SELECT uid_a FROM message_pair WHERE folder_pair_id = ? AND uid_b = ?').get(row.folderPairId, uidB) as
          | { uid_a: number | null }
          | undefined
        if (other !== undefined && other.uid_a !== uidA) {
          if (other.uid_a === null) this.stmt('DELETE FROM message_pair WHERE folder_pair_id = ? AND uid_b = ?').run(row.folderPairId, uidB)
          else this.stmt('UPDATE message_pair SET uid_b = NULL WHERE folder_pair_id = ? AND uid_b = ?').run(row.folderPairId, uidB)
        }
      }
      this.stmt(uidA !== null ? UPSERT_BY_UID_A : UPSERT_BY_UID_B).run(params)
    })
    this.written(0)
  }

  /** upsertMessagePair for many rows, in one transaction. */
  upsertMessagePairs(rows: Iterable<MessagePairRow>): void {
    this.transaction(() => {
      for (const r of rows) this.upsertMessagePair(r)
    })
  }

  /** Delete the row whose uids are exactly (uidA, uidB) (null matches null). Returns rows deleted (0 or 1). */
  deleteMessagePair(folderPairId: number, uidA: number | null, uidB: number | null): number {
    if (uidA === null && uidB === null) throw new TypeError('deleteMessagePair: give a uid on at least one side')
    const sql =
      uidA !== null
        ? 'DELETE FROM message_pair WHERE folder_pair_id = ? AND uid_a = ? AND uid_b IS ?'
        : 'DELETE FROM message_pair WHERE folder_pair_id = ? AND uid_b = ? AND uid_a IS ?'
    return this.written(this.guard(() => {
      this.stmt(`DELETE FROM copy_check WHERE folder_pair_id = ? AND ((side = 'A' AND uid IS ?) OR (side = 'B' AND uid IS ?))`).run(folderPairId, uidA, uidB)
      return this.stmt(sql).run(folderPairId, uidA ?? uidB, uidA !== null ? uidB : uidA).changes
    }))
  }

  /** After a UIDVALIDITY change on one side: forget that side's uids, keep the rows for re-pairing by fingerprint. */
  clearUids(folderPairId: number, side: Side): void {
    const col = side === 'A' ? 'uid_a' : 'uid_b'
    this.written(this.guard(() => {
      this.stmt('DELETE FROM copy_check WHERE folder_pair_id = ? AND side = ?').run(folderPairId, side)
      return this.stmt(`UPDATE message_pair SET ${col} = NULL WHERE folder_pair_id = ? AND ${col} IS NOT NULL`).run(folderPairId)
    }))
  }

  /** Remove rows left with no uid on either side (after re-pairing by fingerprint). Returns how many. */
  deleteMessagePairsWithoutUids(folderPairId: number): number {
    return this.written(this.guard(
      () => this.stmt('DELETE FROM message_pair WHERE folder_pair_id = ? AND uid_a IS NULL AND uid_b IS NULL').run(folderPairId).changes,
    ))
  }

  /** Whether some message pair of the folder pair has no label base yet (labels were not in play when it was recorded). */
  hasMessagePairsWithoutLabels(folderPairId: number): boolean {
    return this.stmt('SELECT 1 FROM message_pair WHERE folder_pair_id = ? AND labels IS NULL LIMIT 1').get(folderPairId) !== undefined
  }

  countMessagePairs(folderPairId: number): number {
    return (this.stmt('SELECT count(*) AS n FROM message_pair WHERE folder_pair_id = ?').get(folderPairId) as { n: number }).n
  }

  // ---- copy checks (migrate's verification, see CopyCheckRow) ----

  /** Copies still to be checked, and copies that failed their check, of a folder pair. */
  listCopyChecks(folderPairId: number): CopyCheckRow[] {
    const rows = this.stmt('SELECT folder_pair_id, side, uid, source_uid, message_id, subject, failure FROM copy_check WHERE folder_pair_id = ? ORDER BY side, uid')
      .all(folderPairId) as { folder_pair_id: number; side: Side; uid: number; source_uid: number; message_id: string | null; subject: string | null; failure: string | null }[]
    return rows.map((r) => ({ folderPairId: r.folder_pair_id, side: r.side, uid: r.uid, sourceUid: r.source_uid, messageId: r.message_id, subject: r.subject, failure: r.failure }))
  }

  hasCopyChecks(folderPairId: number): boolean {
    return this.stmt('SELECT 1 FROM copy_check WHERE folder_pair_id = ? LIMIT 1').get(folderPairId) !== undefined
  }

  /** Record a copy's check: owed (failure null) or failed. Replaces what was recorded of that copy. */
  putCopyCheck(row: CopyCheckRow): void {
    this.guard(() => this.stmt(`INSERT INTO copy_check (folder_pair_id, side, uid, source_uid, message_id, subject, failure) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (folder_pair_id, side, uid) DO UPDATE SET source_uid = excluded.source_uid, message_id = excluded.message_id, subject = excluded.subject, failure = excluded.failure`)
      .run(row.folderPairId, row.side, uint32OrNull('uid', row.uid), row.sourceUid, row.messageId, row.subject, row.failure))
    this.written(0)
  }

  /** The copy passed its check, or is gone: nothing is owed for it any more. */
  deleteCopyCheck(folderPairId: number, side: Side, uid: number): void {
    this.written(this.guard(() => this.stmt('DELETE FROM copy_check WHERE folder_pair_id = ? AND side = ? AND uid = ?').run(folderPairId, side, uid)))
  }

  // ---- batching ----

  /** Run `fn` (synchronous) in one transaction: all its writes commit together or, if it throws, none. Nests. */
  transaction<T>(fn: () => T, point = 'status-commit'): T {
    if (fn.constructor.name === 'AsyncFunction') throw new TypeError('StatusDb.transaction takes a synchronous function')
    const outer = !this.db.inTransaction
    const out = this.guard(() =>
      this.db.transaction(() => {
        const result = fn()
        if (typeof (result as { then?: unknown } | null)?.then === 'function') {
          throw new TypeError('StatusDb.transaction takes a synchronous function (it returned a promise)')
        }
        return result
      })(),
    )
    if (outer) statePoint(point)
    return out
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    try {
      this.db.pragma('optimize')
    } catch {
      // only a hint to SQLite
    }
    this.db.close()
  }

  /** A prepared statement, made once per SQL text (and mode: `raw` returns rows as arrays). */
  private stmt(sql: string, opts: { raw?: boolean } = {}): Stmt {
    const key = opts.raw ? `raw:${sql}` : sql
    let s = this.stmts.get(key)
    if (s === undefined) {
      s = opts.raw ? this.db.prepare(sql).raw(true) : this.db.prepare(sql)
      this.stmts.set(key, s)
    }
    return s
  }

  /** A write outside transaction() has committed on its own: a kill point (see crash-point.ts). */
  private written<T>(result: T): T {
    if (!this.db.inTransaction) statePoint('status-write')
    return result
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn()
    } catch (e) {
      throw statusDbError(this.file, e)
    }
  }
}

function messagePairFromSql(r: MessagePairSql): MessagePairRow {
  return {
    folderPairId: r.folder_pair_id,
    uidA: r.uid_a,
    uidB: r.uid_b,
    flags: flagsFromSql(r.flags),
    size: r.size,
    internalDate: r.internal_date,
    messageId: r.message_id,
    sha256: r.sha256,
    ...(r.labels !== null ? { labels: labelsFromSql(r.labels) } : {}),
  }
}

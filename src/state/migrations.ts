// The status database schema, as an ordered list of steps. The schema version is kept in
// PRAGMA user_version; step N turns version N-1 into version N. Never edit a released step:
// add a new one.
import type BetterSqlite3 from 'better-sqlite3'
import { MailsyncError } from '../errors.js'

type Db = BetterSqlite3.Database

export interface Migration {
  version: number
  description: string
  up(db: Db): void
}

/** `ALTER TABLE table ADD COLUMN column` for each column ("name TYPE"), in order. */
function addColumns(db: Db, table: string, ...columns: string[]): void {
  for (const column of columns) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column}`)
}

/** 'MSYN': marks a SQLite file as a mailsync status database. */
export const APPLICATION_ID = 0x4d53594e

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'folder pairs, message pairs, intents',
    up(db) {
      db.exec(`
        CREATE TABLE folder_pair (
          id INTEGER PRIMARY KEY,
          name_a TEXT NOT NULL,
          name_b TEXT NOT NULL,
          uid_validity_a INTEGER,
          uid_validity_b INTEGER,
          uid_next_a INTEGER,
          uid_next_b INTEGER,
          highest_modseq_a TEXT,
          highest_modseq_b TEXT,
          last_sync INTEGER,
          UNIQUE (name_a, name_b)
        );
        CREATE TABLE message_pair (
          folder_pair_id INTEGER NOT NULL REFERENCES folder_pair(id) ON DELETE CASCADE,
          uid_a INTEGER,
          uid_b INTEGER,
          flags TEXT NOT NULL,
          size INTEGER NOT NULL,
          internal_date INTEGER NOT NULL,
          message_id TEXT,
          sha256 TEXT
        );
        CREATE UNIQUE INDEX message_pair_uid_a ON message_pair (folder_pair_id, uid_a) WHERE uid_a IS NOT NULL;
        CREATE UNIQUE INDEX message_pair_uid_b ON message_pair (folder_pair_id, uid_b) WHERE uid_b IS NOT NULL;
        CREATE INDEX message_pair_folder ON message_pair (folder_pair_id);
        CREATE TABLE intent (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          folder_pair_id INTEGER NOT NULL REFERENCES folder_pair(id) ON DELETE CASCADE,
          kind TEXT NOT NULL,
          side TEXT NOT NULL CHECK (side IN ('A', 'B')),
          source_uid INTEGER,
          message_id TEXT,
          size INTEGER,
          sha256 TEXT,
          payload TEXT,
          created_at INTEGER NOT NULL
        );
        CREATE INDEX intent_folder ON intent (folder_pair_id);
      `)
    },
  },
  {
    version: 2,
    description: 'message counts last seen, for the no-change fast path',
    up(db) {
      addColumns(db, 'folder_pair', 'messages_a INTEGER', 'messages_b INTEGER')
    },
  },
  {
    version: 3,
    description: 'change tokens last seen (Maildir directory mtimes), for the no-change fast path',
    up(db) {
      addColumns(db, 'folder_pair', 'change_token_a TEXT', 'change_token_b TEXT')
    },
  },
  {
    version: 4,
    description: 'the policy of the last clean run, to know which side the recorded flags describe',
    up(db) {
      addColumns(db, 'folder_pair', 'last_policy TEXT')
    },
  },
  {
    version: 5,
    description: 'which store each side was (a different store behind the same name is re-paired)',
    up(db) {
      addColumns(db, 'folder_pair', 'identity_a TEXT', 'identity_b TEXT')
    },
  },
  {
    version: 6,
    description: 'no intent table: recovery after a kill lists the changes since the status seen before the run and pairs by fingerprint',
    up(db) {
      db.exec('DROP INDEX IF EXISTS intent_folder; DROP TABLE IF EXISTS intent')
    },
  },
  {
    version: 7,
    description: 'copies still to be checked, or that failed their check (migrate --verify), so every later run reports them until they are resolved',
    up(db) {
      db.exec(`
        CREATE TABLE copy_check (
          folder_pair_id INTEGER NOT NULL REFERENCES folder_pair(id) ON DELETE CASCADE,
          side TEXT NOT NULL CHECK (side IN ('A', 'B')),
          uid INTEGER NOT NULL,
          source_uid INTEGER NOT NULL,
          message_id TEXT,
          subject TEXT,
          failure TEXT,
          PRIMARY KEY (folder_pair_id, side, uid)
        );
      `)
    },
  },
  {
    version: 8,
    description: 'the labels of each message pair at last sync (the label merge base, where labels travel); NULL: none recorded',
    up(db) {
      addColumns(db, 'message_pair', 'labels TEXT')
      // which pairs still lack a label base, asked on the no-change fast path: found without a scan
      db.exec('CREATE INDEX message_pair_without_labels ON message_pair (folder_pair_id) WHERE labels IS NULL')
    },
  },
]

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version

export function readSchemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number
}

/**
 * Check that `db` is ours and not from a newer mailsync, before anything is written.
 * Throws MailsyncError('data') otherwise.
 */
export function checkSchemaCompatible(db: Db, file: string): void {
  const appId = db.pragma('application_id', { simple: true }) as number
  if (appId !== 0 && appId !== APPLICATION_ID) {
    throw new MailsyncError('data', `${file} is a SQLite database of some other program, not a mailsync status database`, {
      hint: 'choose another state directory',
    })
  }
  const version = readSchemaVersion(db)
  if (version > LATEST_SCHEMA_VERSION) {
    throw new MailsyncError(
      'data',
      `${file} was written by a newer mailsync (status schema ${version}; this mailsync knows up to ${LATEST_SCHEMA_VERSION})`,
      { hint: 'upgrade mailsync; the status database was left unchanged' },
    )
  }
  if (version === 0) {
    const objects = db.prepare(`SELECT count(*) AS n FROM sqlite_master`).get() as { n: number }
    if (objects.n > 0) {
      throw new MailsyncError('data', `${file} is a SQLite database without mailsync's schema`, {
        hint: 'choose another state directory',
      })
    }
  }
}

/** Bring `db` up to `target` (default: the latest version), one transaction per step. */
export function migrate(db: Db, target: number = LATEST_SCHEMA_VERSION): void {
  for (const step of MIGRATIONS) {
    if (step.version > target) break
    if (step.version <= readSchemaVersion(db)) continue
    db.transaction(() => {
      step.up(db)
      db.pragma(`user_version = ${step.version}`)
      if ((db.pragma('application_id', { simple: true }) as number) === 0) db.pragma(`application_id = ${APPLICATION_ID}`)
    })()
  }
}

// The ledger of a batch migration: one SQLite row per mailbox pair (keyed by BatchRow.key, which
// holds no password), saying where it stands: pending, running, done, failed (with its error
// class) or needs-rerun, with its counts, bytes, duration and verification. A re-run of the batch
// reads it to resume; `mailsync batch status` reads it while the batch runs or after.
import Database from 'better-sqlite3'
import type BetterSqlite3 from 'better-sqlite3'
import { basename, dirname, join } from 'node:path'
import { existsSync } from 'node:fs'
import { MailsyncError } from '../errors.js'
import { ensurePrivateFile, makePrivateDir } from '../state/private-files.js'

export type MailboxState = 'pending' | 'running' | 'done' | 'failed' | 'needs-rerun'
export const MAILBOX_STATES: readonly MailboxState[] = ['pending', 'running', 'done', 'failed', 'needs-rerun']

/** The ledger key of a line of the batch file that could not be read (rowError). */
export function rowErrorKey(line: number): string {
  return `line ${line}`
}

/** Whether a ledger key is a rowErrorKey (real keys are `source -> target`). */
export function isRowErrorKey(key: string): boolean {
  return key.startsWith('line ')
}

/** What one run of a mailbox did. */
export interface MailboxFigures {
  copied: number
  adopted: number
  failedMessages: number
  bytes: number
  ms: number
  /** Messages fetched back and compared (migrate's verification). */
  verified: number
}

/** In the ledger, copied, adopted and bytes are summed over every run of the mailbox; the other figures are its last run's. */
export interface LedgerEntry extends MailboxFigures {
  key: string
  line: number
  source: string
  target: string
  state: MailboxState
  errorKind: string | null
  error: string | null
  attempts: number
  /** 'ok', 'mismatch', or null when not verified. */
  verification: string | null
  /** Who runs it now (pid@host), while running. */
  runner: string | null
  updatedAt: number
}

export interface MailboxOutcome extends MailboxFigures {
  state: Exclude<MailboxState, 'pending' | 'running'>
  errorKind?: string
  error?: string
  verification?: 'ok' | 'mismatch'
}

/** A mailbox that failed before anything was moved. */
export function failedOutcome(errorKind: string, error: string, ms = 0): MailboxOutcome {
  return { state: 'failed', errorKind, error, copied: 0, adopted: 0, failedMessages: 0, bytes: 0, ms, verified: 0 }
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS mailbox (
  key TEXT PRIMARY KEY,
  line INTEGER NOT NULL,
  source TEXT NOT NULL,
  target TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  error_kind TEXT,
  error TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  copied INTEGER NOT NULL DEFAULT 0,
  adopted INTEGER NOT NULL DEFAULT 0,
  failed_messages INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0,
  ms INTEGER NOT NULL DEFAULT 0,
  verified INTEGER NOT NULL DEFAULT 0,
  verification TEXT,
  runner TEXT,
  updated_at INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS batch (k TEXT PRIMARY KEY, v TEXT NOT NULL);
`

/** The ledger file of a batch file: in the state directory, named after the batch file. */
export function ledgerPathFor(stateDir: string, batchFile: string): string {
  const stem = basename(batchFile).replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9._-]/g, '_') || 'batch'
  return join(stateDir, `batch-${stem}.ledger.sqlite`)
}

export class Ledger {
  private readonly db: BetterSqlite3.Database

  private constructor(readonly file: string, db: BetterSqlite3.Database) {
    this.db = db
  }

  /** Opens (or creates, unless `mustExist`) the ledger at `file`. */
  static open(file: string, opts: { mustExist?: boolean; readOnly?: boolean } = {}): Ledger {
    if ((opts.mustExist || opts.readOnly) && !existsSync(file)) {
      throw new MailsyncError('usage', `no batch ledger ${file}`, { hint: 'name the ledger a `migrate --batch` run wrote (it says where), or the batch file it ran' })
    }
    try {
      if (!opts.readOnly) {
        makePrivateDir(dirname(file))
        ensurePrivateFile(file)
      }
      const db = new Database(file, opts.readOnly ? { readonly: true, fileMustExist: true } : {})
      db.pragma('busy_timeout = 5000')
      if (!opts.readOnly) {
        db.pragma('journal_mode = WAL')
        db.exec(SCHEMA)
      }
      return new Ledger(file, db)
    } catch (e) {
      if (e instanceof MailsyncError) throw e
      throw new MailsyncError('disk', `cannot open the batch ledger ${file}: ${(e as Error).message}`, { cause: e })
    }
  }

  /**
   * Records the batch's mailboxes: new ones as pending; known ones keep their state. The file is
   * the batch: a mailbox it no longer lists is dropped from the ledger (its status cache stays).
   */
  plan(rows: readonly { key: string; line: number; source: string; target: string }[], batchFile?: string): void {
    const insert = this.db.prepare(`INSERT INTO mailbox (key, line, source, target, updated_at) VALUES (@key, @line, @source, @target, @now)
      ON CONFLICT (key) DO UPDATE SET line = excluded.line`)
    const now = Date.now()
    const listed = new Set(rows.map((r) => r.key))
    const drop = this.db.prepare("DELETE FROM mailbox WHERE key = ? AND state != 'running'")
    this.db.transaction(() => {
      for (const e of this.entries()) if (!listed.has(e.key) && !isRowErrorKey(e.key)) drop.run(e.key)
      for (const r of rows) insert.run({ key: r.key, line: r.line, source: r.source, target: r.target, now })
      if (batchFile) this.db.prepare('INSERT INTO batch (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v').run('file', batchFile)
    })()
  }

  /** A row that could not be read: recorded as failed (config) under a key of its line, so the report and status show it. */
  rowError(line: number, message: string): void {
    const key = rowErrorKey(line)
    this.db.prepare(`INSERT INTO mailbox (key, line, source, target, state, error_kind, error, updated_at) VALUES (?, ?, '', '', 'failed', 'config', ?, ?)
      ON CONFLICT (key) DO UPDATE SET state = 'failed', error_kind = 'config', error = excluded.error, updated_at = excluded.updated_at`).run(key, line, message, Date.now())
  }

  /** Forgets line-keyed row errors (a re-run reads the file again and records what is still wrong). */
  clearRowErrors(): void {
    this.db.prepare("DELETE FROM mailbox WHERE key LIKE 'line %' AND source = ''").run()
  }

  start(key: string, runner: string): void {
    this.db.prepare("UPDATE mailbox SET state = 'running', attempts = attempts + 1, runner = ?, error_kind = NULL, error = NULL, updated_at = ? WHERE key = ?").run(runner, Date.now(), key)
  }

  finish(key: string, o: MailboxOutcome): void {
    this.db.prepare(`UPDATE mailbox SET state = @state, error_kind = @errorKind, error = @error, copied = copied + @copied, adopted = adopted + @adopted,
      failed_messages = @failedMessages, bytes = bytes + @bytes, ms = @ms, verified = @verified, verification = @verification, runner = NULL, updated_at = @now WHERE key = @key`)
      .run({ key, state: o.state, errorKind: o.errorKind ?? null, error: o.error ?? null, copied: o.copied, adopted: o.adopted, failedMessages: o.failedMessages, bytes: o.bytes, ms: o.ms, verified: o.verified, verification: o.verification ?? null, now: Date.now() })
  }

  /**
   * Mailboxes left `running` by a run that is gone (killed): back to needs-rerun, so the next run
   * takes them again. `alive` says whether a runner (pid@host) still runs.
   */
  recoverAbandoned(alive: (runner: string) => boolean): number {
    const stale = this.entries().filter((e) => e.state === 'running' && !(e.runner && alive(e.runner)))
    const mark = this.db.prepare("UPDATE mailbox SET state = 'needs-rerun', runner = NULL, error = 'the run that had it stopped before it finished', updated_at = ? WHERE key = ?")
    this.db.transaction(() => {
      for (const e of stale) mark.run(Date.now(), e.key)
    })()
    return stale.length
  }

  entries(): LedgerEntry[] {
    return (this.db.prepare('SELECT * FROM mailbox ORDER BY line, key').all() as Record<string, unknown>[]).map(fromSql)
  }

  get(key: string): LedgerEntry | undefined {
    const r = this.db.prepare('SELECT * FROM mailbox WHERE key = ?').get(key) as Record<string, unknown> | undefined
    return r ? fromSql(r) : undefined
  }

  batchFile(): string | undefined {
    return (this.db.prepare("SELECT v FROM batch WHERE k = 'file'").get() as { v: string } | undefined)?.v
  }

  close(): void {
    this.db.close()
  }
}

function fromSql(r: Record<string, unknown>): LedgerEntry {
  return {
    key: r.key as string, line: r.line as number, source: r.source as string, target: r.target as string,
    state: r.state as MailboxState, errorKind: r.error_kind as string | null, error: r.error as string | null,
    attempts: r.attempts as number, copied: r.copied as number, adopted: r.adopted as number,
    failedMessages: r.failed_messages as number, bytes: r.bytes as number, ms: r.ms as number,
    verified: r.verified as number, verification: r.verification as string | null,
    runner: r.runner as string | null, updatedAt: r.updated_at as number,
  }
}

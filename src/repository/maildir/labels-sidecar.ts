// A labels-keeping Maildir folder's labels (MaildirRepositoryOptions.labels): one sidecar file,
// `.mailsync-labels`, in the folder's directory beside cur/ new/ tmp/. Message files are never
// changed for labels (no X-Keywords header): the bytes are the sender's.
//
// The format (docs/gmail.md), one message a line, fields separated by a TAB:
//   UNIQUE <TAB> MESSAGE-ID <TAB> LABEL <TAB> LABEL ...
// UNIQUE is the file name's unique part (before the first comma, so before `:2,`): it stays the
// same when the flags in the name change. MESSAGE-ID (with angle brackets; empty when unknown) is
// there for notmuch and mutt users, who find messages by it. `#` starts a comment line.
//
// Writes are a journal: a change is a line appended at the end (later lines win; a line with no
// labels says the message has none), made durable before the status cache records it. When the
// session ends, the file is rewritten whole (temporary file, fsync, rename) with one line per
// message, so readers after a run see each message once. A line that cannot be read is warned
// about and written back as a comment (`#? ` and the line as it was): nothing in the file is lost,
// and a line cut short by a crash never turns into an entry.
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { MailsyncError } from '../../errors.js'
import { diskError, isMissing, writeFileAtomic } from './fs-safe.js'

export const LABELS_FILE = '.mailsync-labels'

/** How an unreadable line is written back: as a comment, its text after this. */
const KEPT = '#? '

const HEADER = '# mailsync labels: unique name, Message-ID, labels; TAB-separated, later lines win (docs/gmail.md)'

export interface LabelEntry {
  messageId?: string
  labels: string[]
}

export interface ParsedSidecar {
  entries: Map<string, LabelEntry>
  /** Lines that are no entry, verbatim, with why (1-based line numbers). */
  bad: { line: number; text: string; reason: string }[]
}

/** A label the sidecar can hold: not empty, no TAB or line break (its separators). */
export function checkLabels(labels: readonly string[], where: string): void {
  for (const l of labels) {
    if (l.length === 0 || /[\t\r\n]/.test(l)) {
      throw new MailsyncError('data', `${where}: label ${JSON.stringify(l)} cannot be kept in a Maildir (empty, or holds a TAB or line break)`)
    }
  }
}

export function parseSidecar(text: string): ParsedSidecar {
  const entries = new Map<string, LabelEntry>()
  const bad: ParsedSidecar['bad'] = []
  const lines = text.split('\n')
  // a file that ends with a newline has an empty last element, not a line; one that does not
  // ends in a line whose write was cut short (a crash): its labels may be cut too, so it gives none
  const cut = lines.pop() ?? ''
  if (cut !== '') lines.push(cut)
  lines.forEach((raw, i) => {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (text.startsWith(KEPT)) {
      bad.push({ line: i + 1, text: raw, reason: 'a line found unreadable before, kept as a comment' })
      return
    }
    if (text === '' || text.startsWith('#')) return
    if (cut !== '' && i === lines.length - 1) {
      bad.push({ line: i + 1, text: raw, reason: 'cut short (no line end: a write was interrupted)' })
      return
    }
    const fields = text.split('\t')
    const unique = fields[0]!
    const reason = fields.length < 2 ? 'no TAB after the unique name'
      : unique === '' ? 'empty unique name'
        : /[/,:]/.test(unique) ? `"${unique}" is no unique name (holds / , or :)`
          : fields.slice(2).some((l) => l === '') ? 'an empty label (two TABs in a row)'
            : undefined
    if (reason) {
      bad.push({ line: i + 1, text: raw, reason })
      return
    }
    const labels = [...new Set(fields.slice(2))].sort()
    const messageId = fields[1]!
    entries.set(unique, { ...(messageId ? { messageId } : {}), labels })
  })
  return { entries, bad }
}

function entryLine(unique: string, e: LabelEntry): string {
  // a Message-ID with a TAB or line break (it cannot have one) would break the line: left out
  const id = e.messageId && !/[\t\r\n]/.test(e.messageId) ? e.messageId : ''
  return [unique, id, ...e.labels].join('\t')
}

/** The whole file: a header, one line per message with labels (sorted by unique name), then the unreadable lines as they were. */
export function formatSidecar(entries: ReadonlyMap<string, LabelEntry>, bad: ParsedSidecar['bad']): string {
  const out = [HEADER]
  for (const unique of [...entries.keys()].sort()) {
    const e = entries.get(unique)!
    if (e.labels.length) out.push(entryLine(unique, e))
  }
  // kept as comments: a line cut short must not become whole (and read) once a newline follows it
  for (const b of bad) out.push(b.text.startsWith(KEPT) ? b.text : `${KEPT}${b.text}`)
  return `${out.join('\n')}\n`
}

/** One folder's sidecar, read once when the session first needs it. */
export class LabelsSidecar {
  readonly path: string
  private entries = new Map<string, LabelEntry>()
  private bad: ParsedSidecar['bad'] = []
  /** Lines appended but not yet fsynced, and whether the file changed since it was read (to be rewritten whole). */
  private pending: string[] = []
  private changed = false
  /**
   * The file ended in a line cut short when it was read: a line appended after it would give it
   * a line end and make it readable, so the first write rewrites the file whole instead.
   */
  private cutTail = false

  private constructor(readonly dir: string) {
    this.path = join(dir, LABELS_FILE)
  }

  static read(dir: string): LabelsSidecar {
    const s = new LabelsSidecar(dir)
    let text = ''
    try {
      text = readFileSync(s.path, 'utf8')
    } catch (e) {
      if (!isMissing(e)) throw diskError('read', s.path, e)
    }
    const parsed = parseSidecar(text)
    s.entries = parsed.entries
    s.bad = parsed.bad
    s.cutTail = text !== '' && !text.endsWith('\n')
    return s
  }

  /** What the file holds that is no entry: warnings for the run's report. */
  warnings(): string[] {
    return this.bad.map((b) => `${this.path} line ${b.line}: ${b.reason}; it gives no labels and is kept in the file (as a comment starting "#? ")`)
  }

  labels(unique: string): string[] {
    return this.entries.get(unique)?.labels ?? []
  }

  messageId(unique: string): string | undefined {
    return this.entries.get(unique)?.messageId
  }

  /** Records a message's labels (none: the message has none); durable after flush(). */
  set(unique: string, labels: readonly string[], messageId?: string): void {
    checkLabels(labels, this.path)
    const e: LabelEntry = { ...(messageId ? { messageId } : {}), labels: [...new Set(labels)].sort() }
    const before = this.entries.get(unique)
    if (before && same(before.labels, e.labels) && before.messageId === e.messageId) return
    if (!before && e.labels.length === 0) return
    this.entries.set(unique, e)
    this.pending.push(entryLine(unique, e))
  }

  /** The message is gone: its entry goes too. */
  delete(unique: string): void {
    if (!this.entries.has(unique)) return
    this.entries.delete(unique)
    this.pending.push(`${unique}\t`)
  }

  /** Appends the changes since the last flush to the file and fsyncs it. */
  async flush(): Promise<void> {
    if (!this.pending.length) return
    if (this.cutTail) {
      // after a crash: the whole file once, the cut line kept as a comment (never read as an entry)
      await writeFileAtomic(this.path, formatSidecar(this.entries, this.bad))
      this.cutTail = false
      this.pending = []
      this.changed = true
      return
    }
    let fd: number | undefined
    try {
      const fresh = !exists(this.path)
      fd = openSync(this.path, 'a', 0o600)
      const text = `${fresh ? `${HEADER}\n` : ''}${this.pending.join('\n')}\n`
      writeSync(fd, text)
      fsyncSync(fd)
    } catch (e) {
      throw diskError('write', this.path, e)
    } finally {
      if (fd !== undefined) closeSync(fd)
    }
    this.pending = []
    this.changed = true
  }

  /**
   * Rewrites the file whole (one line per message that has labels, the unreadable lines kept),
   * where it changed: `alive` tells which unique names still have a message file, so entries of
   * messages another program removed go. Stale temporary files of a rewrite that was cut short
   * are removed.
   */
  async compact(alive: (unique: string) => boolean): Promise<void> {
    await this.flush()
    if (!this.changed) return
    for (const [unique] of this.entries) if (!alive(unique)) this.entries.delete(unique)
    removeStaleTemps(this.dir)
    await writeFileAtomic(this.path, formatSidecar(this.entries, this.bad))
    this.changed = false
  }
}

/** Temporary files of writeFileAtomic for the sidecar (`.mailsync-labels.tmp-PID-HEX`): never read, left only by a crash. */
function removeStaleTemps(dir: string): void {
  for (const name of readdirSync(dir)) {
    if (name.startsWith(`.${LABELS_FILE}.tmp-`)) rmSync(join(dir, name), { force: true })
  }
}

function exists(path: string): boolean {
  try {
    statSync(path)
    return true
  } catch (e) {
    if (isMissing(e)) return false
    throw e
  }
}

function same(x: readonly string[], y: readonly string[]): boolean {
  return x.length === y.length && x.every((v, i) => v === y[i])
}

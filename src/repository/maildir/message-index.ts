// The UID bookkeeping of one open folder: UIDVALIDITY, next UID, keyword letters, and the
// uid -> current file index that rescan() rebuilds from cur/ and new/.
//
// UIDs are handed out from a block reserved in the state file ("next UID" on disk is the block's
// end), so a crash can waste UIDs but never hand one out twice. Files without a U= part (mail
// readers' deliveries, copies) get one on rescan: the state file is written first, then the
// file renamed. Of two files with one U=, the one the index already knew (else the older) keeps
// it and the other gets a fresh UID, unless it holds the same bytes: then it is the same message
// stored twice, and is passed over (with a warning). Files are matched by UID, so renames by other programs
// (flags changed, new/ -> cur/) keep their UIDs.
//
// In a read-only repository nothing is written: files without U= get UIDs in memory only, and
// the folder then reports a UIDVALIDITY of its own for this session (those UIDs would not
// survive to the next run, so they must not look comparable).
import { closeSync, openSync, readSync, statSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { MailsyncError } from '../../errors.js'
import { formatFileName, parseFileName } from './filename.js'
import { KeywordMap, readDovecotKeywords } from './keywords.js'
import { readMessageFiles, messageDirTimes, messagePath, mtimeSettled, type MessageFile, type PassedOverFile } from './message-files.js'
import { keepMbsyncMaxUid, readUidState, writeUidState, newUidValidity, type UidState } from './uid-state.js'
import { withFolderLock } from './state-lock.js'
import { fsyncDir, renameNoClobber, isMissing, diskError } from './fs-safe.js'

/**
 * UIDs reserved beyond the ones needed, so a run of appends writes the state file rarely: 32 at
 * first, twice as many each time a block runs out in one session, up to 1,024 (a 2,500-message
 * folder: 7 state-file writes instead of 76). A crash wastes at most one block of UIDs; close()
 * gives back the unused part.
 */
const RESERVE_FIRST = 32
const RESERVE_MAX = 1024

export class MessageIndex {
  readonly dir: string
  readonly keywords: KeywordMap
  private readonly writable: boolean
  /** The Maildir tree's top: symlinks that lead outside it are not messages (see message-files.ts). */
  private readonly treeRoot: string
  /** Entries of cur/ and new/ the last scan did not take as messages. */
  private passed: PassedOverFile[] = []
  private validity: number
  private next: number
  /** End of the reserved block as written in the state file (0: no state file written yet). */
  private ceiling: number
  /** Size of the next reserved block (grows while appends keep coming). */
  private reserveAhead = RESERVE_FIRST
  private files = new Map<number, MessageFile>()
  /** Read-only mode: UIDs given in memory, by the file's unique part (stable across renames). */
  private readonly memoryUids = new Map<string, number>()

  private constructor(dir: string, writable: boolean, state: UidState, keywords: KeywordMap, persisted: boolean, treeRoot: string) {
    this.dir = dir
    this.treeRoot = treeRoot
    this.writable = writable
    this.validity = state.uidValidity
    this.next = state.nextUid
    this.ceiling = persisted ? state.nextUid : 0
    this.keywords = keywords
  }

  static async open(dir: string, opts: { writable: boolean; configuredKeywords?: Record<string, string>; treeRoot?: string }): Promise<MessageIndex> {
    const found = readUidState(dir)
    const keywords = new KeywordMap(opts.configuredKeywords, found?.keywords ?? [])
    keywords.adopt(await readDovecotKeywords(dir))
    const state = found ?? { uidValidity: newUidValidity(), nextUid: 1, keywords: [] }
    const index = new MessageIndex(dir, opts.writable, state, keywords, found !== undefined, opts.treeRoot ?? dir)
    if (!found && opts.writable) await index.updateDisk(() => undefined)
    await index.rescan()
    return index
  }

  get uidValidity(): number {
    return this.validity
  }
  get uidNext(): number {
    return this.next
  }
  get size(): number {
    return this.files.size
  }
  /** What the last scan found in cur/ and new/ that is not a message (FIFOs, symlinks out of the tree). */
  get passedOver(): readonly PassedOverFile[] {
    return this.passed
  }
  get(uid: number): MessageFile | undefined {
    return this.files.get(uid)
  }
  /** Every indexed message, ascending UID. */
  entries(): [number, MessageFile][] {
    return [...this.files].sort(([a], [b]) => a - b)
  }
  set(uid: number, file: MessageFile): void {
    this.files.set(uid, file)
  }
  remove(uid: number): void {
    this.files.delete(uid)
  }
  path(file: MessageFile): string {
    return messagePath(this.dir, file)
  }

  private scanning: Promise<void> | undefined
  /** Scans so far: a session tells by it whether what it listed is still what the index holds. */
  scans = 0
  /** cur/ and new/ mtimes just before the last scan; undefined when that scan renamed files itself. */
  get scannedTimes(): { cur: bigint; new: bigint } | undefined {
    return this.scanned
  }
  /** mtimes of cur/ and new/ before the last scan, and when it began (ns); see refresh(). */
  private scanned: { cur: bigint; new: bigint; at: bigint } | undefined

  /**
   * rescan(), unless cur/ and new/ still have the mtimes they had before the last scan and those
   * are more than a second older than that scan (a change within the file system's timestamp
   * granularity of the scan could otherwise keep the same mtime).
   */
  async refresh(): Promise<void> {
    const seen = this.scanned
    if (seen && !this.scanning) {
      const now = dirTimesOrNone(this.dir)
      if (now && now.cur === seen.cur && now.new === seen.new && mtimeSettled(seen.cur, seen.at) && mtimeSettled(seen.new, seen.at)) return
    }
    return this.rescan()
  }

  /** Re-read cur/ and new/, numbering files that have no (or a duplicate) UID. */
  async rescan(): Promise<void> {
    // One scan at a time: callers that ask during a scan share it.
    this.scanning ??= this.scan().finally(() => (this.scanning = undefined))
    return this.scanning
  }

  private async scan(): Promise<void> {
    const at = BigInt(Date.now()) * 1_000_000n
    const times = dirTimesOrNone(this.dir)
    this.scanned = undefined
    const { files: found, passedOver } = await readMessageFiles(this.dir, this.treeRoot)
    const byUid = new Map<number, MessageFile[]>()
    const unnumbered: MessageFile[] = []
    for (const f of found) {
      const uid = f.parsed.uid ?? (this.writable ? undefined : this.memoryUids.get(f.parsed.unique))
      if (uid === undefined) unnumbered.push(f)
      else {
        const group = byUid.get(uid)
        if (group) group.push(f)
        else byUid.set(uid, [f])
      }
    }
    const files = new Map<number, MessageFile>()
    let maxUid = 0
    for (const [uid, group] of byUid) {
      const keeper = group.length === 1 ? group[0] : await this.pickKeeper(uid, group)
      files.set(uid, keeper)
      maxUid = Math.max(maxUid, uid)
      for (const f of group) {
        if (f === keeper) continue
        // The same bytes under the same U= are one message stored twice (a copy, a move that
        // linked the file and did not unlink it): a fresh UID would make it a new message,
        // copied to the other side a second time.
        if (sameBytes(messagePath(this.dir, keeper), messagePath(this.dir, f))) {
          passedOver.push({ subdir: f.subdir, name: f.name, uid, level: 'warning', reason: `the same message as ${keeper.subdir}/${keeper.name} (both carry U=${uid}): not synced twice; remove one of the two files` })
        } else unnumbered.push(f)
      }
    }
    // A UID on an entry passed over stays taken: the file may become a message again.
    for (const p of passedOver) if (p.uid !== undefined) maxUid = Math.max(maxUid, p.uid)
    unnumbered.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    const first = await this.reserve(unnumbered.length, maxUid + 1)
    const touched = new Set<string>()
    for (const [i, f] of unnumbered.entries()) {
      const uid = first + i
      if (!this.writable) {
        this.memoryUids.set(f.parsed.unique, uid)
        files.set(uid, f)
        continue
      }
      const name = formatFileName(f.parsed, { uid })
      if (await renameNoClobber(messagePath(this.dir, f), join(this.dir, f.subdir, name))) {
        files.set(uid, { subdir: f.subdir, name, parsed: parseFileName(name) })
        touched.add(f.subdir)
      }
    }
    for (const subdir of touched) await fsyncDir(join(this.dir, subdir))
    // Our own renames changed the mtimes: the next refresh() scans again, which is harmless.
    this.scanned = times && touched.size === 0 ? { ...times, at } : undefined
    // Only while opening: a session's UIDVALIDITY never changes under the caller.
    if (!this.writable && unnumbered.length > 0 && !this.opened) this.validity = newUidValidity()
    this.files = files
    this.passed = passedOver
    this.opened = true
    this.scans++
  }

  private opened = false

  /** Of files sharing one U=: the one already indexed, else the oldest (then the one in cur/, then by name). */
  private async pickKeeper(uid: number, group: MessageFile[]): Promise<MessageFile> {
    const known = this.files.get(uid)
    const same = known && group.find((f) => f.subdir === known.subdir && f.name === known.name)
    if (same) return same
    const withTime = await Promise.all(
      group.map(async (f) => {
        try {
          return { f, t: (await stat(messagePath(this.dir, f))).mtimeMs }
        } catch (e) {
          if (isMissing(e)) return { f, t: Infinity }
          throw diskError('stat', messagePath(this.dir, f), e)
        }
      }),
    )
    // the same time (one file under two names: a move new/ -> cur/ that linked and did not
    // unlink): the one in cur/, which has the flags the move gave it
    const inCur = (f: MessageFile) => (f.subdir === 'cur' ? 0 : 1)
    withTime.sort((a, b) => a.t - b.t || inCur(a.f) - inCur(b.f) || (a.f.name < b.f.name ? -1 : a.f.name > b.f.name ? 1 : 0))
    return withTime[0].f
  }

  /**
   * Hand out `count` consecutive UIDs, all >= `atLeast`; returns the first. The state file is
   * written (when the reserved block runs out) before the caller uses any of them.
   */
  async reserve(count: number, atLeast = 1): Promise<number> {
    if (this.next >= atLeast && this.next + count <= this.ceiling) {
      const first = this.next
      this.next += count
      return first
    }
    if (!this.writable) {
      const first = Math.max(this.next, atLeast)
      this.next = first + count
      return first
    }
    if (count === 0 && this.next >= atLeast) return this.next
    let first = 0
    await this.updateDisk(() => {
      first = Math.max(this.next, atLeast)
      this.next = first + count
      this.ceiling = this.next + (count > 0 ? this.reserveAhead : 0)
      if (count > 0) this.reserveAhead = Math.min(RESERVE_MAX, this.reserveAhead * 2)
    })
    return first
  }

  /** Letters for these keywords, assigning and persisting new ones first. */
  async ensureKeywords(flags: string[]): Promise<void> {
    const missing = flags.filter((f) => !f.startsWith('\\') && f.toLowerCase() !== '$forwarded' && this.keywords.letterFor(f) === undefined)
    if (missing.length === 0) return
    if (!this.writable) throw readOnlyError(this.dir)
    await this.updateDisk(() => {
      for (const k of missing) this.keywords.assign(k)
    })
  }

  /** Give back the unused part of the reserved block (so the next run's UIDs stay dense). */
  async release(): Promise<void> {
    if (!this.writable || this.ceiling <= this.next) return
    await withFolderLock(this.dir, async () => {
      const disk = readUidState(this.dir)
      if (!disk || disk.uidValidity !== this.validity || disk.nextUid !== this.ceiling) return
      this.ceiling = this.next
      await writeUidState(this.dir, this.snapshot())
    })
  }

  /** Read the state file, merge what other sessions wrote, apply `change`, write it back. */
  private async updateDisk(change: () => void): Promise<void> {
    await withFolderLock(this.dir, async () => {
      const disk = readUidState(this.dir)
      if (disk && this.ceiling > 0 && disk.uidValidity !== this.validity) {
        throw new MailsyncError('data', `UIDVALIDITY of Maildir folder ${this.dir} changed while it was open`, {
          hint: 'another program rewrote the folder state; run again',
        })
      }
      if (disk) {
        this.validity = disk.uidValidity
        // The file's next UID is our own reserved block's end, or another session took UIDs.
        if (disk.nextUid !== this.ceiling) this.next = Math.max(this.next, disk.nextUid)
        this.keywords.adopt(disk.keywords)
      }
      change()
      this.ceiling = Math.max(this.ceiling, this.next)
      await writeUidState(this.dir, this.snapshot())
      await keepMbsyncMaxUid(this.dir, this.ceiling - 1)
    })
  }

  private snapshot(): UidState {
    return { uidValidity: this.validity, nextUid: this.ceiling, keywords: this.keywords.ownEntries() }
  }
}

/** Whether two files hold the same bytes (the same file twice, by hard link, included); false when either cannot be read. */
function sameBytes(a: string, b: string): boolean {
  let fa: number | undefined
  let fb: number | undefined
  try {
    const sa = statSync(a)
    const sb = statSync(b)
    if (sa.dev === sb.dev && sa.ino === sb.ino) return true
    if (sa.size !== sb.size) return false
    fa = openSync(a, 'r')
    fb = openSync(b, 'r')
    const ba = Buffer.alloc(64 * 1024)
    const bb = Buffer.alloc(64 * 1024)
    for (;;) {
      const na = readSync(fa, ba, 0, ba.length, null)
      const nb = readSync(fb, bb, 0, bb.length, null)
      if (na !== nb || !ba.subarray(0, na).equals(bb.subarray(0, nb))) return false
      if (na === 0) return true
    }
  } catch {
    return false
  } finally {
    if (fa !== undefined) closeSync(fa)
    if (fb !== undefined) closeSync(fb)
  }
}

export function readOnlyError(what: string): MailsyncError {
  return new MailsyncError('usage', `${what} is read-only`, { hint: 'nothing was written' })
}

/** cur/ and new/ mtimes, or undefined when they cannot be read (a rescan then follows). */
function dirTimesOrNone(dir: string): { cur: bigint; new: bigint } | undefined {
  try {
    return messageDirTimes(dir)
  } catch {
    return undefined
  }
}

// One open Maildir folder (a FolderSession). Messages are found by UID through the MessageIndex;
// when an operation finds a file gone (another program renamed it), the folder is re-scanned
// once and the operation retried by UID.
import { open, unlink } from 'node:fs/promises'
import { accessSync, constants as fsConstants, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { pipeline, Readable } from 'node:stream'
import type { FileHandle } from 'node:fs/promises'
import type {
  AppendInput,
  AppendResult,
  FolderSession,
  FolderStatus,
  ListOptions,
  ListResult,
  MessageBody,
  MessageMeta,
  PassedOver,
  PriorPairs,
} from '../types.js'
import { readMbsyncPairs } from './mbsync-state.js'
import { readOfflineimapPairs } from './offlineimap-state.js'
import { MailsyncError } from '../../errors.js'
import { formatFileName, parseFileName } from './filename.js'
import { applyFlagChange, flagsToLetters, lettersToFlags } from './flags.js'
import { MessageIndex, readOnlyError } from './message-index.js'
import type { MessageFile, PassedOverFile } from './message-files.js'
import { readHeaderBlock, readMessageId } from './message-header.js'
import { toolHeaderSpan, withoutToolHeader } from './tool-headers.js'
import { messageIdFromHeader } from '../../mail/header.js'
import { abandonUnsynced, storeDelivery, syncFiles, writeDelivery, writeUnsyncedDelivery, type UnsyncedDelivery } from './delivery.js'
import { statePoint } from '../../crash-point.js'
import { folderTimes, holdsExactly, tokenDirTimes } from './change-token.js'
import { checkLabels, LabelsSidecar } from './labels-sidecar.js'
import { diskError, errnoCode, fsyncDir, isMissing, renameNoClobber } from './fs-safe.js'
import { type LineEndings, LineScan, hasCr, lfFormIfCrlf, lfToCrlf, lfToCrlfStream, servedLength, storedForm } from './line-endings.js'

/** Bodies below this size are returned as one Buffer, bigger ones as a file stream. */
export const STREAM_THRESHOLD = 1024 * 1024
/** Appends kept in tmp/ before a flush is forced (the engine flushes every 64). */
const MAX_UNSYNCED = 256
const STAT_BATCH = 32

/** The longest changeTokenNow waits for fresh mtimes to settle. */
const OWN_TOKEN_WAIT_MS = 100

export class MaildirFolder implements FolderSession {
  readonly name: string
  readonly readOnly: boolean
  private readonly index: MessageIndex
  private closed = false
  /** cur/ received files since its last fsync (append defers that to flush). */
  private curUnsynced = false
  /** Appends written into tmp/ but not yet synced and stored in cur/ (see flush). */
  private unsynced: { uid: number; tmpPath: string; name: string; fd: number }[] = []
  /** Message files this session could not read, by path (see passedOver). */
  private readonly unreadable = new Map<string, PassedOverFile>()

  private readonly lineEndings: LineEndings
  /** Where OfflineIMAP's state for this folder is, when it kept the tree. */
  private readonly prior: { offlineimapValidityDir: string; diskName: string } | undefined
  /** A labels-keeping folder's sidecar (labels-sidecar.ts), read when first needed; undefined: no labels kept. */
  private readonly keepsLabels: boolean
  private sidecarRead: LabelsSidecar | undefined
  /** Present where the repository keeps labels (the contract: exactly where Repository.labels is true). */
  readonly setLabels?: (uids: number[], add: string[], remove: string[]) => Promise<void>

  constructor(
    name: string, index: MessageIndex, readOnly: boolean, lineEndings: LineEndings = 'lf',
    prior?: { offlineimapValidityDir: string; diskName: string }, labels = false,
  ) {
    this.prior = prior
    this.name = name
    this.index = index
    this.readOnly = readOnly
    this.lineEndings = lineEndings
    this.keepsLabels = labels
    if (labels) this.setLabels = (uids, add, remove) => this.changeLabels(uids, add, remove)
  }

  /** The sidecar, read on first use (a folder whose labels are never asked for is not read). */
  private sidecar(): LabelsSidecar {
    this.sidecarRead ??= LabelsSidecar.read(this.index.dir)
    return this.sidecarRead
  }

  /** A message's labels: its sidecar entry, by the unique part of its file name. */
  private labelsOf(file: MessageFile): string[] {
    return this.sidecar().labels(file.parsed.unique)
  }

  /**
   * Labels live in the sidecar only: the message's file is not touched (not even renamed). The
   * Message-ID goes beside them, for notmuch and mutt; read from the header once per message.
   */
  private async changeLabels(uids: number[], add: string[], remove: string[]): Promise<void> {
    this.checkWritable()
    checkLabels(add, `Maildir folder ${this.name}`)
    await this.settle()
    const sidecar = this.sidecar()
    const drop = new Set(remove)
    for (const uid of new Set(uids)) {
      await this.withFile(uid, async (file, path) => {
        const unique = file.parsed.unique
        const now = new Set(sidecar.labels(unique).filter((l) => !drop.has(l)))
        for (const l of add) now.add(l)
        sidecar.set(unique, [...now], sidecar.messageId(unique) ?? (await readMessageId(path)))
      })
    }
    await sidecar.flush()
    statePoint('maildir-labels')
  }

  /** The index scan a full list() returned (see changeTokenNow). */
  private listedScan: number | undefined

  /**
   * The folder's change token now, when every change since the caller's view of it was this
   * session's own: that view (a full listing, or the records the start token vouched for) is the
   * index's last scan, cur/ and new/ hold exactly the files the index knows, and every mtime is
   * settled. Otherwise undefined. The first sync after a pull then takes this folder from the
   * status cache instead of listing it again.
   */
  async changeTokenNow(start: FolderStatus): Promise<string | undefined> {
    if (this.closed) return undefined
    await this.flush()
    // the state file as close() would leave it: unused reserved UIDs given back now, not after the token
    await this.index.release()
    // and the sidecar as close() leaves it (rewritten whole), so that the token is its last state
    await this.compactLabels()
    const scanned = this.index.scannedTimes
    if (!scanned) return undefined
    const fromStart = start.changeToken === undefined ? undefined : tokenDirTimes(start.changeToken)
    const viewIsScan = this.listedScan === this.index.scans ||
      (fromStart !== undefined && fromStart.cur === String(scanned.cur) && fromStart.new === String(scanned.new))
    if (!viewIsScan || this.index.passedOver.length > 0) return undefined
    const dir = this.index.dir
    try {
      let before = folderTimes(dir)
      // this run's own last writes are usually fresh: wait them out when that is quick (a file
      // system with sub-second stamps), so that they need not be listed again next time
      if (!before.token && before.settlesInMs <= OWN_TOKEN_WAIT_MS) {
        await new Promise((r) => setTimeout(r, before.settlesInMs + 1))
        before = folderTimes(dir)
      }
      if (!before.token) return undefined
      const names = new Set<string>()
      for (const [, f] of this.index.entries()) names.add(`${f.subdir}/${f.name}`)
      if (!holdsExactly(dir, names)) return undefined
      return folderTimes(dir).token === before.token ? before.token : undefined
    } catch {
      return undefined
    }
  }

  get status(): FolderStatus {
    return { uidValidity: this.index.uidValidity, uidNext: this.index.uidNext, messages: this.index.size + this.unsynced.length }
  }

  /** Maildir has no mod-sequences: `changedSince` is ignored and everything is listed. */
  async list(opts: ListOptions = {}): Promise<ListResult> {
    this.checkOpen()
    await this.settle()
    await this.index.refresh()
    if (opts.uids === undefined) this.listedScan = this.index.scans
    const wanted = uidFilter(opts.uids)
    const withMessageId = opts.withMessageId === true
    const messages: MessageMeta[] = []
    const toRead: number[] = []
    for (const [uid, file] of this.index.entries()) {
      if (!wanted(uid)) continue
      // A known message needs only its flags, which are in its file name.
      const k = withMessageId ? undefined : opts.known?.get(uid)
      if (k) {
        const m: MessageMeta = { uid, flags: lettersToFlags(file.parsed.flags, this.index.keywords), size: k.size, internalDate: k.internalDate }
        if (this.keepsLabels) m.labels = this.labelsOf(file)
        messages.push(m)
      } else toRead.push(uid)
    }
    for (let i = 0; i < toRead.length; i += STAT_BATCH) {
      const batch = await Promise.all(toRead.slice(i, i + STAT_BATCH).map((uid) => this.meta(uid, withMessageId)))
      for (const m of batch) if (m) messages.push(m)
    }
    if (opts.known) messages.sort((a, b) => a.uid - b.uid) // known ones first, then those read
    return { messages }
  }

  /**
   * A message's listing. Its size is the size it is served with (CRLF line endings): from the
   * name's W= where there is one, else from reading the file (another program's file, listed
   * once: later runs know its size from the status cache).
   */
  private async meta(uid: number, withMessageId: boolean): Promise<MessageMeta | undefined> {
    return this.readable(uid, () => this.withFile(uid, async (file, path) => {
      // Synchronous: microseconds on a cached directory, where a thread-pool hop per file made
      // listing a 10,000-message Maildir take most of a re-sync.
      const st = statSync(path)
      // A file whose size is in its name is not read here: whether it can be is asked instead
      // (one it cannot read must not be planned as a message to copy).
      if (file.parsed.servedSize !== undefined && !withMessageId) accessSync(path, fsConstants.R_OK)
      const meta: MessageMeta = {
        uid,
        flags: lettersToFlags(file.parsed.flags, this.index.keywords),
        size: file.parsed.servedSize ?? st.size,
        internalDate: Math.floor(st.mtimeMs),
      }
      let messageId: string | undefined
      if (file.parsed.servedSize === undefined) {
        if (st.size < STREAM_THRESHOLD) {
          const bytes = withoutToolHeader(readFileSync(path))
          meta.size = servedLength(bytes)
          if (withMessageId) messageId = messageIdFromHeader(bytes)
        } else {
          const scan = await scanFile(path)
          const form = scan.sawCr ? 'as-is' : 'lf'
          meta.size = scan.servedSize(form) - toolHeaderServedLength(await readHeaderBlock(path), form)
          if (withMessageId) messageId = await readMessageId(path)
        }
      } else if (withMessageId) messageId = await readMessageId(path)
      if (messageId !== undefined) meta.messageId = messageId
      if (this.keepsLabels) meta.labels = this.labelsOf(file)
      return meta
    }))
  }

  /**
   * `read()`, or undefined when the message's file cannot be read (no permission): the file is
   * then passed over with a warning instead of failing the folder.
   */
  private async readable<T>(uid: number, read: () => Promise<T | undefined>): Promise<T | undefined> {
    try {
      return await read()
    } catch (e) {
      const file = this.index.get(uid)
      if (!file || !isUnreadable(e)) throw e
      this.unreadable.set(this.index.path(file), { subdir: file.subdir, name: file.name, uid, level: 'warning', reason: 'cannot be read (permission denied): skipped' })
      return undefined
    }
  }

  /** The index's passed-over entries (with a UID only where no message has it) and the unreadable files. */
  passedOver(): PassedOver[] {
    const out: PassedOver[] = []
    const say = (p: PassedOverFile, uid: number | undefined): void => {
      out.push({ ...(uid !== undefined ? { uid } : {}), level: p.level, message: `Maildir file ${p.subdir}/${p.name}: ${p.reason}` })
    }
    for (const p of this.index.passedOver) say(p, p.uid !== undefined && !this.index.get(p.uid) ? p.uid : undefined)
    for (const p of this.unreadable.values()) say(p, p.uid)
    // a sidecar line that cannot be read gives no labels, and stays in the file as it was
    if (this.keepsLabels) for (const message of this.sidecar().warnings()) out.push({ level: 'warning', message })
    return out
  }

  async *fetch(uids: number[]): AsyncIterable<MessageBody> {
    this.checkOpen()
    await this.settle()
    for (const uid of [...new Set(uids)].sort((a, b) => a - b)) {
      const fh = await this.readable(uid, () => this.withFile(uid, (_file, path) => open(path, 'r')))
      if (!fh) continue
      let size: number
      try {
        size = (await fh.stat()).size
      } catch (e) {
        await fh.close()
        throw diskError('stat', `message ${uid} of ${this.name}`, e)
      }
      const served = this.index.get(uid)?.parsed.servedSize
      if (size < STREAM_THRESHOLD) {
        const read = await readAllAndClose(fh)
        const bytes = served === undefined ? withoutToolHeader(read) : read
        const content = storedForm(bytes.length, served, () => hasCr(bytes)) === 'lf' ? lfToCrlf(bytes) : bytes
        yield { uid, size: content.length, content }
        continue
      }
      // A large file: its served size must be exact before the first byte goes out.
      let form = served === undefined ? undefined : storedForm(size, served, () => true)
      let servedSize = served ?? size
      let skip: { start: number; end: number } | undefined
      if (form === undefined) {
        const found = await this.withFile(uid, async (_f, path) => ({ scan: await scanFile(path), head: await readHeaderBlock(path) }))
        if (!found) {
          await fh.close()
          continue
        }
        form = found.scan.sawCr ? 'as-is' : 'lf'
        skip = toolHeaderSpan(found.head)
        servedSize = found.scan.servedSize(form) - toolHeaderServedLength(found.head, form)
      }
      const file = skip ? Readable.from(fileRanges(fh, [[0, skip.start], [skip.end, Infinity]])) : fh.createReadStream({ start: 0 })
      // pipeline: a reader that gives up stops the file too, and a read error reaches the reader
      const content = form === 'lf' ? pipeline(file, lfToCrlfStream(), () => undefined) : file
      yield { uid, size: servedSize, content, sizeExact: true }
    }
  }

  /**
   * Stored in cur/ with a `:2,<flags>` info (as mbsync does; mail readers treat a cur/ file
   * without S as unread), mtime = internalDate. The UID is on disk before the file appears.
   * A message in memory is written into tmp/ now and reaches cur/ at the next flush(), after an
   * fsync shared with the other appends since the last one (any other call flushes first, so
   * callers see the same folder either way). A stream is synced and stored at once.
   */
  async append(msg: AppendInput): Promise<AppendResult> {
    this.checkWritable()
    // before any byte is written: a label the sidecar cannot hold fails this message alone
    if (this.keepsLabels && msg.labels) checkLabels(msg.labels, `Maildir folder ${this.name}`)
    await this.index.ensureKeywords(msg.flags)
    const { letters } = flagsToLetters(msg.flags, this.index.keywords)
    const when = Number.isFinite(msg.internalDate) ? new Date(msg.internalDate) : undefined
    const inMemory = Buffer.isBuffer(msg.content)
    const lf = this.lineEndings === 'lf'
    const delivery = inMemory
      ? writeUnsyncedDelivery(this.index.dir, storedBytes(msg.content as Buffer, lf), when)
      : await writeDelivery(this.index.dir, msg.content as Readable, when, { toLf: lf })
    statePoint('maildir-tmp-write')
    // W=: the size it is served with, which is what came in
    const servedSize = inMemory ? (msg.content as Buffer).length : delivery.bytes
    try {
      const uid = await this.index.reserve(1)
      const name = formatFileName(parseFileName(delivery.unique), { uid, flags: letters, servedSize })
      // the labels reach the sidecar file at the flush that stores the message (see flush)
      if (this.keepsLabels && msg.labels?.length) this.sidecar().set(parseFileName(name).unique, msg.labels, msg.messageId)
      if (inMemory) {
        this.unsynced.push({ uid, tmpPath: delivery.tmpPath, name, fd: (delivery as UnsyncedDelivery).fd })
        // Bounded: a caller that never flushes still has its files stored every so often.
        if (this.unsynced.length >= MAX_UNSYNCED) await this.flush()
        return { uid, uidValidity: this.index.uidValidity }
      }
      this.store(uid, delivery.tmpPath, name)
      return { uid, uidValidity: this.index.uidValidity }
    } catch (e) {
      if (inMemory) abandonUnsynced(delivery as UnsyncedDelivery)
      await unlink(delivery.tmpPath).catch(() => undefined)
      throw diskError('store', delivery.tmpPath, e)
    }
  }

  /** Renames a synced file from tmp/ into cur/ under its final name and indexes it. */
  private store(uid: number, tmpPath: string, name: string): void {
    if (!storeDelivery(tmpPath, `${this.index.dir}/cur/${name}`)) {
      throw new MailsyncError('disk', `message file ${tmpPath} vanished before it was stored`)
    }
    this.curUnsynced = true
    this.index.set(uid, { subdir: 'cur', name, parsed: parseFileName(name) })
    statePoint('maildir-rename')
  }

  /** Renames within cur/; a file still in new/ moves to cur/ (it has been seen by a client now). */
  async setFlags(uids: number[], add: string[], remove: string[]): Promise<void> {
    this.checkWritable()
    await this.settle()
    await this.index.ensureKeywords(add)
    const touched = new Set<string>()
    for (const uid of new Set(uids)) {
      await this.withFile(uid, async (file, path) => {
        const { letters } = applyFlagChange(file.parsed.flags, add, remove, this.index.keywords)
        const name = formatFileName(file.parsed, { flags: letters })
        if (file.subdir === 'cur' && name === file.name) return
        const target = join(this.index.dir, 'cur', name)
        if (!(await renameNoClobber(path, target))) throw Object.assign(new Error('gone'), { code: 'ENOENT' })
        statePoint('maildir-flags-rename')
        touched.add('cur').add(file.subdir)
        this.index.set(uid, { subdir: 'cur', name, parsed: parseFileName(name) })
      })
    }
    await syncSubdirs(this.index.dir, touched)
  }

  async delete(uids: number[]): Promise<void> {
    this.checkWritable()
    await this.settle()
    const touched = new Set<string>()
    for (const uid of new Set(uids)) {
      await this.withFile(uid, async (file, path) => {
        await unlink(path)
        statePoint('maildir-delete')
        touched.add(file.subdir)
        this.index.remove(uid)
        if (this.keepsLabels) this.sidecar().delete(file.parsed.unique)
      })
    }
    await syncSubdirs(this.index.dir, touched)
    await this.sidecarRead?.flush()
  }

  /** Reads every message's header, as list() does (in parallel batches, not one file at a time). */
  async searchMessageId(messageId: string): Promise<number[]> {
    const want = messageId.trim()
    const { messages } = await this.list({ withMessageId: true })
    return messages.filter((m) => m.messageId === want).map((m) => m.uid)
  }

  /** mbsync's pairs for this folder (see mbsync-state.ts), else OfflineIMAP's (offlineimap-state.ts). */
  priorPairs(): PriorPairs | undefined {
    const mbsync = readMbsyncPairs(this.index.dir)
    if (mbsync || !this.prior) return mbsync
    return readOfflineimapPairs(this.prior.offlineimapValidityDir, this.prior.diskName, this.index.entries())
  }

  /**
   * Makes the appends so far durable and visible: their files in tmp/ are fsynced (together),
   * renamed into cur/, and cur/ is fsynced once for all of them. If the fsync fails, those files
   * are removed and the error thrown: nothing half-written ever reaches cur/.
   */
  async flush(): Promise<void> {
    const batch = this.unsynced
    // The labels of the messages about to be stored first: durable before the message is, so the
    // status cache never records a copy (with its label base) whose labels the folder lacks. A
    // label line whose message did not make it is dropped when the sidecar is compacted.
    await this.sidecarRead?.flush()
    if (batch.length) {
      this.unsynced = []
      try {
        await syncFiles(batch)
        for (const p of batch) this.store(p.uid, p.tmpPath, p.name)
      } catch (e) {
        for (const p of batch) if (!this.index.get(p.uid)) await unlink(p.tmpPath).catch(() => undefined)
        throw diskError('store', join(this.index.dir, 'tmp'), e)
      }
    }
    if (!this.curUnsynced) return
    const cur = join(this.index.dir, 'cur')
    try {
      await fsyncDir(cur)
    } catch (e) {
      throw diskError('sync', cur, e)
    }
    this.curUnsynced = false
    statePoint('maildir-flush')
  }

  /** The sidecar rewritten whole, without entries whose message file is gone (labels-sidecar.ts). */
  private async compactLabels(): Promise<void> {
    if (!this.sidecarRead || this.readOnly) return
    const alive = new Set<string>()
    for (const [, f] of this.index.entries()) alive.add(f.parsed.unique)
    // a file passed over (not served as a message) is still there: its labels stay with it
    for (const p of this.index.passedOver) alive.add(parseFileName(p.name).unique)
    await this.sidecarRead.compact((u) => alive.has(u))
  }

  /** Appends waiting in tmp/ for flush(): every other operation stores them first. */
  private async settle(): Promise<void> {
    if (this.unsynced.length) await this.flush()
  }

  async close(): Promise<void> {
    if (this.closed) return
    try {
      await this.flush()
      await this.compactLabels()
    } finally {
      this.closed = true
      await this.index.release()
    }
  }

  /**
   * Runs `fn` on the message's current file. If the file is gone (another program renamed it),
   * re-scans and retries by UID; returns undefined when the UID no longer exists. A UID the
   * index does not know is gone: every UID a caller has comes from list() or append().
   */
  private async withFile<T>(uid: number, fn: (file: MessageFile, path: string) => Promise<T>): Promise<T | undefined> {
    for (let attempt = 0; attempt < 4; attempt++) {
      const file = this.index.get(uid)
      if (!file) return undefined
      try {
        return await fn(file, this.index.path(file))
      } catch (e) {
        if (!isMissing(e)) throw diskError('use', `message ${uid} of ${this.name}`, e)
        if (this.index.get(uid) === file) await this.index.rescan()
      }
    }
    return undefined
  }

  private checkOpen(): void {
    if (this.closed) throw new MailsyncError('internal', `Maildir folder ${this.name} is closed`)
  }

  private checkWritable(): void {
    this.checkOpen()
    if (this.readOnly) throw readOnlyError(`Maildir folder ${this.name}`)
  }
}

/** fsync the folder's subdirectories a rename or unlink changed. */
async function syncSubdirs(dir: string, subdirs: Iterable<string>): Promise<void> {
  for (const subdir of subdirs) {
    const path = join(dir, subdir)
    await fsyncDir(path).catch((e) => {
      throw diskError('sync', path, e)
    })
  }
}

/** A file we may not read (its mode, or a read-only bind mount's permissions), possibly as the cause of a disk error. */
function isUnreadable(e: unknown): boolean {
  for (let x: unknown = e, depth = 0; x instanceof Error && depth < 4; depth++, x = x.cause) {
    const code = errnoCode(x)
    if (code === 'EACCES' || code === 'EPERM') return true
  }
  return false
}

function uidFilter(uids: ListOptions['uids']): (uid: number) => boolean {
  if (uids === undefined) return () => true
  if (Array.isArray(uids)) {
    const set = new Set(uids)
    return (uid) => set.has(uid)
  }
  return (uid) => uid >= uids.from
}

/**
 * What a message in memory is stored as: LF where it round-trips (see line-endings.ts). The LF form
 * is valid until the next call: it is written out at once.
 */
function storedBytes(content: Buffer, lf: boolean): Buffer {
  return (lf && lfFormIfCrlf(content)) || content
}

/** What mbsync's X-TUID line (in `head`) would add to the served size of its file. */
function toolHeaderServedLength(head: Buffer, form: 'lf' | 'as-is'): number {
  const span = toolHeaderSpan(head)
  if (!span) return 0
  return span.end - span.start + (form === 'lf' ? 1 : 0)
}

/** The bytes of these [start, end) ranges of a file, in order; the file is closed at the end. */
async function* fileRanges(fh: FileHandle, ranges: [number, number][]): AsyncGenerator<Buffer> {
  try {
    for (const [start, end] of ranges) {
      if (end <= start) continue
      const opts = end === Infinity ? { start, autoClose: false } : { start, end: end - 1, autoClose: false }
      for await (const chunk of fh.createReadStream(opts)) yield chunk as Buffer
    }
  } finally {
    await fh.close()
  }
}

/** Reads a (large) file through, counting what decides its form and served size. */
async function scanFile(path: string): Promise<LineScan> {
  const scan = new LineScan()
  const fh = await open(path, 'r')
  try {
    for await (const chunk of fh.createReadStream({ start: 0, autoClose: false })) scan.update(chunk as Buffer)
  } finally {
    await fh.close()
  }
  return scan
}

async function readAllAndClose(fh: FileHandle): Promise<Buffer> {
  try {
    return await fh.readFile()
  } finally {
    await fh.close()
  }
}

// Writing a new message file into tmp/: exactly the given bytes (nothing added; a stream may be
// stored with LF line endings, see line-endings.ts), fsynced before it is renamed into cur/ (a
// stream: here; a message in memory: by the caller, with syncFiles for many at once). On any
// error the tmp/ files are removed and nothing else was touched.
import { open, unlink } from 'node:fs/promises'
import { closeSync, constants, fsync, futimesSync, lstatSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { diskError, isMissing, makeDirs, makeDirsSync } from './fs-safe.js'
import { MailsyncError } from '../../errors.js'
import { CrlfWatch, crlfToLf } from './line-endings.js'

let sequence = 0

/** Characters with a meaning in Maildir names, escaped in the host part as the spec says. */
function safeHostname(): string {
  return hostname().replace(/[/:,!;\\]/g, (c) => '\\' + c.charCodeAt(0).toString(8).padStart(3, '0'))
}

/** The host part, computed once per second at most (hostname() is a system call). */
let hostCache = { at: -1, name: '' }
function cachedHostname(now: number): string {
  const second = Math.floor(now / 1000)
  if (hostCache.at !== second) hostCache = { at: second, name: safeHostname() }
  return hostCache.name
}

/** 4 random bytes as hex, from a pool refilled 1,024 names at a time (one call per name cost more than the rest of the name). */
let randomPool = Buffer.alloc(0)
let randomAt = 0
function randomHex4(): string {
  if (randomAt + 4 > randomPool.length) {
    randomPool = randomBytes(4096)
    randomAt = 0
  }
  randomAt += 4
  return randomPool.toString('hex', randomAt - 4, randomAt)
}

/** A unique delivery name: `<seconds>.M<micros>P<pid>Q<n>R<random>.<host>`. */
export function uniqueName(now = Date.now()): string {
  const seconds = Math.floor(now / 1000)
  const micros = (now % 1000) * 1000 + Math.floor(Math.random() * 1000)
  return `${seconds}.M${micros}P${process.pid}Q${++sequence}R${randomHex4()}.${cachedHostname(now)}`
}

const OWN_NAME = /^[0-9]+\.M[0-9]+P([0-9]+)Q[0-9]+R[0-9a-f]{8}\.(.+)$/

/**
 * The process that wrote a tmp/ file, when its name is one uniqueName() made on this host
 * (undefined for any other name: another program's, or ours from another host).
 */
export function ownDeliveryWriter(name: string): number | undefined {
  const m = OWN_NAME.exec(name)
  if (!m || m[2] !== cachedHostname(Date.now())) return undefined
  const pid = Number(m[1])
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined
}

export interface Delivery {
  unique: string
  tmpPath: string
  /** Bytes that came in (the message as it is served). */
  bytes: number
}

/**
 * A streamed message into tmp/, with `mtime` set on the file (messages in memory:
 * writeUnsyncedDelivery). With `toLf`, a message that turns out to be a CRLF message once it has
 * all come in is then rewritten with LF line endings (a second file, from the page cache: a
 * stream cannot be judged before its end, and a message that is not one must be kept as it came).
 */
export async function writeDelivery(folderDir: string, content: Readable, mtime?: Date, opts: { toLf?: boolean } = {}): Promise<Delivery> {
  const tmpDir = join(folderDir, 'tmp')
  await makeDirs(tmpDir).catch((e) => {
    throw diskError('create', tmpDir, e)
  })
  const unique = uniqueName()
  const watch = opts.toLf ? new CrlfWatch() : undefined
  const first = await writeTmpFile(join(tmpDir, unique), content, (buf) => {
    watch?.update(buf)
    return buf
  }, mtime)
  if (!watch?.crlfMessage) return { unique, tmpPath: first.path, bytes: first.bytes }
  const converted = join(tmpDir, uniqueName())
  try {
    const fh = await open(first.path, 'r')
    try {
      await writeTmpFile(converted, fh.createReadStream({ start: 0, autoClose: false }), crlfToLf, mtime)
    } finally {
      await fh.close()
    }
  } finally {
    await unlink(first.path).catch(() => undefined)
  }
  return { unique, tmpPath: converted, bytes: first.bytes }
}

/** A new file of `content`'s chunks passed through `map`, fsynced; removed again on any error. */
async function writeTmpFile(tmpPath: string, content: AsyncIterable<unknown>, map: (chunk: Buffer) => Buffer, mtime?: Date): Promise<{ path: string; bytes: number }> {
  let fh
  try {
    fh = await open(tmpPath, 'wx', 0o600)
  } catch (e) {
    throw diskError('create', tmpPath, e)
  }
  let bytes = 0
  // True while our own write runs: an error then is the disk's, otherwise the source's.
  let writing = false
  try {
    for await (const chunk of content) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : (chunk as Buffer)
      bytes += buf.length
      const out = map(buf)
      writing = true
      let off = 0
      while (off < out.length) {
        const { bytesWritten } = await fh.write(out, off, out.length - off)
        off += bytesWritten
      }
      writing = false
    }
    writing = true
    if (mtime) await fh.utimes(mtime, mtime)
    await fh.sync()
    await fh.close()
    fh = undefined
    return { path: tmpPath, bytes }
  } catch (e) {
    await fh?.close().catch(() => undefined)
    await unlink(tmpPath).catch(() => undefined)
    throw writing ? diskError('write', tmpPath, e) : e
  }
}

const NEW_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL

/** tmp/ directories known to exist, so a run of deliveries does not mkdir before each one. */
const knownTmpDirs = new Set<string>()

/** A delivery in tmp/ not yet on disk: its file is still open (fd, or -1), for syncFiles() to fsync and close. */
export interface UnsyncedDelivery extends Delivery {
  fd: number
}

/** Files kept open between write and fsync, process-wide; beyond this many they are closed and opened again to sync. */
const MAX_OPEN_UNSYNCED = 256
let openUnsynced = 0

/**
 * A message already in memory, written into tmp/ with `mtime` set on the file, by synchronous
 * calls and NOT yet on disk: the caller makes it durable with syncFiles() (for many messages at
 * once) before it renames it into cur/. The file stays open until then: opening it again to
 * fsync it was 10,000 more open and close calls in a 10,000-message pull. A write handed to the
 * thread pool cost more than the write itself (waking a pool thread, on a machine whose cores are
 * busy with the server): ~0.45 s of a 10,000-message pull. The file system calls here take
 * microseconds each (page cache).
 */
export function writeUnsyncedDelivery(folderDir: string, content: Buffer, mtime?: Date): UnsyncedDelivery {
  // plain concatenation: folderDir is a normalised path and the names hold no '/', so join()'s
  // normalising (two new strings per message, and more) would give the same
  const tmpDir = `${folderDir}/tmp`
  const unique = uniqueName()
  const tmpPath = `${tmpDir}/${unique}`
  let fd: number | undefined
  try {
    fd = openNew(tmpDir, tmpPath)
    let off = 0
    while (off < content.length) off += writeSync(fd, content, off, content.length - off)
    if (mtime) futimesSync(fd, mtime, mtime)
    if (openUnsynced >= MAX_OPEN_UNSYNCED) {
      closeSync(fd)
      return { unique, tmpPath, bytes: content.length, fd: -1 }
    }
    openUnsynced++
    return { unique, tmpPath, bytes: content.length, fd }
  } catch (e) {
    if (fd !== undefined) try { closeSync(fd) } catch { /* already failing */ }
    try { unlinkSync(tmpPath) } catch { /* never created */ }
    throw e instanceof MailsyncError ? e : diskError('write', tmpPath, e)
  }
}

/** Closes an unsynced delivery's file without syncing it (the caller is giving the file up). */
export function abandonUnsynced(d: { fd: number }): void {
  if (d.fd < 0) return
  closeUnsynced(d.fd)
  d.fd = -1
}

function closeUnsynced(fd: number): void {
  openUnsynced--
  try { closeSync(fd) } catch { /* the fsync's result (or the failure being handled) is what counts */ }
}

/**
 * fsync and close every file, all requests handed to the thread pool at once (its threads wake
 * once for the lot, not once per file) and run in parallel (the file system can commit them
 * together). Every file is closed, also when one fails. Plain callbacks, not a promise per file:
 * this runs for every message stored.
 */
export function syncFiles(files: readonly { fd: number; tmpPath: string }[]): Promise<void> {
  return new Promise((resolve, reject) => {
    let left = files.length
    let failed: unknown
    if (left === 0) return resolve()
    const done = (err?: unknown) => {
      if (err !== undefined && failed === undefined) failed = err
      if (--left === 0) {
        if (failed === undefined) resolve()
        else reject(failed)
      }
    }
    for (const f of files) {
      const { tmpPath } = f
      let fd = f.fd
      f.fd = -1
      if (fd < 0) {
        try {
          fd = openSync(tmpPath, constants.O_RDONLY)
          openUnsynced++
        } catch (e) {
          done(diskError('open', tmpPath, e))
          continue
        }
      }
      fsync(fd, (e) => {
        closeUnsynced(fd)
        done(e ? diskError('sync', tmpPath, e) : undefined)
      })
    }
  })
}

function openNew(tmpDir: string, tmpPath: string): number {
  if (!knownTmpDirs.has(tmpDir)) {
    try {
      makeDirsSync(tmpDir)
    } catch (e) {
      throw diskError('create', tmpDir, e)
    }
    knownTmpDirs.add(tmpDir)
  }
  try {
    return openSync(tmpPath, NEW_FILE, 0o600)
  } catch (e) {
    // tmp/ removed behind our back: create it again once.
    if (!isMissing(e)) throw diskError('create', tmpPath, e)
    knownTmpDirs.delete(tmpDir)
    try {
      makeDirsSync(tmpDir)
      const fd = openSync(tmpPath, NEW_FILE, 0o600)
      knownTmpDirs.add(tmpDir)
      return fd
    } catch (e2) {
      throw diskError('create', tmpPath, e2)
    }
  }
}

/**
 * Moves a finished delivery to `target` without replacing an existing file (false when the tmp
 * file is gone). Synchronous calls only; the caller fsyncs the target directory before it counts
 * the message as stored (MaildirFolder.flush, once for a whole group of appends).
 */
export function storeDelivery(tmpPath: string, target: string): boolean {
  let existing
  try {
    // no exception for the usual answer (none there): building one cost more than the call
    existing = lstatSync(target, { throwIfNoEntry: false })
  } catch (e) {
    if (!isMissing(e)) throw diskError('check', target, e)
  }
  if (existing) throw new MailsyncError('disk', `cannot rename ${tmpPath}: ${target} already exists`)
  try {
    renameSync(tmpPath, target)
  } catch (e) {
    if (isMissing(e)) return false
    throw diskError('rename', tmpPath, e)
  }
  return true
}

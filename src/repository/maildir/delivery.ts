// Writing a new message file into tmp/: exactly the given bytes (no line-ending conversion,
// nothing added), fsynced. On any error the tmp/ file is removed and nothing else was touched.
import { open, unlink, mkdir } from 'node:fs/promises'
import { closeSync, constants, futimesSync, lstatSync, mkdirSync, openSync, renameSync, unlinkSync, write } from 'node:fs'
import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { diskError, isMissing } from './fs-safe.js'
import { MailsyncError } from '../../errors.js'

/** One write(2) on the thread pool: the copy into the page cache runs beside the JavaScript. */
function writeFd(fd: number, buf: Buffer, offset: number, length: number): Promise<number> {
  return new Promise((resolve, reject) => write(fd, buf, offset, length, null, (err, n) => (err ? reject(err) : resolve(n))))
}

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

export interface Delivery {
  unique: string
  tmpPath: string
  bytes: number
}

/** A streamed message into tmp/, with `mtime` set on the file (messages in memory: writeBufferDelivery). */
export async function writeDelivery(folderDir: string, content: Readable, mtime?: Date): Promise<Delivery> {
  const tmpDir = join(folderDir, 'tmp')
  await mkdir(tmpDir, { recursive: true }).catch((e) => {
    throw diskError('create', tmpDir, e)
  })
  const unique = uniqueName()
  const tmpPath = join(tmpDir, unique)
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
      writing = true
      const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : (chunk as Buffer)
      let off = 0
      while (off < buf.length) {
        const { bytesWritten } = await fh.write(buf, off, buf.length - off)
        off += bytesWritten
      }
      bytes += buf.length
      writing = false
    }
    writing = true
    if (mtime) await fh.utimes(mtime, mtime)
    await fh.sync()
    await fh.close()
    fh = undefined
    return { unique, tmpPath, bytes }
  } catch (e) {
    await fh?.close().catch(() => undefined)
    await unlink(tmpPath).catch(() => undefined)
    throw writing ? diskError('write', tmpPath, e) : e
  }
}

const NEW_SYNCED_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_SYNC

/** tmp/ directories known to exist, so a run of deliveries does not mkdir before each one. */
const knownTmpDirs = new Set<string>()

/**
 * writeDelivery for a message already in memory, with `mtime` set on the file: the same steps,
 * but open/utimes/close are synchronous calls (microseconds each) and only the (O_SYNC) write
 * goes to the thread pool, so writing a message costs one thread hop instead of six. Small messages dominate mailboxes; this is what makes a 10,000-message pull fast.
 */
export async function writeBufferDelivery(folderDir: string, content: Buffer, mtime?: Date): Promise<Delivery> {
  const tmpDir = join(folderDir, 'tmp')
  const unique = uniqueName()
  const tmpPath = join(tmpDir, unique)
  let fd: number | undefined
  try {
    // O_SYNC: each write returns once the bytes are on disk, as write + fsync would, in one hop.
    fd = openNew(tmpDir, tmpPath)
    let off = 0
    while (off < content.length) off += await writeFd(fd, content, off, content.length - off)
    if (mtime) futimesSync(fd, mtime, mtime)
    closeSync(fd)
    fd = undefined
    return { unique, tmpPath, bytes: content.length }
  } catch (e) {
    if (fd !== undefined) try { closeSync(fd) } catch { /* already failing */ }
    try { unlinkSync(tmpPath) } catch { /* never created */ }
    throw e instanceof MailsyncError ? e : diskError('write', tmpPath, e)
  }
}

function openNew(tmpDir: string, tmpPath: string): number {
  if (!knownTmpDirs.has(tmpDir)) {
    try {
      mkdirSync(tmpDir, { recursive: true })
    } catch (e) {
      throw diskError('create', tmpDir, e)
    }
    knownTmpDirs.add(tmpDir)
  }
  try {
    return openSync(tmpPath, NEW_SYNCED_FILE, 0o600)
  } catch (e) {
    // tmp/ removed behind our back: create it again once.
    if (!isMissing(e)) throw diskError('create', tmpPath, e)
    knownTmpDirs.delete(tmpDir)
    try {
      mkdirSync(tmpDir, { recursive: true })
      const fd = openSync(tmpPath, NEW_SYNCED_FILE, 0o600)
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
  try {
    lstatSync(target)
    throw new MailsyncError('disk', `cannot rename ${tmpPath}: ${target} already exists`)
  } catch (e) {
    if (e instanceof MailsyncError) throw e
    if (!isMissing(e)) throw diskError('check', target, e)
  }
  try {
    renameSync(tmpPath, target)
  } catch (e) {
    if (isMissing(e)) return false
    throw diskError('rename', tmpPath, e)
  }
  return true
}

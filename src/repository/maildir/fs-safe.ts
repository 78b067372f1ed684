// Small file-system steps done the crash-safe way, and errno errors turned into errors a user
// can act on.
import { open, rename, lstat, unlink, mkdir } from 'node:fs/promises'
import { mkdirSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { dirname, basename, join } from 'node:path'
import { MailsyncError } from '../../errors.js'

export function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined
}

export function isMissing(e: unknown): boolean {
  const c = errnoCode(e)
  return c === 'ENOENT' || c === 'ENOTDIR'
}

/** What an errno code means, in the words `strerror` uses, for the codes a user can act on. */
const ERRNO_WORDS: Record<string, { words: string; hint: string }> = {
  ENOSPC: { words: 'no space left on device', hint: 'free some disk space and run again' },
  EDQUOT: { words: 'disk quota exceeded', hint: 'free some space within your quota and run again' },
  EROFS: { words: 'read-only file system', hint: 'the Maildir is on a file system mounted read-only: remount it read-write and run again' },
  EACCES: { words: 'permission denied', hint: 'check the permissions of the Maildir' },
  EPERM: { words: 'operation not permitted', hint: 'check the permissions of the Maildir' },
  EIO: { words: 'input/output error', hint: 'the disk may be failing: check it (dmesg) before running again' },
}

/** A MailsyncError of kind 'disk' for a failed file operation (other errors pass through). */
export function diskError(what: string, path: string, e: unknown): Error {
  if (e instanceof MailsyncError) return e
  const code = errnoCode(e)
  if (code === undefined) return e instanceof Error ? e : new Error(String(e))
  const known = ERRNO_WORDS[code]
  const reason = known ? `${known.words} (${code})` : code
  return new MailsyncError('disk', `cannot ${what} ${path}: ${reason}`, { hint: known?.hint, cause: e })
}

/**
 * mkdir -p. Node's recursive mkdir reports ENOENT whenever a level cannot be made, whatever the
 * reason (a read-only file system, no permission): then each level is made in turn, so the error
 * thrown is the real one.
 */
export async function makeDirs(dir: string, mode = 0o700): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode })
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT') throw e
    const parent = dirname(dir)
    if (parent !== dir) await makeDirs(parent, mode)
    await mkdir(dir, { mode }).catch((e2) => {
      if (errnoCode(e2) !== 'EEXIST') throw e2
    })
  }
}

/** makeDirs, by synchronous calls. */
export function makeDirsSync(dir: string, mode = 0o700): void {
  try {
    mkdirSync(dir, { recursive: true, mode })
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT') throw e
    const parent = dirname(dir)
    if (parent !== dir) makeDirsSync(parent, mode)
    try {
      mkdirSync(dir, { mode })
    } catch (e2) {
      if (errnoCode(e2) !== 'EEXIST') throw e2
    }
  }
}

/** fsync a directory so a rename or new file in it survives a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r')
  try {
    await fh.sync()
  } catch (e) {
    // Some file systems refuse fsync on directories; the data itself was synced already.
    if (errnoCode(e) !== 'EINVAL' && errnoCode(e) !== 'EISDIR') throw e
  } finally {
    await fh.close()
  }
}

/** Replace `path` with `content` atomically: write a temp file, fsync, rename, fsync the dir. */
export async function writeFileAtomic(path: string, content: string | Buffer): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`)
  try {
    const fh = await open(tmp, 'wx', 0o600)
    try {
      await fh.writeFile(content)
      await fh.sync()
    } finally {
      await fh.close()
    }
    await rename(tmp, path)
    await fsyncDir(dirname(path))
  } catch (e) {
    await unlink(tmp).catch(() => undefined)
    throw diskError('write', path, e)
  }
}

/**
 * rename(2) that refuses to replace an existing file (rename would silently destroy it).
 * Returns false when `from` no longer exists (another program moved it first).
 */
export async function renameNoClobber(from: string, to: string): Promise<boolean> {
  if (from === to) return true
  try {
    await lstat(to)
    throw new MailsyncError('disk', `cannot rename ${from}: ${to} already exists`)
  } catch (e) {
    if (!isMissing(e)) throw diskError('check', to, e)
  }
  try {
    await rename(from, to)
    return true
  } catch (e) {
    if (isMissing(e)) return false
    throw diskError('rename', from, e)
  }
}

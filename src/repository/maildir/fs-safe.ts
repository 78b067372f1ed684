// Small file-system steps done the crash-safe way, and errno errors turned into errors a user
// can act on.
import { open, rename, lstat, unlink } from 'node:fs/promises'
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

/** A MailsyncError of kind 'disk' for a failed file operation (other errors pass through). */
export function diskError(what: string, path: string, e: unknown): Error {
  if (e instanceof MailsyncError) return e
  const code = errnoCode(e)
  if (code === undefined) return e instanceof Error ? e : new Error(String(e))
  const hint =
    code === 'ENOSPC' || code === 'EDQUOT'
      ? 'free some disk space and run again'
      : code === 'EACCES' || code === 'EPERM'
        ? 'check the permissions of the Maildir'
        : undefined
  return new MailsyncError('disk', `cannot ${what} ${path}: ${code}`, { hint, cause: e })
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

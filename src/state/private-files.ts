// Files that hold account state are private to the user: directories we create are 0700 and
// files 0600, whatever the umask says.
import { randomBytes } from 'node:crypto'
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { MailsyncError } from '../errors.js'

export function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined
}

/** A MailsyncError of kind 'disk' for a failed file operation (MailsyncErrors pass through). */
export function stateDiskError(what: string, path: string, e: unknown): MailsyncError {
  if (e instanceof MailsyncError) return e
  const code = errnoCode(e) ?? (e instanceof Error ? e.message : String(e))
  const hint =
    code === 'ENOSPC' || code === 'EDQUOT'
      ? 'free some disk space and run again'
      : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
        ? `check the permissions of ${dirname(path)} (or choose another state directory)`
        : undefined
  return new MailsyncError('disk', `cannot ${what} ${path}: ${code}`, { hint, cause: e })
}

/** mkdir -p; every directory this call creates gets mode 0700 (existing ones are left alone). */
export function makePrivateDir(dir: string): void {
  const abs = resolve(dir)
  try {
    const first = mkdirSync(abs, { recursive: true, mode: 0o700 })
    if (first === undefined) {
      if (!statSync(abs).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' })
      return
    }
    // mkdir's mode is masked by the umask: set it explicitly on each directory we made.
    for (let d = abs; ; d = dirname(d)) {
      chmodSync(d, 0o700)
      if (d === first || dirname(d) === d) break
    }
  } catch (e) {
    throw stateDiskError('create directory', abs, e)
  }
}

/** Create `file` if missing (mode 0600) and make sure an existing one is 0600 too. */
export function ensurePrivateFile(file: string): void {
  try {
    closeSync(openSync(file, 'a', 0o600))
    if ((statSync(file).mode & 0o777) !== 0o600) chmodSync(file, 0o600)
  } catch (e) {
    throw stateDiskError('create', file, e)
  }
}

/**
 * Replaces `file` with `content` in one rename: a private (0600) temporary file beside it, written
 * and fsynced first, so a reader sees the old content or the new one, never a part (its
 * directory is made private when missing, and fsynced after the rename where the file system can).
 * `what` names the content in an error ("write the refresh token to").
 */
export function replacePrivateFile(file: string, content: string, what: string): void {
  makePrivateDir(dirname(file))
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  let fd: number | undefined
  try {
    fd = openSync(tmp, 'wx', 0o600)
    writeSync(fd, content)
    fsyncSync(fd)
    closeSync(fd)
    fd = undefined
    renameSync(tmp, file)
  } catch (e) {
    if (fd !== undefined) closeSync(fd)
    rmSync(tmp, { force: true })
    throw stateDiskError(what, file, e)
  }
  try {
    const dirFd = openSync(dirname(file), 'r')
    try {
      fsyncSync(dirFd)
    } finally {
      closeSync(dirFd)
    }
  } catch (e) {
    // the rename is done; a directory that cannot be fsynced (some file systems) is no reason to fail
    if (errnoCode(e) !== 'EINVAL' && errnoCode(e) !== 'EISDIR') throw stateDiskError('sync', dirname(file), e)
  }
}

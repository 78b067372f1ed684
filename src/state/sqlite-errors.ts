// SQLite failures a user can act on (full disk, unreadable or corrupt file) become MailsyncErrors;
// anything else (a constraint broken by our own code) stays a bug.
import { MailsyncError } from '../errors.js'
import { errnoCode } from './private-files.js'

/** A status database SQLite found damaged (or not a database): no folder can be trusted to it. */
export function isStatusDbDamage(e: unknown): boolean {
  for (let x: unknown = e, depth = 0; x instanceof Error && depth < 4; depth++, x = x.cause) {
    const code = errnoCode(x)
    if (code === 'SQLITE_NOTADB' || code?.startsWith('SQLITE_CORRUPT')) return true
  }
  return false
}

export function statusDbError(file: string, e: unknown): unknown {
  if (e instanceof MailsyncError) return e
  const code = errnoCode(e)
  if (code === undefined || !code.startsWith('SQLITE_')) return e
  const opts = { cause: e }
  if (code === 'SQLITE_FULL') {
    return new MailsyncError('disk', `status database ${file}: disk full`, { ...opts, hint: 'free some disk space and run again' })
  }
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new MailsyncError('data', `status database ${file} is damaged or not a mailsync status database (${code})`, {
      ...opts,
      hint: 'move the file aside; the next run rebuilds the status by matching messages on both sides',
    })
  }
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY')) {
    return new MailsyncError('disk', `status database ${file}: cannot read or write (${code})`, {
      ...opts,
      hint: 'check the permissions and free space of the state directory',
    })
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new MailsyncError('usage', `status database ${file} is in use by another program (${code})`, {
      ...opts,
      hint: 'wait for the other mailsync run to finish',
    })
  }
  return e
}

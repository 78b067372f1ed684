// Where an account's status database and run lock live.
import os from 'node:os'
import { createHash } from 'node:crypto'
import { isAbsolute, join } from 'node:path'
import { MailsyncError } from '../errors.js'

/** $XDG_STATE_HOME/mailsync, or ~/.local/state/mailsync (a relative XDG_STATE_HOME is ignored, as the spec says). */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
  const xdg = env.XDG_STATE_HOME
  if (xdg && isAbsolute(xdg)) return join(xdg, 'mailsync')
  return join(home, '.local', 'state', 'mailsync')
}

const READABLE_MAX = 80

/**
 * A file-name stem for an account: the name itself when it is plain (lower-case ASCII letters,
 * digits, `_`, `-`, `.` not leading), otherwise a readable lower-case version plus `+` and a hash
 * of the exact name. Plain names never contain `+`, so distinct names always give distinct stems,
 * also on case-insensitive file systems, and no stem can climb out of its directory.
 */
export function accountFileStem(accountName: string): string {
  if (accountName.length === 0) throw new MailsyncError('usage', 'an account name must not be empty')
  if (/^[a-z0-9_-][a-z0-9._-]*$/.test(accountName) && accountName.length <= READABLE_MAX) return accountName
  const readable = accountName
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, '_')
    .replace(/^\./, '_')
    .slice(0, READABLE_MAX)
  const hash = createHash('sha256').update(accountName, 'utf8').digest('hex').slice(0, 12)
  return `${readable}+${hash}`
}

/** The status database file of an account inside a state directory. */
export function statusDbPath(dir: string, accountName: string): string {
  return join(dir, `${accountFileStem(accountName)}.sqlite`)
}

/** The run lock file of an account inside a state directory. */
export function runLockPath(dir: string, accountName: string): string {
  return join(dir, `${accountFileStem(accountName)}.lock`)
}

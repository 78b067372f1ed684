// A Maildir folder's change token: the mtimes of cur/ and new/ and of the UID state file (and the
// state file's inode). Equal tokens mean nothing was added, removed or renamed in between, as
// long as each mtime was settled when the token was taken (see settleWindowNs): it is withheld
// otherwise.
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { messageDirTimes, msUntilSettled } from './message-files.js'
import { uidStatePath } from './uid-state.js'

export interface FolderTimes {
  cur: bigint
  new: bigint
  /** The token, when every mtime is settled. */
  token?: string
  /** Otherwise: how long (ms) until they all are. */
  settlesInMs: number
}

export function folderTimes(dir: string): FolderTimes {
  const dirs = messageDirTimes(dir)
  const st = statSync(uidStatePath(dir), { bigint: true })
  const nowNs = BigInt(Date.now()) * 1_000_000n
  const settlesInMs = msUntilSettled([dirs.cur, dirs.new, st.mtimeNs], nowNs)
  return { ...dirs, settlesInMs, ...(settlesInMs === 0 ? { token: `${dirs.cur}:${dirs.new}:${st.mtimeNs}:${st.ino}` } : {}) }
}

/** The cur/ and new/ mtimes a token was made of. */
export function tokenDirTimes(token: string): { cur: string; new: string } | undefined {
  const [cur, nw] = token.split(':')
  return cur && nw ? { cur, new: nw } : undefined
}

/** Whether cur/ and new/ hold exactly `names` ("cur/NAME", "new/NAME"; dot files aside). */
export function holdsExactly(dir: string, names: ReadonlySet<string>): boolean {
  let n = 0
  for (const sub of ['cur', 'new']) {
    for (const name of readdirSync(join(dir, sub))) {
      if (name.startsWith('.')) continue
      if (!names.has(`${sub}/${name}`)) return false
      n++
    }
  }
  return n === names.size
}

// A Maildir folder's change token: the mtimes of cur/ and new/ and of the UID state file (and the
// state file's inode), and, where the folder has one, of its labels sidecar (a relabel changes no
// file name). Equal tokens mean nothing was added, removed or renamed in between, as
// long as each mtime was settled when the token was taken (see settleWindowNs): it is withheld
// otherwise.
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { messageDirTimes, msUntilSettled } from './message-files.js'
import { uidStatePath } from './uid-state.js'
import { LABELS_FILE } from './labels-sidecar.js'
import { isMissing } from './fs-safe.js'

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
  const labels = labelsTimes(dir)
  const nowNs = BigInt(Date.now()) * 1_000_000n
  const settlesInMs = msUntilSettled(labels ? [dirs.cur, dirs.new, st.mtimeNs, labels.mtimeNs] : [dirs.cur, dirs.new, st.mtimeNs], nowNs)
  // the sidecar's part only where there is one: the tokens of folders without labels stay as they were
  const tail = labels ? `:L${labels.mtimeNs}.${labels.ino}.${labels.size}` : ''
  return { ...dirs, settlesInMs, ...(settlesInMs === 0 ? { token: `${dirs.cur}:${dirs.new}:${st.mtimeNs}:${st.ino}${tail}` } : {}) }
}

function labelsTimes(dir: string): { mtimeNs: bigint; ino: bigint; size: bigint } | undefined {
  try {
    const st = statSync(join(dir, LABELS_FILE), { bigint: true })
    return { mtimeNs: st.mtimeNs, ino: st.ino, size: st.size }
  } catch (e) {
    if (isMissing(e)) return undefined
    throw e
  }
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

// Files left in a folder's tmp/ by deliveries that never finished: a run killed (SIGKILL, power
// cut) while it wrote, or before it renamed its files into cur/. Nothing ever reads them, so
// without this they pile up. Removed when a folder is opened for writing:
//  - any file older than 36 hours (the Maildir rule: no delivery takes that long);
//  - a file of ours (named by delivery.ts's uniqueName on this host) whose writing process no
//    longer runs. While the process runs (this one, or another mailsync run on this Maildir,
//    e.g. of another account) its files are left alone.
// Another program's fresh tmp/ file is never touched. Best effort: a file that cannot be
// looked at or removed stays, and the run goes on.
import { lstatSync, readdirSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { ownDeliveryWriter } from './delivery.js'
import { errnoCode } from './fs-safe.js'

export const TMP_MAX_AGE_MS = 36 * 60 * 60 * 1000

/** Removes the stale files in `<folderDir>/tmp`; returns the names removed. */
export function removeStaleTmpFiles(folderDir: string, now = Date.now()): string[] {
  const dir = join(folderDir, 'tmp')
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return []
  }
  const removed: string[] = []
  for (const name of names) {
    const path = join(dir, name)
    try {
      const st = lstatSync(path)
      if (!st.isFile()) continue
      const pid = ownDeliveryWriter(name)
      const stale = now - st.mtimeMs > TMP_MAX_AGE_MS || (pid !== undefined && !processRuns(pid))
      if (!stale) continue
      unlinkSync(path)
      removed.push(name)
    } catch {
      // gone meanwhile, or not ours to remove: leave it
    }
  }
  return removed
}

/** Whether a process with this pid runs on this host (one we may not signal runs too). */
function processRuns(pid: number): boolean {
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return errnoCode(e) !== 'ESRCH'
  }
}

// The message files of one folder: what readdir finds in cur/ and new/ (tmp/ holds deliveries in
// progress and is never listed). Hidden files are not messages. An entry that is not a regular
// file (a FIFO, whose open would wait forever; a socket, a device, a directory) is passed over,
// and so is a symlink unless it leads to a regular file inside the Maildir tree: a symlink to
// outside it could hand any file of the user (~/.ssh/id_rsa) to a server as a message.
import { realpathSync, statSync, type Dirent } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join, sep } from 'node:path'
import { parseFileName, type MaildirFileName } from './filename.js'
import { diskError, errnoCode, isMissing } from './fs-safe.js'

export type MessageSubdir = 'cur' | 'new'

export interface MessageFile {
  subdir: MessageSubdir
  name: string
  parsed: MaildirFileName
}

/** An entry of cur/ or new/ that is not taken as a message, and why. */
export interface PassedOverFile {
  subdir: MessageSubdir
  name: string
  /** The U= of its name, if any. */
  uid?: number
  /** error: a message the user may expect to be synced is not (a symlink to outside the tree). */
  level: 'warning' | 'error'
  reason: string
}

export function messagePath(folderDir: string, f: { subdir: MessageSubdir; name: string }): string {
  return join(folderDir, f.subdir, f.name)
}

/** The folder's message files, and the entries passed over; `treeRoot`: where symlinks may lead (default the folder). */
export async function readMessageFiles(folderDir: string, treeRoot = folderDir): Promise<{ files: MessageFile[]; passedOver: PassedOverFile[] }> {
  const files: MessageFile[] = []
  const passedOver: PassedOverFile[] = []
  let realRoot: string | undefined
  for (const subdir of ['cur', 'new'] as const) {
    const dir = join(folderDir, subdir)
    let entries
    try {
      entries = await readdir(dir, { withFileTypes: true })
    } catch (e) {
      if (isMissing(e)) continue
      throw diskError('read directory', dir, e)
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue
      const parsed = parseFileName(e.name)
      if (e.isFile()) {
        files.push({ subdir, name: e.name, parsed })
        continue
      }
      const pass = (level: PassedOverFile['level'], reason: string): void => {
        passedOver.push({ subdir, name: e.name, ...(parsed.uid !== undefined ? { uid: parsed.uid } : {}), level, reason })
      }
      if (!e.isSymbolicLink()) {
        pass('warning', `${entryKind(e)}, not a message file: skipped`)
        continue
      }
      let target: string
      try {
        target = realpathSync(join(dir, e.name))
      } catch (err) {
        pass('warning', isMissing(err) ? 'a symlink whose target does not exist: skipped' : `a symlink that cannot be followed (${errnoCode(err) ?? err}): skipped`)
        continue
      }
      try {
        realRoot ??= realpathSync(treeRoot)
      } catch (err) {
        throw diskError('resolve', treeRoot, err)
      }
      if (!target.startsWith(realRoot + sep)) {
        pass('error', `a symlink to ${target}, outside the Maildir ${realRoot}: not synced (copy the message into the folder instead)`)
        continue
      }
      let st
      try {
        st = statSync(target)
      } catch (err) {
        pass('warning', `a symlink whose target cannot be read (${errnoCode(err) ?? err}): skipped`)
        continue
      }
      if (!st.isFile()) pass('warning', `a symlink to ${st.isFIFO() ? 'a FIFO (named pipe)' : st.isDirectory() ? 'a directory' : 'something that is not a regular file'}, not a message file: skipped`)
      else files.push({ subdir, name: e.name, parsed })
    }
  }
  return { files, passedOver }
}

function entryKind(e: Dirent): string {
  if (e.isFIFO()) return 'a FIFO (named pipe)'
  if (e.isSocket()) return 'a socket'
  if (e.isCharacterDevice() || e.isBlockDevice()) return 'a device'
  if (e.isDirectory()) return 'a directory'
  return 'not a regular file'
}

/**
 * A directory's mtime tells whether it changed only when it is older than a settle window at the
 * moment it is compared: file system timestamps are coarse, so a change made in the same instant
 * as the look could leave the same mtime behind. An mtime on a whole second comes from a file
 * system that keeps whole (or two) seconds, or happens to fall on one: then the window is
 * MTIME_SETTLE_NS. Any other mtime comes from a file system with sub-second stamps, whose clock
 * ticks at least every 10 ms (a kernel jiffy): then FINE_MTIME_SETTLE_NS, several ticks, is enough.
 */
export const MTIME_SETTLE_NS = 2_000_000_000n
export const FINE_MTIME_SETTLE_NS = 50_000_000n

/** The settle window for this mtime (ns): see MTIME_SETTLE_NS. */
export function settleWindowNs(mtimeNs: bigint): bigint {
  return mtimeNs % 1_000_000_000n === 0n ? MTIME_SETTLE_NS : FINE_MTIME_SETTLE_NS
}

/** Whether an mtime (ns) is settled at the moment `atNs`: see MTIME_SETTLE_NS. */
export function mtimeSettled(mtimeNs: bigint, atNs: bigint): boolean {
  return atNs - mtimeNs >= settleWindowNs(mtimeNs)
}

/** How long (ms, rounded up) until every one of `mtimesNs` is settled, counted from `atNs`. */
export function msUntilSettled(mtimesNs: readonly bigint[], atNs: bigint): number {
  let wait = 0n
  for (const t of mtimesNs) {
    const left = t + settleWindowNs(t) - atNs
    if (left > wait) wait = left
  }
  return Number((wait + 999_999n) / 1_000_000n)
}

/** The mtimes (ns) of a folder's cur/ and new/, by two synchronous stat calls (cheaper than two thread-pool round trips). */
export function messageDirTimes(folderDir: string): { cur: bigint; new: bigint } {
  return { cur: statSync(join(folderDir, 'cur'), { bigint: true }).mtimeNs, new: statSync(join(folderDir, 'new'), { bigint: true }).mtimeNs }
}

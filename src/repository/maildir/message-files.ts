// The message files of one folder: what readdir finds in cur/ and new/ (tmp/ holds deliveries in
// progress and is never listed). Hidden files are not messages.
import { statSync } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { parseFileName, type MaildirFileName } from './filename.js'
import { diskError, isMissing } from './fs-safe.js'

export type MessageSubdir = 'cur' | 'new'

export interface MessageFile {
  subdir: MessageSubdir
  name: string
  parsed: MaildirFileName
}

export function messagePath(folderDir: string, f: { subdir: MessageSubdir; name: string }): string {
  return join(folderDir, f.subdir, f.name)
}

export async function readMessageFiles(folderDir: string): Promise<MessageFile[]> {
  const out: MessageFile[] = []
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
      if (!e.isFile() && !e.isSymbolicLink()) continue
      out.push({ subdir, name: e.name, parsed: parseFileName(e.name) })
    }
  }
  return out
}

/**
 * A directory's mtime tells whether it changed only when it is older than this at the moment it
 * is compared: file system timestamps are coarse, so a change made in the same instant as the
 * look could leave the same mtime behind.
 */
export const MTIME_SETTLE_NS = 1_000_000_000n

/** Whether an mtime (ns) is settled at the moment `atNs`: see MTIME_SETTLE_NS. */
export function mtimeSettled(mtimeNs: bigint, atNs: bigint): boolean {
  return atNs - mtimeNs >= MTIME_SETTLE_NS
}

/** The mtimes (ns) of a folder's cur/ and new/, by two synchronous stat calls (cheaper than two thread-pool round trips). */
export function messageDirTimes(folderDir: string): { cur: bigint; new: bigint } {
  return { cur: statSync(join(folderDir, 'cur'), { bigint: true }).mtimeNs, new: statSync(join(folderDir, 'new'), { bigint: true }).mtimeNs }
}

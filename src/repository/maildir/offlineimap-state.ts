// OfflineIMAP's state over a Maildir it kept. Its file names carry `,U=<uid>` (the far side's UID
// of the message) and `,FMD5=<md5 of the folder's name>` (so a file moved to another folder is
// seen as new there); the far side's UIDVALIDITY that those UIDs belong to is in its metadata
// directory, `Repository-<remote repository>/FolderValidity/<folder, '/' as '.'>`. Read, never
// written: a folder taking over from OfflineIMAP pairs its messages from here instead of by content.
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { PriorPairs } from '../types.js'
import type { MessageFile } from './message-files.js'

/**
 * The directory holding OfflineIMAP's record of the remote repository's UIDVALIDITYs: the first of
 * the candidate metadata directories that has one. OfflineIMAP names it after the repository's
 * section name, which a switcher's config keeps.
 */
export function offlineimapValidityDir(metadataDirs: string[], remoteRepository: string): string | undefined {
  for (const dir of metadataDirs) {
    const d = join(dir, `Repository-${remoteRepository}`, 'FolderValidity')
    if (existsSync(d)) return d
  }
  return undefined
}

/**
 * The pairs OfflineIMAP recorded in a folder's file names: a file whose FMD5 is this folder's and
 * whose U= is the UID the index gave it pairs with that UID on the far side. `diskName`: the
 * folder's path below the Maildir root, as OfflineIMAP named it (its md5 is the FMD5).
 */
export function readOfflineimapPairs(validityDir: string, diskName: string, files: Iterable<[number, MessageFile]>): PriorPairs | undefined {
  const m = /^(\d+)\s*$/m.exec(readOrNone(join(validityDir, diskName.replaceAll('/', '.'))) ?? '')
  if (!m) return undefined
  const mark = `FMD5=${createHash('md5').update(diskName, 'utf8').digest('hex')}`
  const pairs: PriorPairs['pairs'] = []
  for (const [uid, f] of files) {
    if (f.parsed.uid === uid && f.parsed.parts.includes(mark)) pairs.push({ otherUid: uid, uid })
  }
  return pairs.length ? { tool: 'offlineimap', otherUidValidity: Number(m[1]), pairs } : undefined
}

function readOrNone(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

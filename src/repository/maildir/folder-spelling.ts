// How a folder's name is spelled on disk. The repository shows UTF-8 names (as IMAP does once
// decoded); on disk a directory may spell a name in UTF-8 or in IMAP's modified UTF-7, the
// spelling OfflineIMAP (utf8foldernames = no), mbsync 1.4 and Dovecot use. A folder that exists is
// always found under the spelling it has; a new one gets the tree's spelling. Two directories
// that spell one name (a decoded twin beside an encoded folder) are refused, never merged.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { MailsyncError } from '../../errors.js'
import { decodeMutf7, encodeMutf7 } from '../../mail/mutf7.js'
import { type FolderTree, folderNameParts, isInboxName, isNestedTree } from './folder-paths.js'

/** What new folders are spelled in: modified UTF-7 (OfflineIMAP's and mbsync's default) or UTF-8. */
export type NameSpelling = 'mutf7' | 'utf8'

/** The UTF-8 name a directory entry (one unit of a folder's path) stands for. */
export function decodeDiskName(entry: string): string {
  return decodeMutf7(entry) ?? entry
}

export function spell(text: string, spelling: NameSpelling): string {
  return spelling === 'mutf7' ? encodeMutf7(text) : text
}

export interface SpelledFolder {
  dir: string
  /** The path below the root as spelled on disk (levels joined with "/"). */
  disk: string
}

/**
 * The folder's directory: each unit of its path (a level of a nested tree, the whole name
 * otherwise) under the spelling found on disk, else under `spelling`.
 */
export function spelledFolderDir(tree: FolderTree, name: string, spelling: NameSpelling): SpelledFolder {
  const parts = folderNameParts(tree, name)
  if (tree.layout === 'maildir++') {
    if (isInboxName(name)) return { dir: tree.root, disk: '' }
    const entry = pickSpelling(tree.root, parts, (p) => '.' + p.join('.'), spelling, name)
    return { dir: join(tree.root, entry), disk: entry }
  }
  if (!isNestedTree(tree)) {
    const entry = pickSpelling(tree.root, [name], (p) => p[0]!, spelling, name)
    return { dir: join(tree.root, entry), disk: entry }
  }
  let dir = tree.root
  const disk: string[] = []
  for (const level of parts) {
    const entry = pickSpelling(dir, [level], (p) => p[0]!, spelling, name)
    disk.push(entry)
    dir = join(dir, entry)
  }
  return { dir, disk: disk.join('/') }
}

function pickSpelling(parent: string, parts: string[], join1: (p: string[]) => string, spelling: NameSpelling, name: string): string {
  const utf8 = join1(parts)
  const mutf7 = join1(parts.map(encodeMutf7))
  if (utf8 === mutf7) return utf8
  const hasUtf8 = existsSync(join(parent, utf8))
  const hasMutf7 = existsSync(join(parent, mutf7))
  if (hasUtf8 && hasMutf7) {
    throw new MailsyncError('data', `folder "${name}" is on disk twice, as "${utf8}" and as "${mutf7}" (its modified UTF-7 spelling) in ${parent}`, {
      hint: `move the messages of one directory into the other and remove the empty one; nothing in either was touched`,
    })
  }
  if (hasUtf8) return utf8
  if (hasMutf7) return mutf7
  return spelling === 'mutf7' ? mutf7 : utf8
}

/** Which spelling a tree's existing folders use, from their on-disk paths; undefined when they do not tell. */
export function spellingInUse(diskPaths: Iterable<string>): NameSpelling | undefined {
  let utf8 = false
  for (const path of diskPaths) {
    for (const unit of path.split('/')) {
      if (decodeDiskName(unit) !== unit) return 'mutf7'
      if (/[^\x20-\x7e]/.test(unit)) utf8 = true
    }
  }
  return utf8 ? 'utf8' : undefined
}

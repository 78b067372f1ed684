// Walks a Maildir tree and names its folders. A directory is a folder when it has cur/ and new/
// (tmp/ is made on the first write: git and some copy tools drop empty directories). Parents of
// folders that are not folders themselves are listed as non-selectable, as IMAP lists them.
import { statSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { FolderInfo } from '../types.js'
import { type FolderTree, isNestedTree, maildirPlusPlusName } from './folder-paths.js'
import { decodeDiskName } from './folder-spelling.js'
import { diskError, isMissing } from './fs-safe.js'

// Synchronous stat calls: a tree of 40 folders took 80 thread-pool round trips, ~25 ms here,
// where the same calls made directly take under 1 ms.
function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch (e) {
    if (isMissing(e)) return false
    throw diskError('stat', path, e)
  }
}

export function isMaildirDir(dir: string): boolean {
  return isDir(join(dir, 'cur')) && isDir(join(dir, 'new'))
}

async function subdirs(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true })
    const out: string[] = []
    for (const e of entries) {
      if (e.isDirectory() || (e.isSymbolicLink() && isDir(join(dir, e.name)))) out.push(e.name)
    }
    return out
  } catch (e) {
    if (isMissing(e)) return []
    throw diskError('read directory', dir, e)
  }
}

const MAILDIR_SUBDIRS = new Set(['cur', 'new', 'tmp'])

/** A folder directory found on disk: its UTF-8 name, and its path below the root as spelled there. */
export interface FoundFolder {
  name: string
  disk: string
}

/**
 * Folders found under the tree's root (selectable ones only), unsorted. Names spelled in modified
 * UTF-7 on disk are shown decoded (see folder-spelling.ts).
 */
export async function findFolders(tree: FolderTree): Promise<FoundFolder[]> {
  const found: FoundFolder[] = []
  if (tree.layout === 'maildir++') {
    if (isMaildirDir(tree.root)) found.push({ name: 'INBOX', disk: '' })
    for (const entry of await subdirs(tree.root)) {
      const name = maildirPlusPlusName(tree, entry)
      if (name !== undefined && isMaildirDir(join(tree.root, entry))) found.push({ name: name.split(tree.sep).map(decodeDiskName).join(tree.sep), disk: entry })
    }
    return found
  }
  if (!isNestedTree(tree)) {
    for (const entry of await subdirs(tree.root)) {
      if (entry.startsWith('.')) continue
      if (entry.split(tree.sep).includes('')) continue
      if (isMaildirDir(join(tree.root, entry))) found.push({ name: decodeDiskName(entry), disk: entry })
    }
    return found
  }
  // Nested: walk real directories (symlinks are followed one level, never recursed into).
  const walk = async (dir: string, prefix: string[], depth: number): Promise<void> => {
    if (depth > 64) return
    const entries = await readdir(dir, { withFileTypes: true }).catch((e) => {
      if (isMissing(e)) return []
      throw diskError('read directory', dir, e)
    })
    for (const e of entries) {
      if (e.name.startsWith('.') || MAILDIR_SUBDIRS.has(e.name)) continue
      const path = join(dir, e.name)
      const parts = [...prefix, e.name]
      const folder = (): FoundFolder => ({ name: parts.map(decodeDiskName).join('/'), disk: parts.join('/') })
      if (e.isDirectory()) {
        if (isMaildirDir(path)) found.push(folder())
        await walk(path, parts, depth + 1)
      } else if (e.isSymbolicLink() && isMaildirDir(path)) {
        found.push(folder())
      }
    }
  }
  await walk(tree.root, [], 0)
  return found
}

export function folderInfos(tree: FolderTree, found: readonly FoundFolder[]): FolderInfo[] {
  const selectable = new Set(found.map((f) => f.name))
  // mUTF-7 spells every non-ASCII character and '&' with an '&' sequence: only those names differ in more than layout
  const disk = new Map(found.filter((f) => f.disk.includes('&')).map((f) => [f.name, f.disk]))
  const all = new Map<string, boolean>()
  for (const name of selectable) {
    all.set(name, true)
    const parts = name.split(tree.sep)
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join(tree.sep)
      if (!selectable.has(parent)) all.set(parent, false)
    }
  }
  return [...all]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, sel]) => {
      const diskName = disk.get(name)
      return diskName === undefined ? { name, separator: tree.sep, selectable: sel } : { name, separator: tree.sep, selectable: sel, diskName }
    })
}

// Folder name <-> directory for the two Maildir tree layouts.
//  verbatim (OfflineIMAP's default): `<root>/<name>`; with sep '/' the hierarchy is nested
//    directories (`<root>/Work/Projects`), with any other sep the name is one directory.
//  maildir++ (Dovecot, Courier): INBOX is the root itself, `A<sep>B` is `<root>/.A.B`.
// How each name is spelled on disk (UTF-8 or modified UTF-7): folder-spelling.ts. Names that
// would escape the root, hide, or collide with cur/new/tmp are refused.
import { join } from 'node:path'
import { MailsyncError } from '../../errors.js'

export type MaildirLayout = 'verbatim' | 'maildir++'

export interface FolderTree {
  root: string
  sep: string
  layout: MaildirLayout
}

const MAILDIR_SUBDIRS = new Set(['cur', 'new', 'tmp'])

export function isNestedTree(tree: FolderTree): boolean {
  return tree.layout === 'verbatim' && tree.sep === '/'
}

function invalid(name: string, why: string): MailsyncError {
  return new MailsyncError('data', `invalid Maildir folder name "${name.replace(/\0/g, '\\0')}": ${why}`, {
    hint: 'rename the folder, or map it to another name (nametrans)',
  })
}

/** The hierarchy parts of a valid folder name; throws MailsyncError('data') for an invalid one. */
export function folderNameParts(tree: FolderTree, name: string): string[] {
  if (name === '') throw invalid(name, 'the name is empty')
  if (name.includes('\0')) throw invalid(name, 'it contains a NUL character')
  const parts = name.split(tree.sep)
  for (const p of parts) {
    if (p === '') throw invalid(name, `it has an empty level (leading, trailing or doubled "${tree.sep}")`)
    if (p === '.' || p === '..') throw invalid(name, `"${p}" is not allowed as a level`)
    if (p.includes('/')) throw invalid(name, '"/" is not allowed in a level')
    if (tree.layout === 'maildir++' && p.includes('.')) {
      throw invalid(name, 'Maildir++ keeps "." as its on-disk separator; a level cannot contain it')
    }
    if (tree.layout === 'verbatim' && p.startsWith('.')) throw invalid(name, 'a level cannot start with "."')
  }
  const nested = isNestedTree(tree)
  if (nested || tree.layout === 'maildir++') {
    const bad = parts.find((p) => MAILDIR_SUBDIRS.has(p))
    if (bad !== undefined) throw invalid(name, `"${bad}" is reserved by Maildir`)
  } else if (MAILDIR_SUBDIRS.has(name)) {
    throw invalid(name, `"${name}" is reserved by Maildir`)
  }
  return parts
}

export function isInboxName(name: string): boolean {
  return name.toUpperCase() === 'INBOX'
}

/** Maildir++ directory entry (`.A.B`) -> folder name (`A<sep>B`), or undefined if it is not one. */
export function maildirPlusPlusName(tree: FolderTree, entry: string): string | undefined {
  if (!entry.startsWith('.') || entry === '.' || entry === '..') return undefined
  const parts = entry.slice(1).split('.')
  if (parts.some((p) => p === '' || (tree.sep !== '.' && p.includes(tree.sep)))) return undefined
  return parts.join(tree.sep)
}

// The folderfilter / nametrans / folderincludes a repository's config gives, as the engine calls
// them: with folder names in UTF-8. OfflineIMAP, with `utf8foldernames = no`, hands these functions
// IMAP's modified UTF-7 spelling (`Entw&APw-rfe`) and reads one back; an offlineimaprc that says so
// keeps that meaning here, so its filters match the same folders. Unset or yes: UTF-8 names.
import { decodeMutf7, encodeMutf7 } from '../mail/mutf7.js'
import type { RepositoryConfig } from './types.js'

export interface FolderFunctions {
  folderfilter(name: string): boolean
  nametrans(name: string): string
  includes: string[]
}

export function folderFunctions(cfg: RepositoryConfig, utf8FolderNames: boolean | undefined): FolderFunctions {
  if (utf8FolderNames !== false) {
    return { folderfilter: (n) => cfg.folderfilter(n), nametrans: (n) => cfg.nametrans(n), includes: cfg.folderincludes }
  }
  // a result that is not modified UTF-7 (a function written for UTF-8 names) is taken as it is
  const decoded = (s: string): string => decodeMutf7(s) ?? s
  return {
    folderfilter: (n) => cfg.folderfilter(encodeMutf7(n)),
    nametrans: (n) => decoded(cfg.nametrans(encodeMutf7(n))),
    includes: cfg.folderincludes.map(decoded),
  }
}

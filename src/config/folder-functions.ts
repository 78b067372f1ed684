// The folderfilter / nametrans / folderincludes a repository's config gives, as the engine calls
// them: with folder names in UTF-8. OfflineIMAP, with `utf8foldernames = no`, hands these functions
// IMAP's modified UTF-7 spelling (`Entw&APw-rfe`) and reads one back; an offlineimaprc that says so
// keeps that meaning here, so its filters match the same folders. Unset or yes: UTF-8 names.
import { decodeMutf7, encodeMutf7 } from '../mail/mutf7.js'
import type { RepositoryConfig } from './types.js'

/** `separator`: the repository's hierarchy separator, when the caller knows it (a function may use it). */
export interface FolderFunctions {
  folderfilter(name: string, separator?: string): boolean
  nametrans(name: string, separator?: string): string
  includes: string[]
}

export function folderFunctions(cfg: RepositoryConfig, utf8FolderNames: boolean | undefined): FolderFunctions {
  if (utf8FolderNames !== false) {
    return { folderfilter: (n, sep) => cfg.folderfilter(n, sep), nametrans: (n, sep) => cfg.nametrans(n, sep), includes: cfg.folderincludes }
  }
  // a result that is not modified UTF-7 (a function written for UTF-8 names) is taken as it is
  const decoded = (s: string): string => decodeMutf7(s) ?? s
  return {
    folderfilter: (n, sep) => cfg.folderfilter(encodeMutf7(n), sep),
    nametrans: (n, sep) => decoded(cfg.nametrans(encodeMutf7(n), sep)),
    includes: cfg.folderincludes.map(decoded),
  }
}

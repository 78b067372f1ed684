// imapflow's SELECT first runs LIST (and LSUB) for the folder, unless the connection's `folders`
// cache knows it; only its list() fills that cache. The pool's other connections never ran the
// account's LIST, so every folder opened on them cost two round trips more (on loopback ~6 ms,
// on a 30 ms link 60 ms a folder). The entries of the one full LIST are copied into a
// connection's cache before it opens a folder: what imapflow's own list() stores there.
import type { ImapFlow, ListResponse } from 'imapflow'

export type FolderCache = ReadonlyMap<string, ListResponse>

interface WithFolders {
  folders?: unknown
}

/** A copy of the connection's cache after a full LIST; undefined when imapflow keeps none. */
export function folderCache(client: ImapFlow): FolderCache | undefined {
  const folders = (client as unknown as WithFolders).folders
  return folders instanceof Map && folders.size > 0 ? new Map(folders as Map<string, ListResponse>) : undefined
}

/** Puts `path`'s entry into the connection's cache when the cache lacks it. */
export function seedFolderCache(client: ImapFlow, cache: FolderCache | undefined, path: string): void {
  const folders = (client as unknown as WithFolders).folders
  if (!cache || !(folders instanceof Map) || folders.has(path)) return
  const entry = cache.get(path)
  if (entry) folders.set(path, entry)
}

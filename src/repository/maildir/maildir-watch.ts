// Push from a Maildir (Repository.watch): a file-system watch (inotify) on every folder's cur/ and
// new/, where a mail reader renames a file to change its flags, moves or deletes it and where a
// delivery lands, and on the root, where a new folder appears. Folders made later (by a round,
// or by a mail client) are added by refresh(). One inotify descriptor for all of them.
import { watch, type FSWatcher } from 'node:fs'
import { join } from 'node:path'
import type { StoreWatch, WatchHandlers } from '../types.js'

export type FolderDirs = () => Promise<{ name: string; dir: string }[]>

export async function watchMaildir(root: string, folders: FolderDirs, h: WatchHandlers): Promise<StoreWatch> {
  const watchers = new Map<string, FSWatcher>()
  let closed = false
  let count = 0
  const add = (dir: string, folder: string | undefined): void => {
    if (watchers.has(dir)) return
    let w: FSWatcher
    try {
      w = watch(dir, { persistent: false }, () => {
        if (!closed) h.changed(folder)
      })
    } catch (e) {
      // a folder removed meanwhile is simply not watched; the next round sees it gone
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return
      throw e
    }
    w.on('error', (err) => {
      if (!closed) h.lost(err)
    })
    watchers.set(dir, w)
  }
  const refresh = async (): Promise<void> => {
    add(root, undefined)
    const list = await folders()
    count = list.length
    for (const f of list) for (const sub of ['cur', 'new']) add(join(f.dir, sub), f.name)
  }
  try {
    await refresh()
  } catch (e) {
    for (const w of watchers.values()) w.close()
    throw e
  }
  return {
    get how() {
      return `inotify ${count} folder${count === 1 ? '' : 's'}`
    },
    connections: 0,
    refresh,
    async close() {
      closed = true
      for (const w of watchers.values()) w.close()
      watchers.clear()
    },
  }
}

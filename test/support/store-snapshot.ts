// What a repository holds, independent of UIDs and file names: per folder, the sorted list of
// (SHA-256 of the bytes, flags). Two stores with equal snapshots hold the same mail.
import { createHash } from 'node:crypto'
import type { Repository } from '../../src/repository/types.js'

export type Snapshot = Record<string, string[]>

/** `maxSize`: only the messages of at most this many bytes. */
export async function snapshot(repo: Repository, opts: { dates?: boolean; maxSize?: number } = {}): Promise<Snapshot> {
  await repo.open()
  const out: Snapshot = {}
  for (const f of await repo.listFolders()) {
    if (!f.selectable) continue
    const s = await repo.openFolder(f.name, { readOnly: true })
    try {
      const { messages: all } = await s.list()
      const messages = opts.maxSize === undefined ? all : all.filter((m) => m.size <= opts.maxSize!)
      const flags = new Map(messages.map((m) => [m.uid, m.flags.join(' ') + (opts.dates ? `] @${Math.floor(m.internalDate / 1000)}` : ']')]))
      const items: string[] = []
      for await (const body of s.fetch(messages.map((m) => m.uid))) {
        const h = createHash('sha256')
        if (Buffer.isBuffer(body.content)) h.update(body.content)
        else for await (const c of body.content) h.update(c as Buffer)
        items.push(`${h.digest('hex').slice(0, 16)} [${flags.get(body.uid)}`)
      }
      out[f.name] = items.sort()
    } finally {
      await s.close()
    }
  }
  return out
}

/** Folder names with every hierarchy separator ('/' or '.') written as '/'. */
export function normalizeNames(s: Snapshot, rename: Record<string, string> = {}): Snapshot {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [rename[k] ?? k.replace(/[./]/g, '/'), v]))
}

/** Same messages by content only (flags ignored), as a sorted list per folder. */
export function contentOnly(s: Snapshot): Record<string, string[]> {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.map((x) => x.split(' ')[0]!).sort()]))
}

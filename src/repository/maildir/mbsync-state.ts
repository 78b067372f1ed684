// mbsync's state in a folder it keeps (`SyncState *`): `.mbsyncstate` pairs the far side's UIDs
// with the near (Maildir) side's, whose UIDs are the U= of the file names, and names both
// UIDVALIDITYs; `.uidvalidity` holds the Maildir's own UIDVALIDITY. Read, never written: a
// folder taking over from mbsync pairs its messages from here instead of by content.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { PriorPairs } from '../types.js'

/** The pairs mbsync recorded, when its state is there and consistent with the folder's `.uidvalidity`. */
export function readMbsyncPairs(folderDir: string): PriorPairs | undefined {
  const text = readOrNone(join(folderDir, '.mbsyncstate'))
  const near = /^(\d+)\n/.exec(readOrNone(join(folderDir, '.uidvalidity')) ?? '')
  if (text === undefined || !near) return undefined
  const header = new Map<string, number>()
  const pairs: PriorPairs['pairs'] = []
  let inHeader = true
  for (const line of text.split('\n')) {
    if (inHeader) {
      if (line === '') inHeader = false
      else {
        const m = /^(\w+) (\d+)$/.exec(line)
        if (m) header.set(m[1]!, Number(m[2]))
      }
      continue
    }
    const m = /^(\d+) (\d+) /.exec(line + ' ')
    if (!m) continue
    const otherUid = Number(m[1])
    const uid = Number(m[2])
    if (otherUid > 0 && uid > 0) pairs.push({ otherUid, uid })
  }
  const far = header.get('FarUidValidity')
  // mbsync's near UIDs belong to the UIDVALIDITY it recorded; if the Maildir was renumbered since, they mean nothing
  if (far === undefined || header.get('NearUidValidity') !== Number(near[1])) return undefined
  return { tool: 'mbsync', otherUidValidity: far, pairs }
}

function readOrNone(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

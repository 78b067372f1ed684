// Flag changes go out in batches: one STORE per distinct (add, remove) change, not one per message.
import type { FolderSession } from '../repository/types.js'
import type { EventSink } from './events.js'
import type { FlagChange } from './plan-folder.js'

export function groupFlagChanges(changes: readonly FlagChange[]): { add: string[]; remove: string[]; uids: number[] }[] {
  const groups = new Map<string, { add: string[]; remove: string[]; uids: number[] }>()
  for (const c of changes) {
    // JSON: a label may hold a space, so a joined list could stand for two different changes
    const key = JSON.stringify([c.add, c.remove])
    let g = groups.get(key)
    if (!g) groups.set(key, (g = { add: c.add, remove: c.remove, uids: [] }))
    g.uids.push(c.uid)
  }
  return [...groups.values()]
}

/** Applies the changes; returns how many messages changed. */
export function applyFlagChanges(
  session: FolderSession, changes: readonly FlagChange[], side: 'A' | 'B',
  ctx: { emit: EventSink; account: string; folder: string },
): Promise<number> {
  return applyGrouped(changes, (uids, add, remove) => session.setFlags(uids, add, remove), (uids, add, remove) =>
    ctx.emit({ type: 'flags-changed', account: ctx.account, folder: ctx.folder, side, uids, add, remove }))
}

/**
 * One `change` per distinct (add, remove) set, its UIDs ascending, each told to `done`; returns
 * how many messages changed. Flags and labels go out this way.
 */
export async function applyGrouped(
  changes: readonly FlagChange[],
  change: (uids: number[], add: string[], remove: string[]) => Promise<void>,
  done: (uids: number[], add: string[], remove: string[]) => void,
): Promise<number> {
  let n = 0
  for (const g of groupFlagChanges(changes)) {
    g.uids.sort((x, y) => x - y)
    await change(g.uids, g.add, g.remove)
    n += g.uids.length
    done(g.uids, g.add, g.remove)
  }
  return n
}

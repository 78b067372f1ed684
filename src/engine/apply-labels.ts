// Label changes go out like flag changes: one setLabels per distinct (add, remove) change, never a
// body (a relabel on Gmail is STORE X-GM-LABELS, on a labels-keeping Maildir a sidecar rewrite).
import type { FolderSession } from '../repository/types.js'
import { MailsyncError } from '../errors.js'
import type { EventSink } from './events.js'
import type { FlagChange } from './plan-folder.js'
import { applyGrouped } from './apply-flags.js'

/** Applies the changes; returns how many messages changed. */
export async function applyLabelChanges(
  session: FolderSession, changes: readonly FlagChange[], side: 'A' | 'B',
  ctx: { emit: EventSink; account: string; folder: string },
): Promise<number> {
  if (!changes.length) return 0
  if (!session.setLabels) {
    // the planner plans label changes only where both repositories keep labels (Repository.labels)
    throw new MailsyncError('internal', `folder ${session.name} keeps no labels, but label changes were planned for side ${side}`)
  }
  const setLabels = session.setLabels.bind(session)
  return applyGrouped(changes, setLabels, (uids, add, remove) =>
    ctx.emit({ type: 'labels-changed', account: ctx.account, folder: ctx.folder, side, uids, add, remove }))
}

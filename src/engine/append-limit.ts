// Messages larger than the target takes (Repository.appendLimit: appendlimit, the server's
// APPENDLIMIT, a provider preset's figure) are taken out of the plan before any body is read:
// each is skipped with one warning giving its size, the limit and whose limit it is, instead of an
// APPEND the server refuses (or one that fails the folder). Skipped messages keep the folder
// "undone", so a later run (a raised limit) looks at them again.
import type { MessageMeta, Repository } from '../repository/types.js'
import type { EventSink } from './events.js'

const MB = 1024 * 1024
const size = (n: number) => (n >= MB ? `${(n / MB).toFixed(1)} MB` : `${n} bytes`)

/** Removes from `copies` (to `target`) the messages over its limit; returns how many. */
export function holdBackOversized(copies: MessageMeta[], target: Repository, o: { emit: EventSink; account: string; folder: string; from: string }): number {
  const limit = target.appendLimit?.()
  if (!limit) return 0
  let held = 0
  for (let i = copies.length - 1; i >= 0; i--) {
    const m = copies[i]!
    if (m.size <= limit.bytes) continue
    copies.splice(i, 1)
    held++
    o.emit({
      type: 'warning', account: o.account, folder: o.folder,
      message: `message UID ${m.uid} of ${o.from}${m.messageId ? ` ${m.messageId}` : ''} (${size(m.size)}) is larger than ${target.name} takes (${size(limit.bytes)}: ${limit.why}): skipped, it stays where it is`,
    })
  }
  return held
}

// What migrate's verification leaves for later runs (issue 17). A copy is recorded as owing its
// check in the commit that records its pair, and the check's outcome is committed after it
// (copy-messages.ts). A later run of the folder then:
// - checks now a copy whose check is still owed (a run stopped between the copy and its check);
// - reports again every copy that failed its check, as a data problem (exit 65), on every run,
//   until it is resolved: the user removes that copy from the target, and the next run copies
//   the source message again (and checks the new copy);
// - forgets a check whose copy is gone, and forgets that copy's pair, so its source is copied again.
import type { FolderSession, MessageMeta } from '../repository/types.js'
import type { CopyCheckRow, FolderPairRow, MessagePairRow, StatusDb } from '../state/status-db.js'
import type { EventSink, FolderCounts } from './events.js'
import type { FolderOutcome } from './folder-sync.js'
import { verifyCopies, verifySizes, type Written } from './copy-messages.js'

type Side = 'A' | 'B'

export interface CopyCheckInput {
  db: StatusDb
  row: FolderPairRow
  sessions: Record<Side, FolderSession | undefined>
  /** Each side's messages now (full listings, whatever way they were made). */
  listings: Record<Side, readonly MessageMeta[]>
  known: MessagePairRow[]
  /** How this run checks copies (migrate); without it an owed check waits for a run that checks. */
  verify?: 'bytes' | 'size'
  dryRun: boolean
  counts: FolderCounts
  problems: FolderOutcome['problems']
  emit: EventSink
  account: string
  folder: string
}

/** Settles and reports the folder pair's copy checks; returns the records to plan with (without forgotten pairs). */
export async function settleCopyChecks(i: CopyCheckInput): Promise<MessagePairRow[]> {
  const checks = i.db.listCopyChecks(i.row.id)
  if (!checks.length) return i.known
  const { db, emit, account, folder } = i
  const listed = { A: new Set(i.listings.A.map((m) => m.uid)), B: new Set(i.listings.B.map((m) => m.uid)) }
  const pairOf = (c: CopyCheckRow) => i.known.find((r) => (c.side === 'A' ? r.uidA : r.uidB) === c.uid)
  const forget = new Set<MessagePairRow>()
  const owed: Record<Side, { c: CopyCheckRow; w: Written; bySize: boolean }[]> = { A: [], B: [] }
  for (const c of checks) {
    const pair = pairOf(c)
    if (!i.sessions[c.side]) continue
    if (!pair || !listed[c.side].has(c.uid)) {
      if (pair) forget.add(pair)
      if (!i.dryRun) {
        db.transaction(() => {
          db.deleteCopyCheck(c.folderPairId, c.side, c.uid)
          if (pair) db.deleteMessagePair(pair.folderPairId, pair.uidA, pair.uidB)
        }, 'copy-check-gone')
      }
      if (pair && c.failure !== null) emit({ type: 'warning', account, folder, message: `the copy (UID ${c.uid}) of message UID ${c.sourceUid} ${c.messageId ?? '(no Message-ID)'} that differed from the source is gone from the target: the message is copied again${i.dryRun ? ' (not in a dry run)' : ''}` })
      continue
    }
    if (c.failure !== null) report(i, c, `${c.failure}; found by an earlier run, and the copy is still there: remove it from the target to have the message copied again`)
    else owed[c.side].push({ c, bySize: i.verify === 'size' || pair.sha256 === null, w: { uid: c.sourceUid, newUid: c.uid, sha256: pair.sha256 ?? '', size: pair.size, ...(c.messageId ? { messageId: c.messageId } : {}), ...(c.subject ? { subject: c.subject } : {}) } })
  }
  if (i.verify && !i.dryRun) {
    for (const side of ['A', 'B'] as const) {
      const session = i.sessions[side]
      if (!session || !owed[side].length) continue
      const byCopy = new Map(owed[side].map((o) => [o.w, o.c]))
      const outcome: [CopyCheckRow, string | null][] = []
      const settle = (w: Written, failure: string | null): void => {
        const c = byCopy.get(w)!
        outcome.push([c, failure])
        if (failure === null) i.counts.verified++
        else report(i, c, failure)
      }
      const bytes = owed[side].filter((o) => !o.bySize).map((o) => o.w)
      const sizes = owed[side].filter((o) => o.bySize).map((o) => o.w)
      if (bytes.length) await verifyCopies(session, bytes, settle)
      if (sizes.length) await verifySizes(session, sizes, settle)
      db.transaction(() => {
        for (const [c, failure] of outcome) {
          if (failure === null) db.deleteCopyCheck(c.folderPairId, c.side, c.uid)
          else db.putCopyCheck({ ...c, failure })
        }
      }, 'verify-commit')
    }
  }
  return forget.size ? i.known.filter((r) => !forget.has(r)) : i.known
}

/** A copy that is not its source: a data problem of this run (exit 65), named in the report. */
function report(i: CopyCheckInput, c: CopyCheckRow, reason: string): void {
  i.counts.failed++
  i.problems.push({ side: c.side === 'A' ? 'B' : 'A', uid: c.sourceUid, ...(c.messageId ? { messageId: c.messageId } : {}), ...(c.subject ? { subject: c.subject } : {}), reason, verification: true })
}

// A side's full listing, without reading every message where the store can tell what changed:
// a Maildir whose directories did not change is what the records say; an IMAP folder with
// QRESYNC is the records plus CHANGEDSINCE minus VANISHED. Used only after a run that left
// nothing undone, and only where the records' flags describe this side (see recordsDescribe).
// A run killed since is no reason to list in full: the status kept is the one seen before the
// last clean run, so whatever a killed run did afterwards is among the changes.
import type { FolderSession, FolderStatus, MessageMeta } from '../repository/types.js'
import { recordedSide, type FolderPairRow, type MessagePairRow } from '../state/rows.js'
import type { Policy } from './policy.js'

export interface SideListingInput {
  side: 'A' | 'B'
  session: FolderSession
  /** Status seen before opening (folderStatus). */
  status: FolderStatus
  row: FolderPairRow | undefined
  known: readonly MessagePairRow[]
  policy: Policy
  /** The repository offers QRESYNC (CHANGEDSINCE answers with VANISHED). */
  qresync: boolean
  /**
   * Labels are in play: the records stand for this side's labels too (their label base), so they
   * are usable only where every record has one.
   */
  labels?: boolean
}

export interface SideListing {
  messages: MessageMeta[]
  /** How it was made, for logs and tests. */
  how: 'full' | 'records' | 'changes'
}

/**
 * The records' flags are this side's flags (for messages not changed since) when the last clean
 * run was two-way or had this side as its source, or when this run never reads this side's flags.
 */
export function recordsDescribe(side: 'A' | 'B', lastPolicy: string | null, policy: Policy): boolean {
  // Every message of this side has a record after a clean run only if its new messages are copied.
  if (!(side === 'A' ? policy.copyAtoB : policy.copyBtoA)) return false
  const readsFlags = side === 'A' ? policy.flagsAtoB : policy.flagsBtoA
  if (!readsFlags) return true
  if (lastPolicy === 'sync') return true
  const sourceWasA = lastPolicy === 'backup' || lastPolicy === 'migrate'
  return side === 'A' ? sourceWasA : lastPolicy === 'restore'
}

export async function listSide(i: SideListingInput): Promise<SideListing> {
  const { row, side, status } = i
  const recorded = row ? recordedSide(row, side) : undefined
  const usable = row !== undefined && recorded !== undefined && row.lastPolicy !== null &&
    recorded.uidValidity === i.session.status.uidValidity &&
    status.uidValidity === i.session.status.uidValidity &&
    recordsDescribe(side, row.lastPolicy, i.policy) &&
    (!i.labels || i.known.every((r) => r.labels != null))
  if (usable) {
    const token = recorded.changeToken
    if (status.changeToken !== undefined && token !== null && token === status.changeToken) {
      return { messages: fromRecords(side, i.known), how: 'records' }
    }
    const since = recorded.highestModSeq
    if (i.qresync && since !== null && status.highestModSeq !== undefined) {
      // known: a change made meanwhile may come as flags only; size and date are the records'
      const changes = await i.session.list({ changedSince: since, known: knownDetails(i) })
      if (changes.vanished !== undefined) {
        return { messages: applyChanges(fromRecords(side, i.known), changes.messages, changes.vanished), how: 'changes' }
      }
      // The server ignored CHANGEDSINCE after all: what came back is everything.
      if (changes.messages.length >= (status.messages ?? Infinity)) return { messages: changes.messages, how: 'full' }
    }
  }
  return { messages: (await i.session.list({ known: knownDetails(i) })).messages, how: 'full' }
}

/** Sizes and dates the records hold for this side's UIDs, when they are UIDs of the same UIDVALIDITY. */
function knownDetails(i: SideListingInput): Map<number, { size: number; internalDate: number }> | undefined {
  if (!i.row || recordedSide(i.row, i.side).uidValidity !== i.session.status.uidValidity || i.known.length === 0) return undefined
  return new Map(fromRecords(i.side, i.known).map((m) => [m.uid, m]))
}

/** This side's messages as the records describe them. */
function fromRecords(side: 'A' | 'B', known: readonly MessagePairRow[]): MessageMeta[] {
  const out: MessageMeta[] = []
  for (const r of known) {
    const uid = side === 'A' ? r.uidA : r.uidB
    if (uid !== null) out.push({ uid, flags: r.flags, size: r.size, internalDate: r.internalDate, ...(r.labels ? { labels: r.labels } : {}) })
  }
  return out
}

export function applyChanges(base: readonly MessageMeta[], changed: readonly MessageMeta[], vanished: readonly number[]): MessageMeta[] {
  const byUid = new Map(base.map((m) => [m.uid, m]))
  for (const u of vanished) byUid.delete(u)
  for (const m of changed) byUid.set(m.uid, m)
  return [...byUid.values()].sort((x, y) => x.uid - y.uid)
}

// After a UIDVALIDITY change on one side (folder recreated, server moved), that side's UIDs in
// the status cache mean nothing. Nothing is taken as deleted: the side's messages are matched
// again to the records by fingerprint (Message-ID + size, SHA-256 where ambiguous), so nothing
// already there is copied again. Records left without a match are forgotten where the policy
// copies the other side's messages back (the message is copied again: keep both), and kept as
// one-sided otherwise (a backup keeps its archive).
import type { MessageMeta } from '../repository/types.js'
import type { MessagePairRow } from '../state/rows.js'
import type { Policy } from './policy.js'
import { matchCandidates, type HashLookup } from './adopt.js'

export interface RepairResult {
  /** Records with the side's new UID filled in. */
  rows: MessagePairRow[]
  /** Records to forget (their other-side message will be treated as new). */
  forget: MessagePairRow[]
  /** Records kept with the side's UID unknown. */
  orphaned: MessagePairRow[]
}

export async function repairAfterUidValidityChange(
  side: 'A' | 'B', listing: readonly MessageMeta[], known: readonly MessagePairRow[], hash: HashLookup, policy: Policy,
): Promise<RepairResult> {
  // Records play the other side; their "uid" is their index, their hash is the recorded SHA-256.
  const records = known.map((r, i) => ({ uid: i, size: r.size, messageId: r.messageId ?? undefined }))
  const current = listing.map((m) => ({ uid: m.uid, size: m.size, messageId: m.messageId }))
  const recordHashes: HashLookup = async (_s, uids) => new Map(uids.flatMap((i) => (known[i]!.sha256 ? [[i, known[i]!.sha256!] as [number, string]] : [])))
  const lookup: HashLookup = async (s, uids) => (s === 'A' ? hash(side, uids) : recordHashes('B', uids))
  const matches = await matchCandidates(current, records, lookup)
  const byRecord = new Map(matches.map((m) => [m.uidB, m.uidA]))
  const out: RepairResult = { rows: [], forget: [], orphaned: [] }
  const copiesBack = side === 'A' ? policy.copyBtoA : policy.copyAtoB
  known.forEach((r, i) => {
    const uid = byRecord.get(i)
    if (uid !== undefined) out.rows.push(side === 'A' ? { ...r, uidA: uid } : { ...r, uidB: uid })
    else if (copiesBack) out.forget.push(side === 'A' ? { ...r, uidA: null } : { ...r, uidB: null })
    else out.orphaned.push(side === 'A' ? { ...r, uidA: null } : { ...r, uidB: null })
  })
  return out
}

// The planner: given both sides' listings of one folder pair, what was recorded at the last sync,
// and a policy, decide every action. Pure: no I/O, so every merge rule is tested as a table.
import type { MessageMeta } from '../repository/types.js'
import type { Policy } from './policy.js'
import { firstPairBase, firstPairFlags, mergeFlags, type FlagMergeResult } from './flag-merge.js'
import { firstPairLabels, mergeLabels, type LabelRules } from './label-merge.js'

/** What the status cache remembers of one message pair (uid null: not on / not tracked on that side). */
export interface KnownPair {
  uidA: number | null
  uidB: number | null
  flags: string[]
  /** Labels at last sync (the label merge base); null or absent: none recorded yet. */
  labels?: string[] | null
}

export interface FlagChange {
  uid: number
  add: string[]
  remove: string[]
}

export interface PairUpdate {
  uidA: number | null
  uidB: number | null
  flags: string[]
  /** The new label base; undefined: leave the recorded one as it is. */
  labels?: string[]
}

export interface FolderPlan {
  copyAtoB: MessageMeta[]
  copyBtoA: MessageMeta[]
  /** Messages found on both sides without a record: paired, not copied. */
  /** `flags` once the flag changes are made; `before` is recorded until then (see firstPairBase). */
  adopt: { a: MessageMeta; b: MessageMeta; flags: string[]; before: string[]; labels?: string[]; labelsBefore?: string[] }[]
  flagsA: FlagChange[]
  flagsB: FlagChange[]
  /** Label changes (FolderSession.setLabels), where labels are in play (PlanInput.labels): no body is copied for them. */
  labelsA: FlagChange[]
  labelsB: FlagChange[]
  deleteA: number[]
  deleteB: number[]
  /** Records to write (new base flags, or one side forgotten). */
  update: PairUpdate[]
  /** Records to forget (gone on both sides, or deleted). */
  drop: { uidA: number | null; uidB: number | null }[]
  /** Messages left out by filters (age, size, dates). */
  skipped: number
  /**
   * Set when deletions were held back by the deletion guard. `wanted` counts the deletions and
   * the messages losing a label (a label removed is as much a loss on Gmail), `labelRemovals` (present when there are any) the latter.
   */
  guard?: { side: 'A' | 'B'; wanted: number; limit: number; labelRemovals?: number }[]
  /** Set when a first sync's copies in both directions were held back (see FIRST_SYNC_COPY_LIMIT). */
  copyGuard?: { copyAtoB: number; copyBtoA: number; limit: number }
}

export interface PlanInput {
  a: readonly MessageMeta[]
  b: readonly MessageMeta[]
  known: readonly KnownPair[]
  policy: Policy
  /** Pairs of unrecorded messages found to be the same message (see adopt.ts). */
  matches?: readonly { uidA: number; uidB: number }[]
  /** Messages a copy may include; others count as skipped. */
  eligible?: (m: MessageMeta) => boolean
  /** Max deletions per side before the guard holds them back; undefined = default rule. */
  maxDelete?: number
  force?: boolean
  /** Labels are in play (both repositories keep them and the policy moves them): how they travel. */
  labels?: LabelRules
}

export function emptyPlan(): FolderPlan {
  return { copyAtoB: [], copyBtoA: [], adopt: [], flagsA: [], flagsB: [], labelsA: [], labelsB: [], deleteA: [], deleteB: [], update: [], drop: [], skipped: 0 }
}

/**
 * A first sync (no records) that would copy at least this many messages in each direction holds
 * all its copies back unless forced: two filled stores whose messages do not match are the
 * signature of the same mail spelled two ways (another tool's Maildir), and copying would double
 * both sides.
 */
export const FIRST_SYNC_COPY_LIMIT = 10

/** The deletion guard's default: 25% of a folder holding more than 20 messages. */
export function deletionLimit(folderSize: number, maxDelete?: number): number {
  if (maxDelete !== undefined) return maxDelete
  return folderSize > 20 ? Math.floor(folderSize * 0.25) : Infinity
}

export function planFolderSync(input: PlanInput): FolderPlan {
  const { policy } = input
  const plan = emptyPlan()
  const a = new Map(input.a.map((m) => [m.uid, m]))
  const b = new Map(input.b.map((m) => [m.uid, m]))
  const dir = { aToB: policy.flagsAtoB, bToA: policy.flagsBtoA }
  const knownA = new Set<number>()
  const knownB = new Set<number>()

  for (const k of input.known) {
    if (k.uidA !== null) knownA.add(k.uidA)
    if (k.uidB !== null) knownB.add(k.uidB)
    const ma = k.uidA !== null ? a.get(k.uidA) : undefined
    const mb = k.uidB !== null ? b.get(k.uidB) : undefined
    if (k.uidA !== null && k.uidB !== null) {
      if (ma && mb) {
        const m = mergeFlags(k.flags, ma.flags, mb.flags, dir)
        addFlagChanges(plan, k.uidA, k.uidB, m)
        const l = input.labels ? mergeLabels(k.labels ?? null, ma.labels, mb.labels, input.labels) : undefined
        if (l) addLabelChanges(plan, k.uidA, k.uidB, l)
        const labelsMoved = l !== undefined && (k.labels == null || !same(l.base, k.labels))
        if (!same(m.base, k.flags) || labelsMoved) plan.update.push({ uidA: k.uidA, uidB: k.uidB, flags: m.base, ...(labelsMoved ? { labels: l.base } : {}) })
      } else if (!ma && mb) {
        // Expunged on A: a deletion beats any flag change on B.
        if (policy.deleteAtoB) {
          plan.deleteB.push(k.uidB)
          plan.drop.push({ uidA: k.uidA, uidB: k.uidB })
        } else {
          plan.update.push({ uidA: null, uidB: k.uidB, flags: k.flags })
        }
      } else if (ma && !mb) {
        if (policy.deleteBtoA) {
          plan.deleteA.push(k.uidA)
          plan.drop.push({ uidA: k.uidA, uidB: k.uidB })
        } else {
          plan.update.push({ uidA: k.uidA, uidB: null, flags: k.flags })
        }
      } else {
        plan.drop.push({ uidA: k.uidA, uidB: k.uidB })
      }
    } else if (k.uidA !== null && !ma) {
      plan.drop.push({ uidA: k.uidA, uidB: null })
    } else if (k.uidB !== null && !mb) {
      plan.drop.push({ uidA: null, uidB: k.uidB })
    }
  }

  const matchedA = new Set<number>()
  const matchedB = new Set<number>()
  for (const { uidA, uidB } of input.matches ?? []) {
    const ma = a.get(uidA)
    const mb = b.get(uidB)
    if (!ma || !mb || knownA.has(uidA) || knownB.has(uidB) || matchedA.has(uidA) || matchedB.has(uidB)) continue
    matchedA.add(uidA)
    matchedB.add(uidB)
    const m = firstPairFlags(ma.flags, mb.flags, dir)
    addFlagChanges(plan, uidA, uidB, m)
    const l = input.labels ? firstPairLabels(ma.labels, mb.labels, input.labels) : undefined
    if (l) addLabelChanges(plan, uidA, uidB, l.merge)
    plan.adopt.push({ a: ma, b: mb, flags: m.base, before: [...firstPairBase(ma.flags, mb.flags, dir)], ...(l ? { labels: l.merge.base, labelsBefore: l.before } : {}) })
  }

  const eligible = input.eligible ?? (() => true)
  for (const m of input.a) {
    if (knownA.has(m.uid) || matchedA.has(m.uid) || !policy.copyAtoB) continue
    if (eligible(m)) plan.copyAtoB.push(m)
    else plan.skipped++
  }
  for (const m of input.b) {
    if (knownB.has(m.uid) || matchedB.has(m.uid) || !policy.copyBtoA) continue
    if (eligible(m)) plan.copyBtoA.push(m)
    else plan.skipped++
  }
  applyDeletionGuard(plan, input)
  applyFirstSyncCopyGuard(plan, input)
  plan.copyAtoB.sort((x, y) => x.uid - y.uid)
  plan.copyBtoA.sort((x, y) => x.uid - y.uid)
  return plan
}

function addFlagChanges(plan: FolderPlan, uidA: number, uidB: number, m: FlagMergeResult): void {
  if (m.addA.length || m.removeA.length) plan.flagsA.push({ uid: uidA, add: m.addA, remove: m.removeA })
  if (m.addB.length || m.removeB.length) plan.flagsB.push({ uid: uidB, add: m.addB, remove: m.removeB })
}

function addLabelChanges(plan: FolderPlan, uidA: number, uidB: number, m: FlagMergeResult): void {
  if (m.addA.length || m.removeA.length) plan.labelsA.push({ uid: uidA, add: m.addA, remove: m.removeA })
  if (m.addB.length || m.removeB.length) plan.labelsB.push({ uid: uidB, add: m.addB, remove: m.removeB })
}

/**
 * Holds back a side's deletions when they, with the messages that would lose a label there, exceed
 * the limit: those records stay as they were. The label changes that remove something on that
 * side are held back too, and their pairs keep their recorded label base, so that the next run
 * plans the same changes again (a base moved on would make the labels still there look added).
 */
function applyDeletionGuard(plan: FolderPlan, input: PlanInput): void {
  if (input.force) return
  const held: NonNullable<FolderPlan['guard']> = []
  for (const side of ['A', 'B'] as const) {
    const dels = side === 'A' ? plan.deleteA : plan.deleteB
    const labelChanges = side === 'A' ? plan.labelsA : plan.labelsB
    const removing = labelChanges.filter((c) => c.remove.length > 0)
    const limit = deletionLimit(side === 'A' ? input.a.length : input.b.length, input.maxDelete)
    if (dels.length + removing.length > limit) {
      held.push({ side, wanted: dels.length + removing.length, limit, ...(removing.length ? { labelRemovals: removing.length } : {}) })
      const uids = new Set(dels)
      plan.drop = plan.drop.filter((d) => !(side === 'A' ? d.uidA !== null && uids.has(d.uidA) : d.uidB !== null && uids.has(d.uidB)))
      if (side === 'A') plan.deleteA = []
      else plan.deleteB = []
      if (removing.length) holdLabelRemovals(plan, side, new Set(removing.map((c) => c.uid)))
    }
  }
  if (held.length) plan.guard = held
}

function holdLabelRemovals(plan: FolderPlan, side: 'A' | 'B', uids: ReadonlySet<number>): void {
  const uidOf = (x: { uidA: number | null; uidB: number | null }) => (side === 'A' ? x.uidA : x.uidB)
  if (side === 'A') plan.labelsA = plan.labelsA.filter((c) => !uids.has(c.uid))
  else plan.labelsB = plan.labelsB.filter((c) => !uids.has(c.uid))
  for (const u of plan.update) {
    const uid = uidOf(u)
    if (uid !== null && uids.has(uid)) delete u.labels
  }
  for (const x of plan.adopt) if (uids.has(side === 'A' ? x.a.uid : x.b.uid)) x.labels = x.labelsBefore
}

/** Holds back both directions' copies of a first sync that would copy many messages each way. */
function applyFirstSyncCopyGuard(plan: FolderPlan, input: PlanInput): void {
  if (input.force || input.known.length > 0) return
  const limit = FIRST_SYNC_COPY_LIMIT
  if (plan.copyAtoB.length < limit || plan.copyBtoA.length < limit) return
  plan.copyGuard = { copyAtoB: plan.copyAtoB.length, copyBtoA: plan.copyBtoA.length, limit }
  plan.copyAtoB = []
  plan.copyBtoA = []
}

function same(x: readonly string[], y: readonly string[]): boolean {
  return x.length === y.length && x.every((f, i) => f === y[i])
}

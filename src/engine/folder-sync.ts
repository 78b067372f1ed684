// Runs one folder pair: status check (skip what did not change), listing, repair after a
// UIDVALIDITY change, adoption of unrecorded copies, the plan, and its execution with
// bookkeeping in the status cache (each copy recorded once the target made it durable).
import { holdBackOversized } from './append-limit.js'
import type { FolderSession, FolderStatus, MessageMeta, Repository } from '../repository/types.js'
import type { StatusDb } from '../state/status-db.js'
import { recordedSide, type FolderPairRow, type MessagePairRow } from '../state/rows.js'
import type { EventSink, FolderCounts } from './events.js'
import { emptyCounts } from './events.js'
import type { Policy } from './policy.js'
import { writesA, writesB } from './policy.js'
import type { FolderPair } from './folder-pairing.js'
import { planFolderSync, type FolderPlan, type KnownPair } from './plan-folder.js'
import { matchByGlobalId, matchCandidates, type Candidate } from './adopt.js'
import { repairAfterUidValidityChange } from './uidvalidity-repair.js'
import { copyMessages, type CopyResult } from './copy-messages.js'
import { settleCopyChecks } from './copy-checks.js'
import { applyFlagChanges } from './apply-flags.js'
import { applyLabelChanges } from './apply-labels.js'
import { ignoreSet, syncedLabels, type LabelRules } from './label-merge.js'
import { statePoint } from '../crash-point.js'
import { sha256Of } from './message-fingerprint.js'
import { listSide } from './side-listing.js'

export interface FolderSyncOptions {
  account: string
  repoA: Repository
  repoB: Repository
  pair: FolderPair
  db: StatusDb
  policy: Policy
  emit: EventSink
  dryRun: boolean
  maxDelete?: number
  force?: boolean
  eligible?: (m: MessageMeta) => boolean
  /** Check copies on the target (migrate): by SHA-256 of what it serves back, or by size. */
  verify?: 'bytes' | 'size'
  /** Folder status already asked for this run (Repository.folderStatuses), by folder name. */
  statusesA?: ReadonlyMap<string, FolderStatus>
  statusesB?: ReadonlyMap<string, FolderStatus>
  /** Where the counts go as the work is done (so a folder that fails half-way still counts what it did). */
  counts?: FolderCounts
  /** Once aborted (SIGTERM, SIGINT), the folder starts no further message and leaves the rest of its work for the next run. */
  stop?: AbortSignal
  /**
   * A quick round (`quick = N`): a side without mod-sequences whose UIDNEXT and message count
   * are as recorded counts as unchanged, so its flags are not listed (OfflineIMAP's quick sync).
   * A side with CONDSTORE is judged by HIGHESTMODSEQ as always: no flag change is missed there.
   */
  quick?: boolean
  /** `ignorelabels`: labels never synced (never added or removed, kept out of the label base). */
  ignoreLabels?: readonly string[]
}

/**
 * Labels are in play for the pair when both repositories keep them and the policy moves them
 * (policy.ts: backup, restore, migrate; sync with synclabels): then how they travel.
 */
export function labelRules(o: Pick<FolderSyncOptions, 'repoA' | 'repoB' | 'policy' | 'ignoreLabels'>): LabelRules | undefined {
  if (!o.repoA.labels || !o.repoB.labels) return undefined
  if (!o.policy.labelsAtoB && !o.policy.labelsBtoA) return undefined
  return { aToB: o.policy.labelsAtoB, bToA: o.policy.labelsBtoA, ignore: ignoreSet(o.ignoreLabels) }
}

export interface FolderOutcome {
  counts: FolderCounts
  skipped?: string
  plan?: FolderPlan
  /** Messages that failed or did not verify, for the report. */
  problems: { side: 'A' | 'B'; uid: number; messageId?: string; subject?: string; reason: string; verification?: boolean }[]
  /** Messages in the folder on each side after the run (where known). */
  messagesA?: number
  messagesB?: number
  /** Stopped (FolderSyncOptions.stop) with work left for the next run. */
  stopped?: boolean
  /**
   * Still recording the status a session vouches for (its own writes settling; see
   * recordOwnTokens), with the folder's sessions open until then. Never rejects; the caller
   * awaits it before the account is done.
   */
  settling?: Promise<void>
}

type Side = 'A' | 'B'

export async function syncFolderPair(o: FolderSyncOptions): Promise<FolderOutcome> {
  const { pair, db, policy, emit, account } = o
  const counts = o.counts ?? emptyCounts()
  const problems: FolderOutcome['problems'] = []
  const folder = pair.nameB

  if (!o.dryRun) await createMissing(o)
  const row = o.dryRun ? db.getFolderPair(pair.nameA, pair.nameB) : db.ensureFolderPair(pair.nameA, pair.nameB)
  if (row && (pair.createA || pair.createB)) warnFolderGone(o, row)
  const stA = pair.createA && o.dryRun ? undefined : o.statusesA?.get(pair.nameA) ?? await o.repoA.folderStatus(pair.nameA)
  const stB = pair.createB && o.dryRun ? undefined : o.statusesB?.get(pair.nameB) ?? await o.repoB.folderStatus(pair.nameB)
  const sameStores = !row || (sameIdentity(row.identityA, o.repoA.identity) && sameIdentity(row.identityB, o.repoB.identity))
  const labels = labelRules(o)
  // records without a label base (labels just came into play) are merged once, changed or not
  const labelsOwed = labels !== undefined && row !== undefined && db.hasMessagePairsWithoutLabels(row.id)
  if (row && stA && stB && sameStores && !labelsOwed && unchanged(row, stA, 'A', o.quick) && unchanged(row, stB, 'B', o.quick) && !db.hasCopyChecks(row.id)) {
    emit({ type: 'folder-skip', account, folderA: pair.nameA, folderB: pair.nameB, reason: 'unchanged' })
    return { counts, skipped: 'unchanged', problems, messagesA: stA.messages, messagesB: stB.messages }
  }

  const sA = stA ? await o.repoA.openFolder(pair.nameA, { readOnly: !writesA(policy) || o.dryRun }) : undefined
  let sB: FolderSession | undefined
  // set once the sessions are handed to recordOwnTokens, which closes them
  let handedOver = false
  try {
    sB = stB ? await o.repoB.openFolder(pair.nameB, { readOnly: !writesB(policy) || o.dryRun }) : undefined
    let known: MessagePairRow[] = row ? db.listMessagePairs(row.id) : []
    const [capsA, capsB] = await Promise.all([o.repoA.capabilities(), o.repoB.capabilities()])
    const listing = (side: Side, session: FolderSession, status: FolderStatus) =>
      listSide({ side, session, status, row: sameStores ? row : undefined, known, policy, qresync: (side === 'A' ? capsA : capsB).has('QRESYNC'), labels: labels !== undefined })
    const lA = sA ? await listing('A', sA, stA!) : undefined
    const lB = sB ? await listing('B', sB, stB!) : undefined
    let listA = lA?.messages ?? []
    let listB = lB?.messages ?? []
    const hash = hashLookup(sA, sB)

    if (row) known = await repairChangedSides(o, row, { A: sA, B: sB }, { A: listA, B: listB }, known, hash)
    // copies an earlier run did not check, or that failed their check (migrate's verification)
    if (row) known = await settleCopyChecks({ db, row, sessions: { A: sA, B: sB }, listings: { A: listA, B: listB }, known, verify: o.verify, dryRun: o.dryRun, counts, problems, emit, account, folder })
    const held = reportPassedOver(o, { A: sA, B: sB }, counts)
    if (held.A.size || held.B.size) {
      // A record whose message a side passed over is left as it is: its message is neither
      // gone (its partner must not be deleted) nor new (its partner must not be copied again).
      const isHeld = (r: MessagePairRow) => (r.uidA !== null && held.A.has(r.uidA)) || (r.uidB !== null && held.B.has(r.uidB))
      const heldRows = known.filter(isHeld)
      known = known.filter((r) => !isHeld(r))
      const outA = new Set([...held.A, ...heldRows.map((r) => r.uidA)])
      const outB = new Set([...held.B, ...heldRows.map((r) => r.uidB)])
      listA = listA.filter((m) => !outA.has(m.uid))
      listB = listB.filter((m) => !outB.has(m.uid))
    }

    const matches = await adoptionMatches(sA, sB, listA, listB, known, policy, hash, oneStore(o.repoA, o.repoB))
    const plan = planFolderSync({
      a: listA, b: listB, known: known.map(toKnown), policy, matches,
      eligible: o.eligible, maxDelete: o.maxDelete, force: o.force, labels,
    })
    counts.skipped += plan.skipped
    const where = { emit, account, folder: pair.nameB }
    counts.skipped += holdBackOversized(plan.copyAtoB, o.repoB, { ...where, from: o.repoA.name }) + holdBackOversized(plan.copyBtoA, o.repoA, { ...where, from: o.repoB.name })
    const plannedBytes = [...plan.copyAtoB, ...plan.copyBtoA].reduce((n, m) => n + m.size, 0)
    emit({
      type: 'folder-plan', account, folderA: pair.nameA, folderB: pair.nameB,
      create: pair.createA ? 'A' : pair.createB ? 'B' : undefined,
      copyAtoB: plan.copyAtoB.length, copyBtoA: plan.copyBtoA.length,
      bytes: plannedBytes,
      flagChanges: plan.flagsA.length + plan.flagsB.length + plan.labelsA.length + plan.labelsB.length, deletions: plan.deleteA.length + plan.deleteB.length,
      listedA: lA?.how ?? 'none', listedB: lB?.how ?? 'none',
    })
    for (const g of plan.guard ?? []) {
      const what = g.labelRemovals ? `${g.wanted - g.labelRemovals} deletions and ${g.labelRemovals} label removals` : `${g.wanted} deletions`
      emit({ type: 'error', account, folder, kind: 'guard', message: `deletion guard: ${what} on side ${g.side} exceed the limit of ${g.limit}; held back (use --force or --max-delete)` })
      counts.failed++
    }
    if (plan.copyGuard) {
      const g = plan.copyGuard
      emit({ type: 'error', account, folder, kind: 'guard', message: `first-sync guard: this first sync would copy ${g.copyAtoB} messages A->B and ${g.copyBtoA} B->A, which is what one mailbox stored twice looks like when its copies do not match (another tool's Maildir?); nothing was copied. If both sides really hold different mail, run again with --force (see docs/switching.md)` })
      counts.failed++
    }
    if (o.dryRun) {
      Object.assign(counts, {
        copiedAtoB: plan.copyAtoB.length, copiedBtoA: plan.copyBtoA.length, adopted: plan.adopt.length,
        flagsAtoB: plan.flagsB.length + plan.labelsB.length, flagsBtoA: plan.flagsA.length + plan.labelsA.length, deletedA: plan.deleteA.length, deletedB: plan.deleteB.length,
        bytes: plannedBytes,
      })
      return { counts, plan, problems, ...after(listA.length, listB.length, counts) }
    }
    const fp = row!
    // Which UIDVALIDITY the records belong to, before any record is written.
    db.updateFolderPair(fp.id, {
      uidValidityA: sA!.status.uidValidity, uidValidityB: sB!.status.uidValidity,
      identityA: o.repoA.identity ?? null, identityB: o.repoB.identity ?? null,
    })
    const finished = await execute(o, fp, plan, known, sA!, sB!, counts, problems, labels)
    // Work left undone (held-back deletions, failed or filtered-out messages, a stopped run) must
    // be looked at again next time, even if neither side changes: then no status is kept that
    // would let it skip (a filter may change, e.g. maxsize raised), nor any that would shortcut a listing.
    const undone = !finished || (plan.guard?.length ?? 0) > 0 || plan.copyGuard !== undefined || counts.failed > 0 || counts.skipped > 0
    db.updateFolderPair(fp.id, statusToKeep(stA!, stB!, sA!, sB!, undone ? undefined : policy))
    // A session that can vouch for its own writes (a Maildir, once its new mtimes settle) may take
    // a moment: that is done after the folder's slot is given up, so the next folder need not wait.
    let settling: Promise<void> | undefined
    if (!undone && (sA!.changeTokenNow || sB!.changeTokenNow)) {
      const sessions = { A: sA!, B: sB! }
      handedOver = true
      settling = recordOwnTokens(db, fp.id, { A: stA!, B: stB! }, sessions, policy)
      for (const s of [sB!, sA!]) if (!s.changeTokenNow) await s.close().catch(() => undefined)
    }
    return { counts, plan, problems, ...after(listA.length, listB.length, counts), ...(finished ? {} : { stopped: true }), ...(settling ? { settling } : {}) }
  } finally {
    if (!handedOver) {
      await sB?.close().catch(() => undefined)
      await sA?.close().catch(() => undefined)
    }
  }
}

/**
 * The tokens sessions vouch for at the end of a clean run (FolderSession.changeTokenNow) replace
 * the start status already recorded, so what this run wrote is not listed again next time; then
 * the sessions that were left open for it are closed. Never rejects: without a token the start
 * status stays, which only costs the next run a listing.
 */
async function recordOwnTokens(db: StatusDb, id: number, st: Record<Side, FolderStatus>, s: Record<Side, FolderSession>, policy: Policy): Promise<void> {
  try {
    const [A, B] = await Promise.all([tokenNow(s.A, st.A), tokenNow(s.B, st.B)])
    if (A !== undefined || B !== undefined) db.updateFolderPair(id, statusToKeep(st.A, st.B, s.A, s.B, policy, { A, B }))
  } catch {
    // the start status recorded stays
  } finally {
    for (const x of [s.B, s.A]) if (x.changeTokenNow) await x.close().catch(() => undefined)
  }
}

/**
 * A side whose UIDVALIDITY changed, or that is now another store, has records whose UIDs mean
 * nothing: match its messages to the records again by fingerprint. Returns the records to use.
 */
async function repairChangedSides(
  o: FolderSyncOptions, row: FolderPairRow, sessions: Record<Side, FolderSession | undefined>,
  listings: Record<Side, MessageMeta[]>, known: MessagePairRow[], hash: ReturnType<typeof hashLookup>,
): Promise<MessagePairRow[]> {
  const { db, emit, account } = o
  const folder = o.pair.nameB
  for (const side of ['A', 'B'] as const) {
    const session = sessions[side]
    const { uidValidity: before, identity: recordedStore } = recordedSide(row, side)
    const repo = side === 'A' ? o.repoA : o.repoB
    const otherStore = !sameIdentity(recordedStore, repo.identity)
    if (!session || before == null || (before === session.status.uidValidity && !otherStore)) continue
    emit({ type: 'uidvalidity-changed', account, folder, side, old: before, now: session.status.uidValidity })
    if (otherStore) emit({ type: 'warning', account, folder, message: `side ${side} is now ${repo.identity}, not the store the status cache knew (${recordedStore}): its messages are matched again by fingerprint` })
    const withIds = await withMessageIds(session, listings[side].map((m) => m.uid))
    const repaired = await repairAfterUidValidityChange(side, withIds, known, hash, o.policy)
    if (!o.dryRun) {
      db.transaction(() => {
        db.clearUids(row.id, side)
        for (const r of repaired.rows) db.upsertMessagePair(r)
        for (const f of repaired.forget) db.deleteMessagePair(row.id, f.uidA, f.uidB)
        db.deleteMessagePairsWithoutUids(row.id)
        db.updateFolderPair(row.id, side === 'A'
          ? { uidValidityA: session.status.uidValidity, identityA: repo.identity ?? null }
          : { uidValidityB: session.status.uidValidity, identityB: repo.identity ?? null })
      }, 'uidvalidity-repair')
      known = db.listMessagePairs(row.id)
    } else known = [...repaired.rows, ...repaired.orphaned]
    emit({ type: 'warning', account, folder, message: `UIDVALIDITY of side ${side} changed (${before} -> ${session.status.uidValidity}): ${repaired.rows.length} messages re-paired by fingerprint, ${repaired.forget.length} to copy again, ${repaired.orphaned.length} kept on the other side only` })
  }
  return known
}

/**
 * Tells what each side did not list as a message (see FolderSession.passedOver): errors count as
 * failed. Returns the UIDs those entries carry, per side.
 */
function reportPassedOver(o: FolderSyncOptions, sessions: Record<Side, FolderSession | undefined>, counts: FolderCounts): Record<Side, Set<number>> {
  const held: Record<Side, Set<number>> = { A: new Set(), B: new Set() }
  for (const side of ['A', 'B'] as const) {
    const folder = side === 'A' ? o.pair.nameA : o.pair.nameB
    for (const p of sessions[side]?.passedOver?.() ?? []) {
      if (p.uid !== undefined) held[side].add(p.uid)
      if (p.level === 'error') {
        counts.failed++
        o.emit({ type: 'error', account: o.account, folder, kind: 'data', message: p.message, ...(p.uid !== undefined ? { uid: p.uid } : {}) })
      } else o.emit({ type: 'warning', account: o.account, folder, message: p.message })
    }
  }
  return held
}

/** A folder made again on a side where the status cache knows messages of it: someone removed it. */
function warnFolderGone(o: FolderSyncOptions, row: FolderPairRow): void {
  const pairs = o.db.listMessagePairs(row.id)
  for (const side of ['A', 'B'] as const) {
    if (!(side === 'A' ? o.pair.createA : o.pair.createB)) continue
    const n = pairs.filter((p) => (side === 'A' ? p.uidA : p.uidB) !== null).length
    if (n === 0) continue
    const name = side === 'A' ? o.pair.nameA : o.pair.nameB
    const repo = side === 'A' ? o.repoA : o.repoB
    o.emit({
      type: 'warning', account: o.account, folder: name,
      message: `folder ${name} is gone from ${repo.name} though ${n} of its messages were synced: it is made again${o.dryRun ? ' (not in a dry run)' : ''}, and its messages come back from the other side where the command copies that way; a folder that is gone is never taken as its messages deleted`,
    })
  }
}

function after(a: number, b: number, c: FolderCounts): { messagesA: number; messagesB: number } {
  return { messagesA: a + c.copiedBtoA - c.deletedA, messagesB: b + c.copiedAtoB - c.deletedB }
}

async function createMissing(o: FolderSyncOptions): Promise<void> {
  for (const side of ['A', 'B'] as const) {
    const create = side === 'A' ? o.pair.createA : o.pair.createB
    if (!create) continue
    const repo = side === 'A' ? o.repoA : o.repoB
    const name = side === 'A' ? o.pair.nameA : o.pair.nameB
    await repo.createFolder(name)
    statePoint('folder-create')
    o.emit({ type: 'folder-create', account: o.account, side, folder: name })
  }
}

function unchanged(row: FolderPairRow, st: FolderStatus, side: Side, quick = false): boolean {
  const r = recordedSide(row, side)
  if (r.uidValidity !== st.uidValidity) return false
  if (st.changeToken !== undefined) return r.changeToken === st.changeToken
  if (quick && st.highestModSeq === undefined) return r.uidNext === st.uidNext && st.messages !== undefined && r.messages === st.messages
  if (st.highestModSeq === undefined || r.highestModSeq === null) return false
  return r.highestModSeq === st.highestModSeq && r.uidNext === st.uidNext && (st.messages === undefined || r.messages === st.messages)
}

/**
 * The status seen before the run: if we changed a side, the next run lists it once more. Without
 * a policy (work was left undone) only the UIDVALIDITYs are kept, so the next run cannot skip.
 */
/** The session's own end-of-run token (FolderSession.changeTokenNow), where it offers one. */
async function tokenNow(s: FolderSession, start: FolderStatus): Promise<string | undefined> {
  return s.changeTokenNow ? s.changeTokenNow(start).catch(() => undefined) : undefined
}

/**
 * `own`: tokens a session vouched for at the end of the run (all changes since the start were its
 * own); they replace the start tokens, so what this run wrote is not listed again next time.
 */
function statusToKeep(stA: FolderStatus, stB: FolderStatus, sA: FolderSession, sB: FolderSession, cleanRunOf: Policy | undefined, own: { A?: string; B?: string } = {}) {
  const keep = cleanRunOf !== undefined
  const token = (st: FolderStatus, s: FolderSession, mine?: string) => (keep && s.status.uidValidity === st.uidValidity ? mine ?? st.changeToken ?? null : null)
  return {
    uidValidityA: sA.status.uidValidity, uidValidityB: sB.status.uidValidity,
    uidNextA: keep ? stA.uidNext : null, uidNextB: keep ? stB.uidNext : null,
    highestModSeqA: keep ? stA.highestModSeq ?? null : null, highestModSeqB: keep ? stB.highestModSeq ?? null : null,
    messagesA: keep ? stA.messages ?? null : null, messagesB: keep ? stB.messages ?? null : null,
    changeTokenA: token(stA, sA, own.A), changeTokenB: token(stB, sB, own.B),
    lastPolicy: cleanRunOf?.name ?? null,
    lastSync: Date.now(),
  }
}

/** Unknown on either hand (old records, a store without identity) counts as the same store. */
function sameIdentity(recorded: string | null | undefined, current: string | undefined): boolean {
  return recorded == null || current === undefined || recorded === current
}

function toKnown(r: MessagePairRow): KnownPair {
  return { uidA: r.uidA, uidB: r.uidB, flags: r.flags, labels: r.labels ?? null }
}

function hashLookup(sA?: FolderSession, sB?: FolderSession) {
  return async (side: Side, uids: number[]): Promise<Map<number, string>> => {
    const s = side === 'A' ? sA : sB
    const out = new Map<number, string>()
    if (!s || !uids.length) return out
    for await (const body of s.fetch([...uids].sort((x, y) => x - y))) out.set(body.uid, await sha256Of(body.content))
    return out
  }
}

async function withMessageIds(s: FolderSession, uids: number[]): Promise<MessageMeta[]> {
  if (!uids.length) return []
  return (await s.list({ uids, withMessageId: true })).messages
}

/** Both repositories are one store (the same identity), so a global message id means the same on both. */
function oneStore(a: Repository, b: Repository): boolean {
  return a.identity !== undefined && a.identity === b.identity
}

/** Unrecorded messages present on both sides are the same message when their fingerprints say so. */
async function adoptionMatches(
  sA: FolderSession | undefined, sB: FolderSession | undefined, listA: MessageMeta[], listB: MessageMeta[],
  known: MessagePairRow[], policy: Policy, hash: ReturnType<typeof hashLookup>, sameStore: boolean,
): Promise<{ uidA: number; uidB: number }[]> {
  if (!sA || !sB) return []
  if (!policy.copyAtoB && !policy.copyBtoA) return []
  const kA = new Set(known.map((r) => r.uidA))
  const kB = new Set(known.map((r) => r.uidB))
  const prior = known.length === 0 ? priorMatches(sA, sB, listA, listB) : []
  const pA = new Set(prior.map((p) => p.uidA))
  const pB = new Set(prior.map((p) => p.uidB))
  // the store's own identity first, then Message-ID and bytes. A global id (X-GM-MSGID) names a
  // message within one store only: two Gmail accounts give unrelated messages the same id.
  const byId = sameStore ? matchByGlobalId(listA.filter((m) => !kA.has(m.uid) && !pA.has(m.uid)), listB.filter((m) => !kB.has(m.uid) && !pB.has(m.uid))) : []
  for (const p of byId) {
    pA.add(p.uidA)
    pB.add(p.uidB)
  }
  prior.push(...byId)
  const uA = listA.filter((m) => !kA.has(m.uid) && !pA.has(m.uid))
  const uB = listB.filter((m) => !kB.has(m.uid) && !pB.has(m.uid))
  if (!uA.length || !uB.length) return prior
  const sizesA = new Set(uA.map((m) => m.size))
  const uBsized = uB.filter((m) => sizesA.has(m.size))
  if (!uBsized.length) return prior
  const sizesB = new Set(uBsized.map((m) => m.size))
  const uAsized = uA.filter((m) => sizesB.has(m.size))
  const [ca, cb] = await Promise.all([
    withMessageIds(sA, uAsized.map((m) => m.uid)),
    withMessageIds(sB, uBsized.map((m) => m.uid)),
  ])
  const cand = (ms: MessageMeta[]): Candidate[] => ms.map((m) => ({ uid: m.uid, size: m.size, messageId: m.messageId }))
  return [...prior, ...(await matchCandidates(cand(ca), cand(cb), hash))]
}

/**
 * A first sync over a store another tool kept: the pairs it recorded, where the other side's
 * UIDVALIDITY is still the one it recorded, both messages are there and their sizes agree.
 * No body or header is read for them.
 */
function priorMatches(sA: FolderSession, sB: FolderSession, listA: MessageMeta[], listB: MessageMeta[]): { uidA: number; uidB: number }[] {
  const out: { uidA: number; uidB: number }[] = []
  const a = new Map(listA.map((m) => [m.uid, m]))
  const b = new Map(listB.map((m) => [m.uid, m]))
  for (const [self, other, selfIsA] of [[sB, sA, false], [sA, sB, true]] as const) {
    const prior = self.priorPairs?.()
    if (!prior || prior.otherUidValidity !== other.status.uidValidity) continue
    for (const p of prior.pairs) {
      const [uidA, uidB] = selfIsA ? [p.uid, p.otherUid] : [p.otherUid, p.uid]
      const ma = a.get(uidA)
      const mb = b.get(uidB)
      if (ma && mb && ma.size === mb.size) out.push({ uidA, uidB })
    }
    if (out.length) break
  }
  return out
}

async function execute(
  o: FolderSyncOptions, fp: FolderPairRow, plan: FolderPlan, known: readonly MessagePairRow[], sA: FolderSession, sB: FolderSession,
  counts: FolderCounts, problems: FolderOutcome['problems'], labels: LabelRules | undefined,
): Promise<boolean> {
  const { db, emit, account } = o
  const folder = o.pair.nameB
  const labelsOf = labels ? (m: MessageMeta) => syncedLabels(m.labels, labels) : undefined
  if (plan.adopt.length) {
    db.transaction(() => {
      for (const x of plan.adopt) {
        // the base the flag and label changes below come from, until they are made (see firstPairBase)
        db.upsertMessagePair({ folderPairId: fp.id, uidA: x.a.uid, uidB: x.b.uid, flags: x.before, size: x.a.size, internalDate: x.a.internalDate, messageId: x.a.messageId ?? x.b.messageId ?? null, sha256: null, ...(x.labelsBefore ? { labels: x.labelsBefore } : {}) })
        emit({ type: 'message-adopted', account, folder, uidA: x.a.uid, uidB: x.b.uid })
      }
    }, 'adopt-commit')
    counts.adopted += plan.adopt.length
  }
  for (const dir of ['A->B', 'B->A'] as const) {
    const list = dir === 'A->B' ? plan.copyAtoB : plan.copyBtoA
    if (!list.length) continue
    if (o.stop?.aborted) return false
    const r: CopyResult = { copied: 0, bytes: 0, verified: 0, failed: [] }
    try {
      await copyMessages({ db, folderPairId: fp.id, from: dir === 'A->B' ? sA : sB, to: dir === 'A->B' ? sB : sA, direction: dir, messages: list, emit, account, folder, verify: o.verify, result: r, stop: o.stop, labelsOf })
    } finally {
      // also when the copy stopped half-way: what the target took is counted
      if (dir === 'A->B') counts.copiedAtoB += r.copied
      else counts.copiedBtoA += r.copied
      counts.bytes += r.bytes
      counts.failed += r.failed.length
      counts.verified += r.verified
      problems.push(...r.failed.map((f) => ({ side: (dir === 'A->B' ? 'A' : 'B') as Side, ...f })))
    }
  }
  // Stopped: flag changes, deletions and the records' updates wait for the next run, which plans them again.
  if (o.stop?.aborted) return false
  counts.flagsBtoA += await applyFlagChanges(sA, plan.flagsA, 'A', { emit, account, folder })
  counts.flagsAtoB += await applyFlagChanges(sB, plan.flagsB, 'B', { emit, account, folder })
  // labels count with the flags: both are a message's state changed without its body
  counts.flagsBtoA += await applyLabelChanges(sA, plan.labelsA, 'A', { emit, account, folder })
  counts.flagsAtoB += await applyLabelChanges(sB, plan.labelsB, 'B', { emit, account, folder })
  for (const side of ['A', 'B'] as const) {
    const uids = side === 'A' ? plan.deleteA : plan.deleteB
    if (!uids.length) continue
    await (side === 'A' ? sA : sB).delete(uids)
    emit({ type: 'message-deleted', account, folder, side, uids })
    if (side === 'A') counts.deletedA += uids.length
    else counts.deletedB += uids.length
  }
  // Updates name records the planner was given; the upsert replaces the record by its key.
  const byA = new Map(known.filter((r) => r.uidA !== null).map((r) => [r.uidA!, r]))
  const byB = new Map(known.filter((r) => r.uidB !== null).map((r) => [r.uidB!, r]))
  db.transaction(() => {
    for (const u of plan.update) {
      const existing = u.uidA !== null ? byA.get(u.uidA) : u.uidB !== null ? byB.get(u.uidB) : undefined
      if (existing) db.upsertMessagePair({ ...existing, uidA: u.uidA, uidB: u.uidB, flags: u.flags, ...(u.labels ? { labels: u.labels } : {}) })
    }
    for (const d of plan.drop) db.deleteMessagePair(fp.id, d.uidA, d.uidB)
    // adopted pairs: their flag changes are made, the merged flags are the base from now on
    for (const x of plan.adopt) db.upsertMessagePair({ folderPairId: fp.id, uidA: x.a.uid, uidB: x.b.uid, flags: x.flags, size: x.a.size, internalDate: x.a.internalDate, messageId: x.a.messageId ?? x.b.messageId ?? null, sha256: null, ...(x.labels ? { labels: x.labels } : {}) })
  }, 'records-commit')
  return true
}

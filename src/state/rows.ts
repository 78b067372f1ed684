// The rows of the status cache as the engine sees them, and their conversion to and from SQL.

export interface FolderPairRow {
  id: number
  /** Folder name on side A (remote) and side B (local). */
  nameA: string
  nameB: string
  uidValidityA: number | null
  uidValidityB: number | null
  /** UIDNEXT last seen. */
  uidNextA: number | null
  uidNextB: number | null
  /** HIGHESTMODSEQ last seen (63-bit values: kept as text in SQL, bigint here). */
  highestModSeqA: bigint | null
  highestModSeqB: bigint | null
  /** Message count last seen (STATUS MESSAGES), for the no-change fast path. */
  messagesA: number | null
  messagesB: number | null
  /** FolderStatus.changeToken last seen (stores without mod-sequences). */
  changeTokenA: string | null
  changeTokenB: string | null
  /** Policy of the last run that ended with nothing left undone ('sync', 'backup', ...). */
  lastPolicy: string | null
  /** Repository.identity of each side when the records were written. */
  identityA: string | null
  identityB: string | null
  /** ms epoch. */
  lastSync: number | null
}

export type FolderPairPatch = Partial<Omit<FolderPairRow, 'id' | 'nameA' | 'nameB'>>

/** What a folder pair's record says of one side. */
export interface RecordedSide {
  uidValidity: number | null
  uidNext: number | null
  highestModSeq: bigint | null
  messages: number | null
  changeToken: string | null
  identity: string | null
}

export function recordedSide(row: FolderPairRow, side: 'A' | 'B'): RecordedSide {
  return side === 'A'
    ? { uidValidity: row.uidValidityA, uidNext: row.uidNextA, highestModSeq: row.highestModSeqA, messages: row.messagesA, changeToken: row.changeTokenA, identity: row.identityA }
    : { uidValidity: row.uidValidityB, uidNext: row.uidNextB, highestModSeq: row.highestModSeqB, messages: row.messagesB, changeToken: row.changeTokenB, identity: row.identityB }
}

export interface MessagePairRow {
  folderPairId: number
  /** null on one side = known only on the other (after a crash, or in one-way policies). */
  uidA: number | null
  uidB: number | null
  /** Flags and keywords at last sync (the merge base), sorted. */
  flags: string[]
  size: number
  /** ms epoch. */
  internalDate: number
  messageId: string | null
  /** Hex sha256 of the message bytes. */
  sha256: string | null
  /**
   * Labels at last sync (the label merge base), sorted; null: none recorded (labels were not in
   * play). Left out of an upsert: the recorded labels stay as they are.
   */
  labels?: string[] | null
}

export type Side = 'A' | 'B'

/**
 * A copy that migrate's verification still owes a check (failure null: a run stopped between
 * recording the copy and checking it), or whose check failed (failure says how the copy differs).
 */
export interface CopyCheckRow {
  folderPairId: number
  /** The side holding the copy, and its uid there. */
  side: Side
  uid: number
  /** The message it is a copy of, on the other side. */
  sourceUid: number
  messageId: string | null
  subject: string | null
  failure: string | null
}

export interface FolderPairSql {
  id: number
  name_a: string
  name_b: string
  uid_validity_a: number | null
  uid_validity_b: number | null
  uid_next_a: number | null
  uid_next_b: number | null
  highest_modseq_a: string | null
  highest_modseq_b: string | null
  messages_a: number | null
  messages_b: number | null
  change_token_a: string | null
  change_token_b: string | null
  last_policy: string | null
  identity_a: string | null
  identity_b: string | null
  last_sync: number | null
}

export function folderPairFromSql(r: FolderPairSql): FolderPairRow {
  return {
    id: r.id,
    nameA: r.name_a,
    nameB: r.name_b,
    uidValidityA: r.uid_validity_a,
    uidValidityB: r.uid_validity_b,
    uidNextA: r.uid_next_a,
    uidNextB: r.uid_next_b,
    highestModSeqA: r.highest_modseq_a === null ? null : BigInt(r.highest_modseq_a),
    highestModSeqB: r.highest_modseq_b === null ? null : BigInt(r.highest_modseq_b),
    messagesA: r.messages_a,
    messagesB: r.messages_b,
    changeTokenA: r.change_token_a,
    changeTokenB: r.change_token_b,
    lastPolicy: r.last_policy,
    identityA: r.identity_a,
    identityB: r.identity_b,
    lastSync: r.last_sync,
  }
}

/** The SQL column and value conversion of each field updateFolderPair may change. */
export const FOLDER_PAIR_COLUMNS: Record<keyof FolderPairPatch, { column: string; toSql(v: unknown): unknown }> = {
  uidValidityA: { column: 'uid_validity_a', toSql: (v) => uint32OrNull('uidValidityA', v) },
  uidValidityB: { column: 'uid_validity_b', toSql: (v) => uint32OrNull('uidValidityB', v) },
  uidNextA: { column: 'uid_next_a', toSql: (v) => uint32OrNull('uidNextA', v) },
  uidNextB: { column: 'uid_next_b', toSql: (v) => uint32OrNull('uidNextB', v) },
  highestModSeqA: { column: 'highest_modseq_a', toSql: (v) => modSeqToSql('highestModSeqA', v) },
  highestModSeqB: { column: 'highest_modseq_b', toSql: (v) => modSeqToSql('highestModSeqB', v) },
  messagesA: { column: 'messages_a', toSql: (v) => countOrNull('messagesA', v) },
  messagesB: { column: 'messages_b', toSql: (v) => countOrNull('messagesB', v) },
  changeTokenA: { column: 'change_token_a', toSql: (v) => textOrNull('changeTokenA', v) },
  changeTokenB: { column: 'change_token_b', toSql: (v) => textOrNull('changeTokenB', v) },
  lastPolicy: { column: 'last_policy', toSql: (v) => textOrNull('lastPolicy', v) },
  identityA: { column: 'identity_a', toSql: (v) => textOrNull('identityA', v) },
  identityB: { column: 'identity_b', toSql: (v) => textOrNull('identityB', v) },
  lastSync: { column: 'last_sync', toSql: (v) => countOrNull('lastSync', v) },
}

const MODSEQ_MAX = (1n << 64n) - 1n

function modSeqToSql(field: string, v: unknown): string | null {
  if (v === null) return null
  if (typeof v !== 'bigint' || v < 0n || v > MODSEQ_MAX) throw new TypeError(`${field} must be a bigint in 0..2^64-1 or null`)
  return v.toString()
}

export function uint32OrNull(field: string, v: unknown): number | null {
  if (v === null) return null
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new TypeError(`${field} must be an integer in 0..2^32-1 or null, not ${String(v)}`)
  }
  return v
}

function textOrNull(field: string, v: unknown): string | null {
  if (v === null) return null
  if (typeof v !== 'string') throw new TypeError(`${field} must be a string or null`)
  return v
}

function countOrNull(field: string, v: unknown): number | null {
  if (v === null) return null
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new TypeError(`${field} must be a non-negative integer or null`)
  return v
}

/** Flags travel as one space-joined, sorted, de-duplicated string (IMAP flags contain no spaces). */
export function flagsToSql(flags: readonly string[]): string {
  for (const f of flags) {
    if (f.length === 0 || /\s/.test(f)) throw new TypeError(`a flag must be non-empty and contain no white space: ${JSON.stringify(f)}`)
  }
  return [...new Set(flags)].sort().join(' ')
}

export function flagsFromSql(s: string): string[] {
  return s === '' ? [] : s.split(' ')
}

/**
 * Labels are kept as a JSON array (sorted, each once): unlike flags, a label may hold spaces
 * (`My Label`) and any other character.
 */
export function labelsToSql(labels: readonly string[] | null): string | null {
  if (labels === null) return null
  for (const l of labels) if (typeof l !== 'string' || l.length === 0) throw new TypeError(`a label must be a non-empty string: ${JSON.stringify(l)}`)
  return JSON.stringify([...new Set(labels)].sort())
}

export function labelsFromSql(s: string | null): string[] | null {
  if (s === null) return null
  const v: unknown = JSON.parse(s)
  if (!Array.isArray(v) || !v.every((l) => typeof l === 'string')) throw new TypeError(`labels in the status cache are not a list of strings: ${s}`)
  return v as string[]
}

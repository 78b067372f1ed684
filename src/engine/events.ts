// What the engine says while it works. Renderers (progress bars, lines, JSON) subscribe to these;
// the engine never prints. Shapes are documented in docs/json-events.md.

export type Direction = 'A->B' | 'B->A'

/** How a side's messages were listed: every message, from the records, or records plus changes. */
export type ListingKind = 'full' | 'records' | 'changes' | 'none'

export interface FolderCounts {
  copiedAtoB: number
  copiedBtoA: number
  adopted: number
  flagsAtoB: number
  flagsBtoA: number
  deletedA: number
  deletedB: number
  skipped: number
  failed: number
  verified: number
  bytes: number
}

export type EngineEvent =
  | { type: 'run-start'; policy: string; accounts: string[]; dryRun: boolean }
  | { type: 'account-start'; account: string; a: string; b: string }
  | { type: 'folder-plan'; account: string; folderA: string; folderB: string; create?: 'A' | 'B'; copyAtoB: number; copyBtoA: number; bytes: number; flagChanges: number; deletions: number; listedA: ListingKind; listedB: ListingKind }
  | { type: 'folder-start'; account: string; folderA: string; folderB: string; messages: number; bytes: number }
  | { type: 'folder-skip'; account: string; folderA: string; folderB: string; reason: string }
  | { type: 'folder-create'; account: string; side: 'A' | 'B'; folder: string }
  | { type: 'message-copied'; account: string; folder: string; direction: Direction; uid: number; newUid?: number; size: number }
  | { type: 'message-adopted'; account: string; folder: string; uidA: number; uidB: number }
  | { type: 'flags-changed'; account: string; folder: string; side: 'A' | 'B'; uids: number[]; add: string[]; remove: string[] }
  /** Labels (Repository.labels) added and removed on messages of a side; counted with the flag changes. */
  | { type: 'labels-changed'; account: string; folder: string; side: 'A' | 'B'; uids: number[]; add: string[]; remove: string[] }
  | { type: 'message-deleted'; account: string; folder: string; side: 'A' | 'B'; uids: number[] }
  | { type: 'uidvalidity-changed'; account: string; folder: string; side: 'A' | 'B'; old: number; now: number }
  | { type: 'warning'; account?: string; folder?: string; message: string }
  /** The server throttles the account: mailsync pauses `waitMs` and tries again (nothing lost, nothing counted as failed). */
  | { type: 'throttled'; account?: string; folder?: string; repository: string; message: string; waitMs: number }
  | { type: 'error'; account?: string; folder?: string; kind: string; message: string; uid?: number }
  | { type: 'folder-done'; account: string; folderA: string; folderB: string; counts: FolderCounts; ms: number }
  | { type: 'account-done'; account: string; counts: FolderCounts; ms: number; error?: string }
  | { type: 'run-done'; counts: FolderCounts; ms: number; exitCode: number; stopped?: boolean; throttledTimes?: number; throttledMs?: number }

export type EventSink = (e: EngineEvent) => void

/** How often a run was throttled, and how long it paused for it in all. */
export interface ThrottleTally {
  times: number
  waitedMs: number
}

export function emptyCounts(): FolderCounts {
  return { copiedAtoB: 0, copiedBtoA: 0, adopted: 0, flagsAtoB: 0, flagsBtoA: 0, deletedA: 0, deletedB: 0, skipped: 0, failed: 0, verified: 0, bytes: 0 }
}

export function addCounts(into: FolderCounts, more: FolderCounts): FolderCounts {
  for (const k of Object.keys(into) as (keyof FolderCounts)[]) into[k] += more[k]
  return into
}

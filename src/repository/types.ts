// The one contract every repository kind (IMAP, Maildir, ...) implements.
// The engine sees only these types; it never imports a repository kind.
import type { Readable } from 'node:stream'

/** Server or store features the engine can use to pick a cheaper path. */
export type Capability =
  | 'UIDPLUS'
  | 'CONDSTORE'
  | 'QRESYNC'
  | 'MOVE'
  | 'SPECIAL-USE'
  | 'IDLE'
  | 'COMPRESS'
  | 'NAMESPACE'

/** RFC 6154 special-use attributes we care about. */
export type SpecialUse = '\\Sent' | '\\Drafts' | '\\Trash' | '\\Junk' | '\\Archive' | '\\All' | '\\Flagged' | '\\Important'

export interface FolderInfo {
  /** UTF-8 name as the repository spells it, hierarchy joined by `separator` (e.g. `INBOX/Work`). */
  name: string
  /** Hierarchy separator used in `name`. */
  separator: string
  specialUse?: SpecialUse
  /** False for \Noselect / \NonExistent parents: listed, but holds no messages. */
  selectable: boolean
  /** A Maildir folder's directory below the root where it is spelled otherwise than `name` (modified UTF-7). */
  diskName?: string
}

export interface FolderStatus {
  uidValidity: number
  /** The UID the next appended message will get at least. */
  uidNext: number
  /** Number of messages, where known cheaply. */
  messages?: number
  /** CONDSTORE HIGHESTMODSEQ; absent where the repository has no mod-sequences. */
  highestModSeq?: bigint
  /**
   * Opaque token that changes whenever the folder's content may have changed, for stores without
   * mod-sequences (Maildir: directory mtimes). Undefined when the store cannot promise that.
   */
  changeToken?: string
}

/**
 * One message as listed, without its body.
 * `flags` holds IMAP system flags (`\Seen`, `\Answered`, `\Flagged`, `\Deleted`, `\Draft`)
 * and keywords (`$Forwarded`, `Work`, ...) in one sorted array, the way IMAP sees them.
 */
export interface MessageMeta {
  uid: number
  flags: string[]
  size: number
  /** INTERNALDATE (IMAP) or file mtime (Maildir), milliseconds since the epoch. */
  internalDate: number
  /** Message-ID header value including angle brackets, when asked for and present. */
  messageId?: string
  modSeq?: bigint
  /**
   * Per-message labels, only from a repository that keeps them (Repository.labels): Gmail's
   * X-GM-LABELS (`\Inbox`, `\Sent`, `Work`, `Lists/Debian`), a labels-keeping Maildir's record of
   * them. A set, sorted, UTF-8. The planner merges them three-way, like flags.
   */
  labels?: string[]
  /**
   * The message's identity across every folder of its store, where the store has one (Gmail's
   * X-GM-MSGID, in decimal): stronger than Message-ID for adoption and dedupe.
   */
  globalId?: string
}

export interface ListOptions {
  /** Also read each message's Message-ID header (costs a header fetch / file read). */
  withMessageId?: boolean
  /** Only messages whose flags changed after this mod-sequence (CONDSTORE CHANGEDSINCE). */
  changedSince?: bigint
  /** Only these UIDs (or, as `{from}`, UIDs >= from). */
  uids?: number[] | { from: number }
  /**
   * Size and internal date of messages the caller has seen before under these UIDs (same
   * UIDVALIDITY). A message's bytes never change under one UID, so a store may report these
   * instead of reading them again (Maildir: no stat of a file whose name it knows); flags are
   * always read.
   */
  known?: ReadonlyMap<number, { size: number; internalDate: number }>
}

export interface ListResult {
  messages: MessageMeta[]
  /**
   * With `changedSince` on a QRESYNC server: UIDs expunged since then (VANISHED).
   * Undefined means "not known": the caller must compare full UID lists to find deletions.
   */
  vanished?: number[]
}

/** A message body; `content` is exactly the stored bytes, streamed for large messages. */
export interface MessageBody {
  uid: number
  size: number
  content: Buffer | Readable
  /**
   * `size` is the exact length of a streamed `content` (a file's length). Otherwise a stream's
   * size is the source server's word (RFC822.SIZE), which some servers do not keep exactly.
   */
  sizeExact?: boolean
}

export interface AppendInput {
  /** The exact bytes to store; a stream is consumed once. */
  content: Buffer | Readable
  size: number
  /** As MessageBody.sizeExact: a streamed content is exactly `size` bytes long. */
  sizeExact?: boolean
  flags: string[]
  internalDate: number
  /** Helps find the new UID on servers without UIDPLUS. Never injected into the message. */
  messageId?: string
  sha256?: string
  /** Labels to give the new message, where the store keeps labels (Repository.labels). */
  labels?: string[]
}

export interface AppendResult {
  /** New UID, or undefined where the store cannot tell (no UIDPLUS and no unique match). */
  uid?: number
  /** UIDVALIDITY the UID belongs to. */
  uidValidity: number
}

export type AppendOutcome = AppendResult | { error: unknown }

export interface FetchOptions {
  /** Sizes of (some of) the UIDs, from a listing of this session's folder. */
  sizes?: ReadonlyMap<number, number>
}

/**
 * Pairs another tool recorded between this folder and the other side (mbsync's state in a
 * Maildir folder): UIDs of this folder and of the other side's folder, valid while the other
 * side's UIDVALIDITY is `otherUidValidity`.
 */
export interface PriorPairs {
  tool: string
  otherUidValidity: number
  pairs: { otherUid: number; uid: number }[]
}

/**
 * Something in a folder that is not served as a message (a Maildir's FIFO, unreadable file, or
 * symlink to outside its tree). `uid`: the UID it carries, which is then neither a message nor
 * gone: records of it are left as they are.
 */
export interface PassedOver {
  uid?: number
  /** error: mail the user may expect to be synced is not; warning: something odd was skipped. */
  level: 'warning' | 'error'
  message: string
}

/** An open folder. Calls on one session are made one at a time. */
export interface FolderSession {
  readonly name: string
  readonly status: FolderStatus
  readonly readOnly: boolean
  list(opts?: ListOptions): Promise<ListResult>
  /**
   * Bodies in ascending UID order; UIDs that no longer exist are skipped. `sizes`: what a listing
   * of this folder said (a store may use them to plan its reads instead of asking again).
   */
  fetch(uids: number[], opts?: FetchOptions): AsyncIterable<MessageBody>
  append(msg: AppendInput): Promise<AppendResult>
  /**
   * Several messages held in memory, stored in this order, one result per message: where the
   * store can, as one operation (IMAP MULTIAPPEND: one server transaction instead of one per
   * message). A failure of one message is its result's `error` (the others are still stored);
   * a failure of the connection or the disk is thrown. Optional: without it callers append one
   * message at a time.
   */
  appendMany?(msgs: AppendInput[]): Promise<AppendOutcome[]>
  /**
   * Makes every append so far durable. A store may defer part of that work (Maildir: the fsync of
   * the directory the new files were renamed into) to do it once for many appends; the engine
   * calls this before it records copies in the status cache. Until then a crash may lose an
   * appended message, never leave half of one. close() flushes too.
   */
  flush?(): Promise<void>
  /** Add and remove flags (system flags and keywords) on the given UIDs. */
  setFlags(uids: number[], add: string[], remove: string[]): Promise<void>
  /**
   * Add and remove labels on the given UIDs; present exactly where Repository.labels is true.
   * Labels are a per-message set beside flags (Gmail: STORE +X-GM-LABELS / -X-GM-LABELS).
   */
  setLabels?(uids: number[], add: string[], remove: string[]): Promise<void>
  /**
   * Remove messages for good: only the given UIDs, never anything else flagged \Deleted. (On a
   * store with labels, a real delete: Gmail moves the message to its Trash, not just a label off.)
   */
  delete(uids: number[]): Promise<void>
  /** UIDs whose Message-ID header equals `messageId`. */
  searchMessageId(messageId: string): Promise<number[]>
  /** What the folder holds that was not listed as a message, as far as this session has seen. */
  passedOver?(): PassedOver[]
  /**
   * The folder's change token (FolderStatus.changeToken) as it is now, where the store can tell
   * that every change since `start` (the status the run began with) was made by this session;
   * undefined otherwise. The engine records it after a clean run, so the next run need not list
   * again what this one wrote. Optional: without it the start status is recorded.
   */
  changeTokenNow?(start: FolderStatus): Promise<string | undefined>
  /** What another tool recorded of this folder's pairs with the other side, where a store keeps such state. */
  priorPairs?(): PriorPairs | undefined
  close(): Promise<void>
}

export interface Repository {
  /** The config name (`[Repository NAME]`) or the URL it was made from. */
  readonly name: string
  readonly kind: string
  /**
   * Which store this is (`imap:user@host:port`, `maildir:/abs/root`): the status cache keeps it,
   * and treats a different store behind the same name like a UIDVALIDITY change.
   */
  readonly identity?: string
  /** Upper bound on concurrently open folder sessions (IMAP: `maxconnections`). */
  readonly maxConnections: number
  readonly readOnly: boolean
  /**
   * The store keeps per-message labels (Gmail in its store layout; a Maildir that records labels):
   * its listings carry MessageMeta.labels and its sessions have setLabels.
   */
  readonly labels?: boolean
  /** Connect / check the store; cheap to call twice. */
  open(): Promise<void>
  capabilities(): Promise<Set<Capability>>
  /** Hierarchy separator used in folder names. */
  separator(): Promise<string>
  /**
   * The personal namespace's prefix that folder names carry (IMAP NAMESPACE: `INBOX.` on
   * Debian's Cyrus, '' on Dovecot); absent where the store has no namespaces (Maildir).
   */
  personalPrefix?(): Promise<string>
  listFolders(): Promise<FolderInfo[]>
  createFolder(name: string): Promise<void>
  /** Cheap status without opening the folder for messages (IMAP STATUS). */
  folderStatus(name: string): Promise<FolderStatus>
  /**
   * The status of many folders in one request, where the store can (IMAP LIST-STATUS): what
   * folderStatus would say of each of `names` that exists. Undefined when the store cannot do
   * better than one folderStatus per folder.
   */
  folderStatuses?(names: readonly string[]): Promise<Map<string, FolderStatus> | undefined>
  openFolder(name: string, opts?: { readOnly?: boolean }): Promise<FolderSession>
  /**
   * Whether the store holds state that only a mailsync run leaves behind (a Maildir's UID state
   * files): it was synced before. Read-only; undefined where a store cannot tell.
   */
  syncedBefore?(): Promise<boolean>
  /**
   * What is missing when the store is not there at all (a Maildir whose root directory does not
   * exist or holds no folder, as an unmounted disk looks), which open() would make afresh;
   * undefined when it is there. Read-only.
   */
  missingStore?(): Promise<string | undefined>
  /**
   * Push: reports changes as they happen, until closed. `folders` are the ones the user asked to
   * be watched (IMAP `idlefolders`: one IDLE connection each); a store that can watch every folder
   * at once (IMAP NOTIFY, a Maildir's file-system watch) watches all. Undefined: nothing to watch.
   */
  watch?(h: WatchHandlers, o?: { folders?: readonly string[] }): Promise<StoreWatch | undefined>
  /**
   * The largest message this store takes (IMAP: appendlimit, the server's APPENDLIMIT, a provider
   * preset's figure), and where that figure comes from; undefined: no known limit. Known once open.
   */
  appendLimit?(): { bytes: number; why: string } | undefined
  /** For a repository kept open between runs (holdconnectionopen): keep its idle connections alive (IMAP NOOP). */
  keepAlive?(): Promise<void>
  close(): Promise<void>
  /**
   * After close(): settles once every network connection is really gone (its socket closed), for
   * a caller that counts connections across repositories (the batch runner's per-server budget).
   */
  drained?(): Promise<void>
}

/** What a store's push (Repository.watch) reports to. */
export interface WatchHandlers {
  /** Something in `folder` (its name as listFolders spells it; undefined: somewhere) may have changed. */
  changed(folder?: string): void
  /** The push was lost (connection closed, folder gone): the watcher opens it again later. */
  lost(err: Error): void
}

export interface StoreWatch {
  /** How it watches, for the log: e.g. `NOTIFY (every folder)`, `IDLE INBOX`, `inotify 14 folders`. */
  readonly how: string
  /** Network connections it holds: counted within the repository's maxconnections. */
  readonly connections: number
  /** Takes in folders made since (a watcher calls it after each round). */
  refresh?(): Promise<void>
  close(): Promise<void>
}

/** System flags in IMAP spelling. */
export const SYSTEM_FLAGS = ['\\Answered', '\\Deleted', '\\Draft', '\\Flagged', '\\Seen'] as const

export function normalizeFlags(flags: Iterable<string>): string[] {
  const out = new Set<string>()
  for (const f of flags) {
    if (f === '\\Recent') continue
    const sys = SYSTEM_FLAGS.find((s) => s.toLowerCase() === f.toLowerCase())
    out.add(sys ?? f)
  }
  return [...out].sort()
}

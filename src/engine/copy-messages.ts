// Copies messages from one open folder to another, streaming each body from fetch to append.
// After the appends of a group (64 messages, or one streamed message), the target is flushed and
// their message pairs committed in one transaction. A crash in between leaves unrecorded copies
// that the next run adopts by fingerprint instead of copying again: it lists the target since the
// status seen before the killed run, so those copies are among its changes (no intent table is
// needed for that, see test/integration/kill-intents.test.ts). Grouping the commits keeps the
// status cache from costing more than the copies themselves. A target that can store many messages in one
// operation (appendMany: IMAP MULTIAPPEND) gets the in-memory messages of a group together.
// With verification (migrate), each copy is recorded as owing its check in the same commit as its
// pair, and the check's outcome is committed after it (see copy-checks.ts for what later runs do
// with a check still owed, or failed).
import type { Readable } from 'node:stream'
import type { AppendInput, AppendResult, FolderSession, MessageBody, MessageMeta } from '../repository/types.js'
import type { CopyCheckRow, MessagePairRow, StatusDb } from '../state/status-db.js'
import type { Direction, EventSink } from './events.js'
import { FingerprintTap, sha256Of } from './message-fingerprint.js'
import { memoryKeeper } from './memory-keeper.js'
import { MailsyncError } from '../errors.js'

export interface CopyRequest {
  db: StatusDb
  folderPairId: number
  from: FolderSession
  to: FolderSession
  direction: Direction
  messages: readonly MessageMeta[]
  emit: EventSink
  account: string
  folder: string
  /** Check each copy on the target: 'bytes' fetches it back and compares SHA-256, 'size' compares the size listed. */
  verify?: 'bytes' | 'size'
  /** Filled as messages are stored, so a copy that stops half-way (connection lost) still says what it did. */
  result?: CopyResult
  /** Once aborted, no further message is started; what is stored is recorded, the rest is left for the next run. */
  stop?: AbortSignal
  /**
   * Where labels are in play: the labels a copy carries (AppendInput.labels), recorded with its
   * pair as the label base. Undefined: copies carry none and no label base is recorded.
   */
  labelsOf?: (m: MessageMeta) => string[]
}

export interface CopyResult {
  copied: number
  bytes: number
  verified: number
  failed: { uid: number; messageId?: string; subject?: string; reason: string; verification?: boolean }[]
  /** The copy was stopped (CopyRequest.stop) before every message was started. */
  stopped?: boolean
}

/** Messages whose pairs are committed in one transaction. */
const GROUP = 64
/** Bytes of messages held for one appendMany() (a message above the stream threshold goes alone). */
const BATCH_BYTES = 4 * 1024 * 1024

export async function copyMessages(r: CopyRequest): Promise<CopyResult> {
  const res: CopyResult = r.result ?? { copied: 0, bytes: 0, verified: 0, failed: [] }
  const byUid = new Map(r.messages.map((m) => [m.uid, m]))
  const order = [...byUid.keys()].sort((a, b) => a - b)
  const targetSide = r.direction === 'A->B' ? 'B' : 'A'
  const seen = new Set<number>()
  const written: Written[] = []
  /** Records of stored messages, committed together once the target made them durable. */
  const pending: MessagePairRow[] = []
  /** With verification: written[committed..] are copies whose owed checks are not recorded yet (they go with their pairs). */
  let committed = 0
  /** Messages started since the last commit: a group ends at GROUP. */
  let inGroup = 0
  const commit = async (): Promise<void> => {
    inGroup = 0
    if (!pending.length) return
    // The copies must be durable before the status cache says they exist.
    await r.to.flush?.()
    r.db.transaction(() => {
      for (const row of pending) r.db.upsertMessagePair(row)
      for (const w of written.slice(committed)) r.db.putCopyCheck(owedCheck(w))
    }, 'pair-commit')
    pending.length = 0
    committed = written.length
  }
  /** A message whose body is read, to be appended. */
  interface Ready { body: MessageBody; meta: MessageMeta; tap: FingerprintTap; content: Buffer | Readable; messageId: string | undefined }
  const owedCheck = (w: Written): CopyCheckRow => ({
    folderPairId: r.folderPairId, side: targetSide, uid: w.newUid, sourceUid: w.uid, messageId: w.messageId ?? null, subject: w.subject ?? null, failure: null,
  })
  const input = (m: Ready): AppendInput => ({
    content: m.content, size: m.body.size, flags: m.meta.flags, internalDate: m.meta.internalDate, messageId: m.messageId,
    ...(m.body.sizeExact ? { sizeExact: true } : {}),
    ...(r.labelsOf ? { labels: r.labelsOf(m.meta) } : {}),
  })
  const stored = (m: Ready, out: AppendResult): void => {
    const fp = m.tap.result()
    if (out.uid !== undefined) {
      pending.push({
        folderPairId: r.folderPairId,
        uidA: r.direction === 'A->B' ? m.body.uid : out.uid,
        uidB: r.direction === 'A->B' ? out.uid : m.body.uid,
        flags: m.meta.flags, size: m.body.size, internalDate: m.meta.internalDate, messageId: fp.messageId ?? null, sha256: fp.sha256,
        ...(r.labelsOf ? { labels: r.labelsOf(m.meta) } : {}),
      })
      // kept for the check after the copy only (thousands of these outlived every young-generation GC)
      if (r.verify) {
        const subject = m.tap.subject()
        written.push({ uid: m.body.uid, newUid: out.uid, sha256: fp.sha256, messageId: fp.messageId, subject, size: m.body.size })
      }
    }
    // Without a new UID nothing is recorded: the next run pairs the copy by fingerprint.
    res.copied++
    res.bytes += m.body.size
    memoryKeeper.bodyHandled(m.body.size)
    r.emit({ type: 'message-copied', account: r.account, folder: r.folder, direction: r.direction, uid: m.body.uid, newUid: out.uid, size: m.body.size })
  }
  const refused = (m: Ready, e: unknown): void => {
    // a throttled APPEND is the server's state, not the message's: the folder is resumed later
    if (e instanceof MailsyncError && (e.kind === 'network' || e.kind === 'auth' || e.kind === 'disk' || e.kind === 'throttled' || e.kind === 'quota')) throw e
    const reason = e instanceof Error ? e.message : String(e)
    const fp = m.tap.result()
    res.failed.push({ uid: m.body.uid, messageId: fp.messageId ?? m.meta.messageId, subject: m.tap.subject(), reason })
    r.emit({ type: 'error', account: r.account, folder: r.folder, kind: e instanceof MailsyncError ? e.kind : 'server', message: `message UID ${m.body.uid}: ${reason}`, uid: m.body.uid })
  }
  // Where the target stores many messages in one operation (IMAP MULTIAPPEND), messages in
  // memory wait in `batch` (at most one group, BATCH_BYTES) and go together.
  const appendMany = r.to.appendMany?.bind(r.to)
  let batch: Ready[] = []
  let batchBytes = 0
  const sendBatch = async (): Promise<void> => {
    if (!batch.length) return
    const ready = batch
    batch = []
    batchBytes = 0
    const outs = await appendMany!(ready.map(input))
    ready.forEach((m, i) => {
      const out = outs[i]
      if (out && !('error' in out)) stored(m, out)
      else refused(m, out ? out.error : new Error('no result from the target'))
    })
  }
  try {
    // the listing's sizes: the source need not ask for them again to plan its reads
    for await (const body of r.from.fetch(order, { sizes: new Map(r.messages.map((m) => [m.uid, m.size])) })) {
      if (r.stop?.aborted) {
        res.stopped = true
        break
      }
      const meta = byUid.get(body.uid)
      if (!meta || seen.has(body.uid)) continue
      seen.add(body.uid)
      const tap = new FingerprintTap()
      const content = tap.wrap(body.content)
      const early = Buffer.isBuffer(content) ? tap.result() : undefined
      const inMemory = Buffer.isBuffer(content)
      // a group boundary or a streamed (large) message: what waits goes first, and is recorded
      if (!inMemory || inGroup >= GROUP) {
        await sendBatch()
        await commit()
      }
      inGroup++
      const m: Ready = { body, meta, tap, content, messageId: early?.messageId ?? meta.messageId }
      if (appendMany && inMemory) {
        batch.push(m)
        batchBytes += body.size
        if (batch.length >= GROUP || batchBytes >= BATCH_BYTES) await sendBatch()
        continue
      }
      try {
        stored(m, await r.to.append(input(m)))
      } catch (e) {
        refused(m, e)
      }
    }
    await sendBatch()
  } finally {
    // what the target stored is recorded, also when the copy stopped half-way
    await commit()
  }
  for (const m of r.messages) {
    if (!seen.has(m.uid) && !res.stopped) res.failed.push({ uid: m.uid, messageId: m.messageId, reason: 'vanished from the source before it could be copied' })
  }
  if (r.verify && written.length) {
    const outcome = new Map<Written, string | null>()
    const settle = (w: Written, failure: string | null): void => {
      outcome.set(w, failure)
      if (failure === null) res.verified++
      else res.failed.push({ uid: w.uid, messageId: w.messageId, subject: w.subject, reason: failure, verification: true })
    }
    await (r.verify === 'bytes' ? verifyCopies(r.to, written, settle) : verifySizes(r.to, written, settle))
    // a failed check stays recorded, so that every later run says so too (copy-checks.ts)
    r.db.transaction(() => {
      for (const [w, failure] of outcome) {
        if (failure === null) r.db.deleteCopyCheck(r.folderPairId, targetSide, w.newUid)
        else r.db.putCopyCheck({ folderPairId: r.folderPairId, side: targetSide, uid: w.newUid, sourceUid: w.uid, messageId: w.messageId ?? null, subject: w.subject ?? null, failure })
      }
    }, 'verify-commit')
  }
  return res
}

/** A copy made: the source's uid, the copy's, and what the copy must be. */
export interface Written { uid: number; newUid: number; sha256: string; messageId?: string; subject?: string; size: number }

/** A copy's check: `failure` null when it passed, else how the copy differs. */
type Settle = (w: Written, failure: string | null) => void

/** Without fetching back: the target must list each copy with the size that was sent. */
export async function verifySizes(to: FolderSession, written: readonly Written[], settle: Settle): Promise<void> {
  const listed = new Map((await to.list({ uids: written.map((w) => w.newUid) })).messages.map((m) => [m.uid, m.size]))
  for (const w of written) {
    const size = listed.get(w.newUid)
    settle(w, size === w.size ? null : size === undefined ? `copy (UID ${w.newUid}) not found on the target` : `copy (UID ${w.newUid}) has ${size} bytes, the source ${w.size}`)
  }
}

/** Fetches each copy back from the target and compares its SHA-256 with the source's. */
export async function verifyCopies(to: FolderSession, written: readonly Written[], settle: Settle): Promise<void> {
  const expected = new Map(written.map((w) => [w.newUid, w]))
  const found = new Set<number>()
  for await (const body of to.fetch([...expected.keys()].sort((x, y) => x - y))) {
    const w = expected.get(body.uid)
    if (!w || found.has(body.uid)) continue
    found.add(body.uid)
    settle(w, (await sha256Of(body.content)) === w.sha256 ? null : `copy (UID ${body.uid}) differs from the source`)
  }
  for (const w of written) if (!found.has(w.newUid)) settle(w, `copy (UID ${w.newUid}) not found on the target`)
}

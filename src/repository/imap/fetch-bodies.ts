// Message bodies, byte-exact (BODY.PEEK[]: never sets \Seen), in ascending UID order.
// Small messages come in bulk UID FETCH batches as Buffers (read by raw/ where the connection can
// be borrowed, by imapflow otherwise); large ones are streamed by imapflow in partial fetches so
// no whole large message is ever held in memory.
import type { FetchMessageObject, FetchQueryObject, ImapFlow } from 'imapflow'
import type { Readable } from 'node:stream'
import { finished } from 'node:stream/promises'
import type { MessageBody } from '../types.js'
import { batches, compressUids, sortedUids, uidSetChunks } from './uid-set.js'
import { rawUidFetch } from './raw/uid-fetch.js'
import { bytesItem, numberItem, type ItemValue } from './raw/fetch-response.js'

export interface FetchLimits {
  /** Messages above this size are streamed (default 4 MiB). */
  streamThreshold: number
  /** Upper bound on the bytes of one bulk FETCH (default 1 MiB: a batch is held in memory on each connection, and larger ones only raised the peak RSS, not the speed). */
  batchBytes: number
  /** Upper bound on the messages of one bulk FETCH (default 500). */
  batchMessages: number
  /** Partial-fetch window for streamed messages (default 1 MiB). */
  chunkBytes: number
}

export const DEFAULT_FETCH_LIMITS: FetchLimits = {
  streamThreshold: 4 * 1024 * 1024,
  batchBytes: 1024 * 1024,
  batchMessages: 500,
  chunkBytes: 1024 * 1024,
}

/**
 * A streamed body must be read (or destroyed) by the caller before it asks for the next body:
 * the generator waits for that stream to end before it sends its next command.
 *
 * While the caller handles one batch of small messages, the next batch is already being fetched
 * (one batch ahead, so at most two batches are in memory): the server prepares it while the
 * caller writes files or appends to another server, instead of the two taking turns.
 */
export async function* fetchBodies(client: ImapFlow, uids: number[], limits: FetchLimits = DEFAULT_FETCH_LIMITS, known?: ReadonlyMap<number, number>): AsyncGenerator<MessageBody> {
  const wanted = sortedUids(uids)
  if (wanted.length === 0) return
  const steps = plan(wanted, await sizesOf(client, wanted, known), limits)
  let ahead: Promise<Map<number, Buffer>> | undefined
  try {
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!
      if (step.kind === 'stream') {
        const body = await streamBody(client, step.uid, step.size, limits.chunkBytes)
        if (!body) continue
        yield body
        await finished(body.content as Readable).catch(() => undefined)
        continue
      }
      const got = await (ahead ?? fetchBatch(client, step.uids))
      ahead = undefined
      const next = steps[i + 1]
      if (next?.kind === 'batch') {
        ahead = fetchBatch(client, next.uids)
        ahead.catch(() => undefined) // awaited (and its error thrown) when its turn comes
      }
      for (const uid of step.uids) {
        const content = got.get(uid)
        if (content) yield { uid, size: content.length, content }
      }
    }
  } finally {
    // A caller that stops early: the fetch already sent finishes before the connection is reused.
    if (ahead) await ahead.catch(() => undefined)
  }
}

type Step = { kind: 'batch'; uids: number[] } | { kind: 'stream'; uid: number; size: number }

/** Small messages in batches (bounded in bytes and count), large ones alone, in UID order. */
function plan(wanted: number[], sizes: Map<number, number>, limits: FetchLimits): Step[] {
  const steps: Step[] = []
  let batch: number[] = []
  let batchBytes = 0
  const flush = () => {
    if (batch.length) steps.push({ kind: 'batch', uids: batch })
    batch = []
    batchBytes = 0
  }
  for (const uid of wanted) {
    const size = sizes.get(uid)
    if (size === undefined) continue // expunged meanwhile: skipped, as the contract says
    if (size > limits.streamThreshold) {
      flush()
      steps.push({ kind: 'stream', uid, size })
      continue
    }
    if (batch.length && (batchBytes + size > limits.batchBytes || batch.length >= limits.batchMessages)) flush()
    batch.push(uid)
    batchBytes += size
  }
  flush()
  return steps
}

/**
 * The sizes to plan with: those the caller listed (a UID's size never changes), and the others
 * asked for. A listed UID expunged since is in a batch all the same; the FETCH just skips it.
 */
async function sizesOf(client: ImapFlow, wanted: number[], known: ReadonlyMap<number, number> | undefined): Promise<Map<number, number>> {
  if (!known) return fetchSizes(client, wanted)
  const sizes = new Map<number, number>()
  const unknown: number[] = []
  for (const uid of wanted) {
    const size = known.get(uid)
    if (size === undefined || !(size > 0)) unknown.push(uid) // 0: the listing did not say
    else sizes.set(uid, size)
  }
  if (unknown.length) for (const [uid, size] of await fetchSizes(client, unknown)) sizes.set(uid, size)
  return sizes
}

/** RFC822.SIZE of the UIDs that exist, in one command per few thousand UIDs. */
export async function fetchSizes(client: ImapFlow, uids: number[]): Promise<Map<number, number>> {
  const sizes = new Map<number, number>()
  const wanted = new Set(uids)
  for (const range of uidSetChunks(uids)) {
    for (const [uid, size] of await fetchItem(client, range, wanted, SIZE)) sizes.set(uid, size)
  }
  return sizes
}

/** The bodies of `uids` (those that still exist), from UID FETCH commands of up to 5,000 UIDs. */
async function fetchBatch(client: ImapFlow, uids: number[]): Promise<Map<number, Buffer>> {
  const got = new Map<number, Buffer>()
  for (const part of batches(uids, 5000)) {
    for (const [uid, body] of await fetchItem(client, compressUids(part), new Set(part), BODY)) got.set(uid, body)
  }
  return got
}

/** One data item, as requested, as answered, and as read from either reader. */
interface ItemSpec<T> {
  request: string
  answer: string
  fromRaw(v: ItemValue | undefined): T | undefined
  query: FetchQueryObject
  fromImapflow(m: FetchMessageObject): T | undefined
}

const SIZE: ItemSpec<number> = {
  request: 'RFC822.SIZE', answer: 'RFC822.SIZE', fromRaw: numberItem,
  query: { uid: true, size: true }, fromImapflow: (m) => (typeof m.size === 'number' ? m.size : undefined),
}

const BODY: ItemSpec<Buffer> = {
  request: 'BODY.PEEK[]', answer: 'BODY[]', fromRaw: bytesItem,
  query: { uid: true, source: true }, fromImapflow: (m) => m.source,
}

/** The item for each wanted UID of `set`: read here (raw/), or by imapflow when that is refused. */
async function fetchItem<T>(client: ImapFlow, set: string, wanted: Set<number>, item: ItemSpec<T>): Promise<Map<number, T>> {
  const got = new Map<number, T>()
  const outcome = await rawUidFetch(client, {
    uids: set,
    items: `(UID ${item.request})`,
    answers: ['UID', item.answer],
    onFetch: (r) => {
      const uid = numberItem(r.items.get('UID'))
      const value = item.fromRaw(r.items.get(item.answer))
      if (uid !== undefined && value !== undefined && wanted.has(uid)) got.set(uid, value)
    },
  })
  if (outcome === 'done') return got
  got.clear()
  for await (const msg of client.fetch(set, item.query, { uid: true })) {
    const value = item.fromImapflow(msg)
    if (wanted.has(msg.uid) && value !== undefined) got.set(msg.uid, value)
  }
  return got
}

async function streamBody(client: ImapFlow, uid: number, size: number, chunkBytes: number): Promise<MessageBody | undefined> {
  const dl = await client.download(String(uid), undefined, { uid: true, chunkSize: chunkBytes })
  if (!('content' in dl) || !dl.content) return undefined
  return { uid, size, content: dl.content }
}

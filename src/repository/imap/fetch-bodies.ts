// Message bodies, byte-exact (BODY.PEEK[]: never sets \Seen), in ascending UID order.
// Small messages come in bulk UID FETCH batches as Buffers; large ones are streamed in partial
// fetches so no whole large message is ever held in memory.
import type { ImapFlow } from 'imapflow'
import type { Readable } from 'node:stream'
import { finished } from 'node:stream/promises'
import type { MessageBody } from '../types.js'
import { batches, compressUids, sortedUids, uidSetChunks } from './uid-set.js'

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
 */
export async function* fetchBodies(client: ImapFlow, uids: number[], limits: FetchLimits = DEFAULT_FETCH_LIMITS): AsyncGenerator<MessageBody> {
  const wanted = sortedUids(uids)
  if (wanted.length === 0) return
  const sizes = await fetchSizes(client, wanted)
  let batch: number[] = []
  let batchBytes = 0
  for (const uid of wanted) {
    const size = sizes.get(uid)
    if (size === undefined) continue // expunged meanwhile: skipped, as the contract says
    if (size > limits.streamThreshold) {
      if (batch.length) yield* fetchBatch(client, batch)
      batch = []
      batchBytes = 0
      const body = await streamBody(client, uid, size, limits.chunkBytes)
      if (!body) continue
      yield body
      await finished(body.content as Readable).catch(() => undefined)
      continue
    }
    if (batch.length && (batchBytes + size > limits.batchBytes || batch.length >= limits.batchMessages)) {
      yield* fetchBatch(client, batch)
      batch = []
      batchBytes = 0
    }
    batch.push(uid)
    batchBytes += size
  }
  if (batch.length) yield* fetchBatch(client, batch)
}

/** RFC822.SIZE of the UIDs that exist, in one command per few thousand UIDs. */
export async function fetchSizes(client: ImapFlow, uids: number[]): Promise<Map<number, number>> {
  const sizes = new Map<number, number>()
  const wanted = new Set(uids)
  for (const range of uidSetChunks(uids)) {
    for await (const msg of client.fetch(range, { uid: true, size: true }, { uid: true })) {
      if (wanted.has(msg.uid) && typeof msg.size === 'number') sizes.set(msg.uid, msg.size)
    }
  }
  return sizes
}

async function* fetchBatch(client: ImapFlow, uids: number[]): AsyncGenerator<MessageBody> {
  for (const part of batches(uids, 5000)) {
    const got = new Map<number, Buffer>()
    const wanted = new Set(part)
    for await (const msg of client.fetch(compressUids(part), { uid: true, source: true }, { uid: true })) {
      if (wanted.has(msg.uid) && msg.source) got.set(msg.uid, msg.source)
    }
    for (const uid of part) {
      const content = got.get(uid)
      if (content) yield { uid, size: content.length, content }
    }
  }
}

async function streamBody(client: ImapFlow, uid: number, size: number, chunkBytes: number): Promise<MessageBody | undefined> {
  const dl = await client.download(String(uid), undefined, { uid: true, chunkSize: chunkBytes })
  if (!('content' in dl) || !dl.content) return undefined
  return { uid, size, content: dl.content }
}

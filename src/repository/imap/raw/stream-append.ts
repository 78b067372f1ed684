// One APPEND whose message is read from a stream while it is sent (command.ts, `streamed`), so a
// large message never sits in memory: imapflow's APPEND takes a Buffer only.
//
// The literal's length is announced first, so `size` must be the stream's exact length: a
// stream that gives fewer or more bytes fails with LiteralSizeError, and since the command is
// then never finished, the server stores nothing (the connection is closed). With BINARY the
// literal is a literal8 (`~{n}`): the bytes are not known in advance, and a NUL among them needs
// one; Dovecot stores a literal8 without NULs exactly as a plain literal. Without LITERAL+ the
// bytes wait for the server's `+`.
//
// 'unavailable' (nothing read from the stream): the mailbox name needs a literal, or the
// connection cannot be borrowed. 'refused': the server said NO or BAD, or the message is over its
// APPENDLIMIT.
import type { ImapFlow } from 'imapflow'
import type { Readable } from 'node:stream'
import { runRawCommand } from './command.js'
import { appendLimit, appendMailbox, appendUid, messageArgs } from './append-args.js'

export interface StreamAppendMessage {
  source: Readable
  /** The stream's exact length in bytes. */
  size: number
  flags: string[]
  internalDate: number
}

export type StreamAppendResult =
  | { outcome: 'done'; uidValidity?: number; uid?: number }
  | { outcome: 'unavailable' | 'refused'; reason: string }

export async function rawStreamAppend(
  client: ImapFlow, path: string, msg: StreamAppendMessage, onChunk?: (chunk: Buffer) => void,
): Promise<StreamAppendResult> {
  const limit = appendLimit(client)
  if (limit !== undefined && msg.size > limit) return { outcome: 'refused', reason: `the message (${msg.size} bytes) is over the server's APPENDLIMIT of ${limit} bytes` }
  if (msg.size <= 0) return { outcome: 'unavailable', reason: 'empty message' }
  const mailbox = appendMailbox(client, path)
  if (!mailbox) return { outcome: 'unavailable', reason: 'mailbox name needs a literal' }
  const literalPlus = client.capabilities.has('LITERAL+')
  const open = client.capabilities.has('BINARY') ? '~{' : '{'
  const announce = `${messageArgs(client, path, msg.flags, msg.internalDate)} ${open}${msg.size}${literalPlus ? '+' : ''}}\r\n`
  const res = await runRawCommand(client, {
    line: `APPEND ${mailbox}`,
    rest: [Buffer.from(announce, 'latin1')],
    streamed: { source: msg.source, size: msg.size, synchronizing: !literalPlus, after: [], ...(onChunk ? { onChunk } : {}) },
    untagged: () => false, // EXISTS and the like: imapflow's
    summary: () => `${msg.size} bytes streamed`,
  })
  if (res.outcome === 'unavailable') return { outcome: 'unavailable', reason: 'connection busy' }
  if (res.outcome === 'refused') return { outcome: 'refused', reason: res.tagged }
  const assigned = appendUid(res.tagged, 1)
  return assigned ? { outcome: 'done', uidValidity: assigned.uidValidity, uid: assigned.uids[0]! } : { outcome: 'done' }
}

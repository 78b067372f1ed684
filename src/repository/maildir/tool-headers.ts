// mbsync marks each message it stores in a Maildir with a header line `X-TUID: <12 characters>`
// (its way of finding a message again) and leaves that line out when it uploads the message. The
// Maildir serves the files of other programs without it, as mbsync does, so that its copy is the
// server's message byte for byte and is matched by content. Our own files (those with W=) never
// carry it and are served as they are.
import { headerPart } from '../../mail/header.js'

const TUID = /(^|\n)X-TUID: [!-~]{12}\r?\n/

/** Offsets of mbsync's X-TUID line (with its line ending) in a message's header, or undefined. */
export function toolHeaderSpan(message: Buffer): { start: number; end: number } | undefined {
  const m = TUID.exec(headerPart(message).toString('latin1'))
  if (!m) return undefined
  const start = m.index + m[1]!.length
  return { start, end: m.index + m[0].length }
}

/** The message without mbsync's X-TUID line. */
export function withoutToolHeader(message: Buffer): Buffer {
  const span = toolHeaderSpan(message)
  if (!span) return message
  return Buffer.concat([message.subarray(0, span.start), message.subarray(span.end)])
}

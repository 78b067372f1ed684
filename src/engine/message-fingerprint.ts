// SHA-256 and Message-ID of a message's bytes, taken while they pass by (buffers or streams),
// without changing a byte. The SHA-256 is of the message's canonical form, every line ending a
// CRLF (a bare LF counts as CRLF), so the same message has one fingerprint in every store: a
// server that serves CRLF, a Maildir file that holds LF, one with mixed endings.
import { createHash, type Hash } from 'node:crypto'
import { Transform, type Readable, type TransformCallback } from 'node:stream'
import { headerField, headerPart, messageIdFromHeader } from '../mail/header.js'
import { progressBeat } from '../progress-beat.js'

const HEADER_SCAN_LIMIT = 256 * 1024

export interface Fingerprint {
  sha256: string
  messageId?: string
  size: number
}

const CRLF = Buffer.from('\r\n')

/** SHA-256 of the canonical form (bare LF -> CRLF), fed chunk by chunk. */
export class CanonicalHash {
  private readonly hash: Hash = createHash('sha256')
  private prev = -1

  update(chunk: Buffer): void {
    let from = 0
    for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, i + 1)) {
      if ((i === 0 ? this.prev : chunk[i - 1]) === 0x0d) continue
      this.hash.update(chunk.subarray(from, i))
      this.hash.update(CRLF)
      from = i + 1
    }
    if (from < chunk.length) this.hash.update(from === 0 ? chunk : chunk.subarray(from))
    if (chunk.length) this.prev = chunk[chunk.length - 1]!
  }

  digest(): string {
    return this.hash.digest('hex')
  }
}

/** Wraps a body so its fingerprint is known once it has been read through. */
export class FingerprintTap {
  private readonly hash = new CanonicalHash()
  private head: Buffer[] = []
  private headLen = 0
  private size = 0

  /** The same bytes, passed through; or the buffer itself. */
  wrap(content: Buffer | Readable): Buffer | Readable {
    if (Buffer.isBuffer(content)) {
      this.take(content)
      return content
    }
    const tap = new Transform({
      transform: (chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) => {
        this.take(chunk)
        cb(null, chunk)
      },
    })
    content.on('error', (e) => tap.destroy(e))
    // a reader that gives up (a failed APPEND) destroys the tap: the source must stop too, or it
    // would wait forever for a reader (and its file or connection with it)
    tap.on('close', () => {
      if (!content.destroyed && !content.readableEnded) content.destroy()
    })
    return content.pipe(tap)
  }

  private take(chunk: Buffer): void {
    // a big message streamed over a slow link is a round making progress (progress-beat.ts)
    progressBeat()
    this.hash.update(chunk)
    this.size += chunk.length
    if (this.headLen < HEADER_SCAN_LIMIT) {
      this.head.push(chunk)
      this.headLen += chunk.length
    }
  }

  /** Computed once, when first asked for (the body must have been read through by then). */
  result(): Fingerprint {
    if (this.done) return this.done
    const digest = this.hash.digest()
    // A body in memory is one chunk: its header is read in place, not copied.
    const whole = this.head.length === 1 ? this.head[0]! : Buffer.concat(this.head)
    const header = headerPart(whole.subarray(0, HEADER_SCAN_LIMIT)).toString('latin1')
    this.head = []
    this.header = header
    this.done = { sha256: digest, messageId: messageIdFromHeader(header), size: this.size }
    return this.done
  }

  /** The Subject (after result()), read only when a report needs it: most copies never do. */
  subject(): string | undefined {
    return this.header === undefined ? undefined : headerField(this.header, 'subject')
  }
  private done?: Fingerprint
  private header?: string
}

/** SHA-256 of a whole body's canonical form (consumes a stream). */
export async function sha256Of(content: Buffer | Readable): Promise<string> {
  const h = new CanonicalHash()
  if (Buffer.isBuffer(content)) h.update(content)
  else for await (const chunk of content) h.update(chunk as Buffer)
  return h.digest()
}

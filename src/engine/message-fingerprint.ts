// SHA-256 and Message-ID of a message's bytes, taken while they pass by (buffers or streams),
// without changing a byte.
import { createHash, type Hash } from 'node:crypto'
import { Transform, type Readable, type TransformCallback } from 'node:stream'
import { headerField, headerPart, messageIdFromHeader } from '../mail/header.js'

const HEADER_SCAN_LIMIT = 256 * 1024

export interface Fingerprint {
  sha256: string
  messageId?: string
  subject?: string
  size: number
}

/** Wraps a body so its fingerprint is known once it has been read through. */
export class FingerprintTap {
  private readonly hash: Hash = createHash('sha256')
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
    const digest = this.hash.digest('hex')
    // A body in memory is one chunk: its header is read in place, not copied.
    const whole = this.head.length === 1 ? this.head[0]! : Buffer.concat(this.head)
    const header = headerPart(whole.subarray(0, HEADER_SCAN_LIMIT)).toString('latin1')
    this.head = []
    this.done = { sha256: digest, messageId: messageIdFromHeader(header), subject: headerField(header, 'subject'), size: this.size }
    return this.done
  }
  private done?: Fingerprint
}

/** SHA-256 of a whole body (consumes a stream). */
export async function sha256Of(content: Buffer | Readable): Promise<string> {
  const h = createHash('sha256')
  if (Buffer.isBuffer(content)) return h.update(content).digest('hex')
  for await (const chunk of content) h.update(chunk as Buffer)
  return h.digest('hex')
}

// SHA-256 and Message-ID of a message's bytes, taken while they pass by (buffers or streams),
// without changing a byte.
import { createHash, type Hash } from 'node:crypto'
import { Transform, type Readable, type TransformCallback } from 'node:stream'
import { headerField, messageIdFromHeader } from '../mail/header.js'

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
  private digest?: string

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

  result(): Fingerprint {
    if (this.digest === undefined) this.digest = this.hash.digest('hex')
    const head = Buffer.concat(this.head).subarray(0, HEADER_SCAN_LIMIT)
    return { sha256: this.digest, messageId: messageIdFromHeader(head), subject: headerField(head, 'subject'), size: this.size }
  }
}

/** SHA-256 of a whole body (consumes a stream). */
export async function sha256Of(content: Buffer | Readable): Promise<string> {
  const h = createHash('sha256')
  if (Buffer.isBuffer(content)) return h.update(content).digest('hex')
  for await (const chunk of content) h.update(chunk as Buffer)
  return h.digest('hex')
}

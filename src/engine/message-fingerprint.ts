// SHA-256 and Message-ID of a message's bytes, taken while they pass by (buffers or streams),
// without changing a byte.
import { createHash, type Hash } from 'node:crypto'
import { Transform, type Readable, type TransformCallback } from 'node:stream'

const HEADER_SCAN_LIMIT = 256 * 1024

/** The first header field of that name, unfolded and trimmed (bytes read as latin1). */
export function headerField(head: Buffer, name: string): string | undefined {
  let end = head.indexOf('\r\n\r\n')
  if (end < 0) end = head.indexOf('\n\n')
  const text = head.subarray(0, end < 0 ? head.length : end).toString('latin1')
  const lines = text.split(/\r?\n/)
  const prefix = name.toLowerCase()
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const colon = line.indexOf(':')
    if (colon < 0 || line.slice(0, colon).trim().toLowerCase() !== prefix) continue
    let value = line.slice(colon + 1)
    while (i + 1 < lines.length && /^[ \t]/.test(lines[i + 1]!)) value += lines[++i]!
    return value.trim()
  }
  return undefined
}

/** The Message-ID header value (with angle brackets) from a message's header, if any. */
export function messageIdFromHeader(head: Buffer): string | undefined {
  const id = headerField(head, 'message-id')
  if (!id) return undefined
  const bracketed = /<[^>]*>/.exec(id)
  return bracketed ? bracketed[0] : id
}

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

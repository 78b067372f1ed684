// Splits the bytes a server sends into whole IMAP responses: a response is a line, or lines
// joined by literals (`{n}` at the end of a line, then exactly n bytes, then the rest of the
// response). Literal bytes are copied once, into a Buffer of their announced size; nothing else
// is parsed here.

export interface RawResponse {
  /** The text pieces, CRLF removed; every piece but the last ends with a literal announcement. */
  text: string[]
  /** The literals, in order: literals[i] follows text[i]. */
  literals: Buffer[]
}

export interface ReaderLimits {
  /** Longest line (without literals) accepted, in bytes. */
  maxLine: number
  /** Largest literal accepted, in bytes. */
  maxLiteral: number
}

const DEFAULT_READER_LIMITS: ReaderLimits = { maxLine: 8 * 1024 * 1024, maxLiteral: 512 * 1024 * 1024 }

const LF = 10
/** `{n}` or `{n+}` (or literal8 `~{n}`) at the end of a line. */
const LITERAL_AT_END = /\{(\d+)\+?\}$/

export class ProtocolError extends Error {
  readonly code = 'EPROTOCOL'
}

export class ResponseReader {
  private partial: Buffer[] = []
  private partialBytes = 0
  private text: string[] = []
  private literals: Buffer[] = []
  private literal: Buffer | undefined
  private literalAt = 0

  constructor(
    /** Returns true to stop reading: push() then returns the bytes after this response. */
    private readonly onResponse: (r: RawResponse) => boolean | void,
    private readonly limits: ReaderLimits = DEFAULT_READER_LIMITS,
  ) {}

  /** True between responses: no partial line or literal is pending. */
  get idle(): boolean {
    return this.literal === undefined && this.partialBytes === 0 && this.text.length === 0
  }

  /** Reads `chunk`; when a response handler asked to stop, returns the unread rest of it. */
  push(chunk: Buffer): Buffer | undefined {
    let at = 0
    while (at < chunk.length) {
      if (this.literal) {
        const n = Math.min(this.literal.length - this.literalAt, chunk.length - at)
        chunk.copy(this.literal, this.literalAt, at, at + n)
        this.literalAt += n
        at += n
        if (this.literalAt === this.literal.length) this.endLiteral()
        continue
      }
      const lf = chunk.indexOf(LF, at)
      if (lf < 0) {
        this.partialBytes += chunk.length - at
        // + 2: the CR LF still to come are not part of the line
        if (this.partialBytes > this.limits.maxLine + 2) throw new ProtocolError(`server sent a line longer than ${this.limits.maxLine} bytes`)
        this.partial.push(chunk.subarray(at))
        return undefined
      }
      let line: string
      if (this.partial.length) {
        this.partial.push(chunk.subarray(at, lf + 1))
        line = Buffer.concat(this.partial).toString('latin1')
        this.partial = []
        this.partialBytes = 0
      } else {
        line = chunk.toString('latin1', at, lf + 1)
      }
      at = lf + 1
      if (this.line(line)) return chunk.subarray(at)
    }
    return undefined
  }

  /** True when the handler of the response this line completed asked to stop. */
  private line(raw: string): boolean {
    const end = raw.length >= 2 && raw.charCodeAt(raw.length - 2) === 13 ? raw.length - 2 : raw.length - 1
    const line = raw.slice(0, end)
    if (line.length > this.limits.maxLine) throw new ProtocolError(`server sent a line longer than ${this.limits.maxLine} bytes`)
    this.text.push(line)
    const m = line.charCodeAt(line.length - 1) === 125 /* } */ ? LITERAL_AT_END.exec(line) : null
    if (!m) {
      const r: RawResponse = { text: this.text, literals: this.literals }
      this.text = []
      this.literals = []
      return this.onResponse(r) === true
    }
    const size = Number(m[1])
    if (size > this.limits.maxLiteral) throw new ProtocolError(`server announced a literal of ${size} bytes (limit ${this.limits.maxLiteral})`)
    this.literal = Buffer.allocUnsafe(size)
    this.literalAt = 0
    if (size === 0) this.endLiteral()
    return false
  }

  private endLiteral(): void {
    this.literals.push(this.literal!)
    this.literal = undefined
  }
}

/** The response as the server sent it (CRLF line ends), to hand on to another reader. */
export function responseBytes(r: RawResponse): Buffer {
  const parts: Buffer[] = []
  r.text.forEach((t, i) => {
    parts.push(Buffer.from(t + '\r\n', 'latin1'))
    if (i < r.literals.length) parts.push(r.literals[i]!)
  })
  return Buffer.concat(parts)
}

// Line endings of message files. IMAP carries CRLF; a Maildir holds LF, the convention that
// OfflineIMAP, mbsync, Dovecot, MDAs and mail readers share. A message whose every line ends in
// CRLF (no bare CR, no bare LF, no NUL) is stored with LF and served with CRLF again, byte for
// byte the message that came in; any other message is stored exactly as it came, and served so.
//
// Which form a file is in: our own files carry the size they are served with (`,W=<n>`, Dovecot's
// field for the CRLF size): W equal to the file's length means "as stored". A file without W=
// (another program's, or an older mailsync's) is served with CRLF when it holds no CR at all,
// and as it is otherwise (a file written with CRLF stays CRLF).
import { Transform, type TransformCallback } from 'node:stream'

/** 'lf': the Maildir convention (default). 'crlf': files keep the CRLF line endings IMAP sends. */
export type LineEndings = 'lf' | 'crlf'

const CR = 0x0d
const LF = 0x0a

/**
 * Whether a message can be stored with LF and served back unchanged: it has at least one line
 * break, every LF follows a CR, every CR precedes an LF, and it holds no NUL.
 */
export function isCrlfMessage(buf: Buffer): boolean {
  if (buf.indexOf(0) >= 0) return false
  let lfs = 0
  for (let i = buf.indexOf(LF); i >= 0; i = buf.indexOf(LF, i + 1)) {
    if (i === 0 || buf[i - 1] !== CR) return false
    lfs++
  }
  if (lfs === 0) return false
  return countByte(buf, CR) === lfs
}

function countByte(buf: Buffer, byte: number): number {
  let n = 0
  for (let i = buf.indexOf(byte); i >= 0; i = buf.indexOf(byte, i + 1)) n++
  return n
}

/**
 * The bytes with every CR removed (for a message isCrlfMessage accepted, CRLF -> LF). One copy of
 * the whole message, then each line moved down in place with copyWithin: Buffer#copy of a part
 * makes a view object per call, and a message has hundreds of lines (in a 10,000-message pull
 * those views were half of all the JavaScript heap allocated, and most of its GC time).
 */
export function crlfToLf(buf: Buffer): Buffer {
  const out = Buffer.allocUnsafe(buf.length)
  buf.copy(out)
  let w = 0
  let from = 0
  for (let i = buf.indexOf(CR); i >= 0; i = buf.indexOf(CR, from)) {
    if (w !== from) out.copyWithin(w, from, i)
    w += i - from
    from = i + 1
  }
  if (w !== from) out.copyWithin(w, from, buf.length)
  w += buf.length - from
  return out.subarray(0, w)
}

/** Messages up to this size are converted in one reused buffer (larger ones get their own). */
const SCRATCH_LIMIT = 1024 * 1024
let scratch = Buffer.alloc(0)

/**
 * A message's LF form when it is a CRLF message (see isCrlfMessage), else undefined: checked and
 * converted in one pass over its line ends. The LF form of a message up to 1 MiB is in a buffer
 * that the next call reuses, so write it out first. A pull stores thousands of messages this way,
 * and a new buffer for each was as much memory outside the heap as the bodies themselves, waiting
 * for a GC.
 */
export function lfFormIfCrlf(buf: Buffer): Buffer | undefined {
  if (buf.indexOf(0) >= 0) return undefined
  let out: Buffer
  if (buf.length > SCRATCH_LIMIT) out = Buffer.allocUnsafe(buf.length)
  else {
    if (scratch.length < buf.length) scratch = Buffer.allocUnsafe(Math.min(SCRATCH_LIMIT, Math.max(buf.length, 2 * scratch.length, 64 * 1024)))
    out = scratch
  }
  buf.copy(out)
  let w = 0
  let from = 0
  let scan = 0
  let lines = 0
  for (let i = buf.indexOf(CR); i >= 0; i = buf.indexOf(CR, from)) {
    // an LF after every CR, and none between the last line end and this one
    if (buf[i + 1] !== LF || buf.indexOf(LF, scan) !== i + 1) return undefined
    if (w !== from) out.copyWithin(w, from, i)
    w += i - from
    from = i + 1
    scan = i + 2
    lines++
  }
  if (lines === 0 || buf.indexOf(LF, scan) >= 0) return undefined
  if (w !== from) out.copyWithin(w, from, buf.length)
  w += buf.length - from
  return out.subarray(0, w)
}

/**
 * The bytes with LF -> CRLF (for a file in LF form): the whole file copied once to the end of the
 * output, then each line moved down to its place (in place, as in crlfToLf) with its CR after it.
 */
export function lfToCrlf(buf: Buffer): Buffer {
  const lfs = countByte(buf, LF)
  if (lfs === 0) return buf
  const out = Buffer.allocUnsafe(buf.length + lfs)
  buf.copy(out, lfs)
  let w = 0
  let from = 0
  for (let i = buf.indexOf(LF); i >= 0; i = buf.indexOf(LF, from)) {
    out.copyWithin(w, lfs + from, lfs + i)
    w += i - from
    out[w++] = CR
    out[w++] = LF
    from = i + 1
  }
  out.copyWithin(w, lfs + from, lfs + buf.length)
  return out
}

/** How a file's bytes are served: converted from LF, or as they are. */
export type StoredForm = 'lf' | 'as-is'

/**
 * The form of a file's bytes from its name's W= (when there is one) and, without it, from its
 * content: no CR anywhere means LF form.
 */
export function storedForm(fileSize: number, servedSize: number | undefined, hasCr: () => boolean): StoredForm {
  if (servedSize !== undefined) return servedSize === fileSize ? 'as-is' : 'lf'
  return hasCr() ? 'as-is' : 'lf'
}

/** The size a file without W= (all of it in `buf`) is served with. */
export function servedLength(buf: Buffer): number {
  return hasCr(buf) ? buf.length : buf.length + countByte(buf, LF)
}

export function hasCr(buf: Buffer): boolean {
  return buf.indexOf(CR) >= 0
}

/** Counts what decides a file's form and served size, chunk by chunk (a large file is streamed). */
export class LineScan {
  lfs = 0
  sawCr = false
  bytes = 0
  update(chunk: Buffer): void {
    this.bytes += chunk.length
    this.lfs += countByte(chunk, LF)
    if (!this.sawCr) this.sawCr = hasCr(chunk)
  }
  /** The size the file is served with, given its form. */
  servedSize(form: StoredForm): number {
    return form === 'lf' ? this.bytes + this.lfs : this.bytes
  }
}

/** A stream transform LF -> CRLF (serving a large file in LF form). */
export function lfToCrlfStream(): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      cb(null, lfToCrlf(chunk))
    },
  })
}

/**
 * Watches a stream for whether it is a CRLF message (see isCrlfMessage), across chunk borders,
 * while the stream is written to disk as it comes.
 */
export class CrlfWatch {
  private ok = true
  private prev = -1
  private lfs = 0
  update(chunk: Buffer): void {
    if (!this.ok || chunk.length === 0) return
    if (chunk.indexOf(0) >= 0) {
      this.ok = false
      return
    }
    // a CR at the end of the last chunk needs an LF at the start of this one
    if (this.prev === CR && chunk[0] !== LF) this.ok = false
    for (let i = chunk.indexOf(LF); this.ok && i >= 0; i = chunk.indexOf(LF, i + 1)) {
      const before = i === 0 ? this.prev : chunk[i - 1]
      if (before !== CR) this.ok = false
      this.lfs++
    }
    for (let i = chunk.indexOf(CR); this.ok && i >= 0; i = chunk.indexOf(CR, i + 1)) {
      if (i + 1 < chunk.length && chunk[i + 1] !== LF) this.ok = false
    }
    this.prev = chunk[chunk.length - 1]!
  }
  /** After the last chunk: whether the whole stream was a CRLF message. */
  get crlfMessage(): boolean {
    return this.ok && this.lfs > 0 && this.prev !== CR
  }
}

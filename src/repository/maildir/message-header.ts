// Reads a message file's header without reading the body: chunks up to the blank
// line that ends the header (LF or CRLF), folded lines unfolded, field name matched without case.
import { open } from 'node:fs/promises'
import { messageIdFromHeader } from '../../mail/header.js'

const CHUNK = 16 * 1024
/** A header bigger than this is treated as ending here. */
const MAX_HEADER = 1024 * 1024

/** The raw header block of the file (up to, not including, the blank line). */
export async function readHeaderBlock(path: string): Promise<Buffer> {
  const fh = await open(path, 'r')
  try {
    const chunks: Buffer[] = []
    let total = 0
    let scanFrom = 0
    for (;;) {
      const buf = Buffer.alloc(CHUNK)
      const { bytesRead } = await fh.read(buf, 0, CHUNK, total)
      if (bytesRead === 0) break
      chunks.push(buf.subarray(0, bytesRead))
      total += bytesRead
      const all = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)
      const end = headerEnd(all, scanFrom)
      if (end >= 0) return all.subarray(0, end)
      if (total >= MAX_HEADER) return all
      scanFrom = Math.max(0, total - 3)
    }
    return Buffer.concat(chunks)
  } finally {
    await fh.close()
  }
}

/** Offset of the empty line ending the header, or -1. A message starting with one has no header. */
function headerEnd(buf: Buffer, from: number): number {
  if (from === 0 && (buf[0] === 0x0a || (buf[0] === 0x0d && buf[1] === 0x0a))) return 0
  for (let i = Math.max(from, 1); i < buf.length; i++) {
    if (buf[i] !== 0x0a) continue
    if (buf[i + 1] === 0x0a) return i + 1
    if (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a) return i + 1
  }
  return -1
}

/** The Message-ID (with angle brackets) of a message file, or undefined. */
export async function readMessageId(path: string): Promise<string | undefined> {
  return messageIdFromHeader(await readHeaderBlock(path))
}

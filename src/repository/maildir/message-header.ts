// Reads one header field from a message file without reading the body: chunks up to the blank
// line that ends the header (LF or CRLF), folded lines unfolded, field name matched without case.
import { open } from 'node:fs/promises'

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

/** Value of the first header field named `name` (unfolded, trimmed), or undefined. */
export function headerField(header: Buffer, name: string): string | undefined {
  const text = header.toString('latin1')
  const want = name.toLowerCase()
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    const colon = line.indexOf(':')
    if (colon <= 0 || line[0] === ' ' || line[0] === '\t') continue
    if (line.slice(0, colon).trim().toLowerCase() !== want) continue
    let value = line.slice(colon + 1)
    while (i + 1 < lines.length && (lines[i + 1].startsWith(' ') || lines[i + 1].startsWith('\t'))) {
      value += lines[++i]
    }
    return Buffer.from(value.trim(), 'latin1').toString('utf8')
  }
  return undefined
}

/** The Message-ID (with angle brackets) of a message file, or undefined. */
export async function readMessageId(path: string): Promise<string | undefined> {
  const value = headerField(await readHeaderBlock(path), 'message-id')
  if (value === undefined) return undefined
  const m = /<[^<>\s]*>/.exec(value)
  if (m) return m[0]
  return value === '' ? undefined : value
}

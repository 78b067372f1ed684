// One message as Gmail stores it: once, whatever its labels ("Gmail IMAP Extensions": X-GM-MSGID
// is a unique 64-bit id per message, X-GM-THRID the id of its thread, both unsigned decimals;
// X-GM-LABELS the set of labels on it). Where it lives (`box`) is All Mail, Trash or Spam.

export type Box = 'all' | 'trash' | 'spam'

export interface StoredMessage {
  /** X-GM-MSGID, a decimal string (64 bits do not fit a JS number). */
  msgid: string
  thrid: string
  /** System labels (`\Inbox`, `\Sent`, `\Draft`, `\Important`) and user labels (UTF-8 names). */
  labels: Set<string>
  /** \Seen \Answered \Flagged \Draft and keywords; \Deleted is kept per folder, not here. */
  flags: Set<string>
  internalDate: Date
  /** The bytes as received, never changed. */
  raw: Buffer
  box: Box
  /** Order of arrival: views give new UIDs in this order. */
  order: number
  /** MODSEQ (CONDSTORE): the account's change counter when flags or labels last changed. */
  modseq: number
}

/** The header block (through the blank line) of `raw`. */
export function headerBlock(raw: Buffer): Buffer {
  const end = raw.indexOf('\r\n\r\n')
  if (end >= 0) return raw.subarray(0, end + 4)
  const lf = raw.indexOf('\n\n')
  return lf >= 0 ? raw.subarray(0, lf + 2) : raw
}

/** The body after the header block. */
export function bodyText(raw: Buffer): Buffer {
  return raw.subarray(headerBlock(raw).length)
}

/** Header fields as [name, value] pairs, unfolded, in order. */
export function headerFields(raw: Buffer): [string, string][] {
  const text = headerBlock(raw).toString('latin1')
  const out: [string, string][] = []
  for (const line of text.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && out.length) out[out.length - 1]![1] += ' ' + line.trim()
    else {
      const colon = line.indexOf(':')
      if (colon > 0) out.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()])
    }
  }
  return out
}

/** The first value of header `name` (case-insensitive), or undefined. */
export function header(raw: Buffer, name: string): string | undefined {
  const want = name.toLowerCase()
  return headerFields(raw).find(([n]) => n.toLowerCase() === want)?.[1]
}

/** The raw header lines (folded lines kept) whose names are (or, with `not`, are not) in `names`. */
export function headerLines(raw: Buffer, names: string[], not: boolean): Buffer {
  const wanted = new Set(names.map((n) => n.toLowerCase()))
  const lines = headerBlock(raw).toString('latin1').split(/(?<=\n)/)
  let keep = false
  let out = ''
  for (const line of lines) {
    if (line === '\r\n' || line === '\n') break
    if (!/^[ \t]/.test(line)) {
      const colon = line.indexOf(':')
      keep = colon > 0 && wanted.has(line.slice(0, colon).trim().toLowerCase()) !== not
    }
    if (keep) out += line
  }
  return Buffer.from(out + '\r\n', 'latin1')
}

/** Message-IDs named in a header value (`<a@b> <c@d>`). */
export function messageIds(value: string | undefined): string[] {
  return [...(value ?? '').matchAll(/<[^<>\s]+>/g)].map((m) => m[0])
}

// RFC 5322 header fields, read the same way wherever a message's header is looked at (an IMAP
// HEADER.FIELDS answer, a Maildir file's first bytes, a body passing through a copy), so that
// a Message-ID from one side always compares equal to the same Message-ID from the other.

/** The header part of a message: everything before the first empty line (LF or CRLF). */
export function headerPart(message: Buffer): Buffer {
  if (message[0] === 0x0a || (message[0] === 0x0d && message[1] === 0x0a)) return message.subarray(0, 0)
  for (let i = 1; i < message.length; i++) {
    if (message[i] !== 0x0a) continue
    if (message[i + 1] === 0x0a || (message[i + 1] === 0x0d && message[i + 2] === 0x0a)) return message.subarray(0, i + 1)
  }
  return message
}

/**
 * The first field named `name` (case-insensitive): unfolded, trimmed, its bytes read as UTF-8.
 * Undefined when there is no such field.
 */
export function headerField(header: Buffer | string, name: string): string | undefined {
  const text = typeof header === 'string' ? header : headerPart(header).toString('latin1')
  const want = name.toLowerCase()
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (line === '') break
    const colon = line.indexOf(':')
    if (colon <= 0 || line[0] === ' ' || line[0] === '\t') continue
    if (line.slice(0, colon).trim().toLowerCase() !== want) continue
    let value = line.slice(colon + 1)
    while (i + 1 < lines.length && /^[ \t]/.test(lines[i + 1]!)) value += lines[++i]
    return Buffer.from(value.trim(), 'latin1').toString('utf8')
  }
  return undefined
}

/** The Message-ID: the first `<...>` of the field, else its trimmed text; undefined when empty or missing. */
export function messageIdFromHeader(header: Buffer | string | undefined): string | undefined {
  if (header === undefined) return undefined
  const value = headerField(header, 'message-id')
  if (!value) return undefined
  return /<[^<>]*>/.exec(value)?.[0] ?? value
}

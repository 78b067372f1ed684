// The Message-ID value out of a `BODY[HEADER.FIELDS (MESSAGE-ID)]` answer.

/**
 * Unfolds the header, keeps the angle brackets and trims white space. Undefined when the header is
 * missing or empty. The first Message-ID header wins (a message should carry only one).
 */
export function parseMessageIdHeader(raw: Buffer | string | undefined): string | undefined {
  if (!raw) return undefined
  const text = (typeof raw === 'string' ? raw : raw.toString('latin1')).replace(/\r?\n[ \t]+/g, ' ')
  for (const line of text.split(/\r?\n/)) {
    const m = /^message-id[ \t]*:(.*)$/i.exec(line)
    if (!m) continue
    const value = m[1]!.trim()
    // Bytes were read as latin1 to keep them; a non-ASCII value is taken as UTF-8 (as the Maildir side does).
    return value ? Buffer.from(value, 'latin1').toString('utf8') : undefined
  }
  return undefined
}

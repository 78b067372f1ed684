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
  const text = typeof header === 'string' ? headerText(header) : headerPart(header).toString('latin1')
  // a line starting with the name (a line starting with a blank continues the one before), and its continuation lines
  const m = fieldPattern(name).exec(text)
  if (!m) return undefined
  return Buffer.from(m[1]!.replace(/\r?\n/g, '').trim(), 'latin1').toString('utf8')
}

const fieldPatterns = new Map<string, RegExp>()
function fieldPattern(name: string): RegExp {
  let re = fieldPatterns.get(name)
  if (!re) {
    const escaped = name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')
    re = new RegExp(`(?:^|\\n)${escaped}[ \\t]*:([^\\n]*(?:\\n[ \\t][^\\n]*)*)`, 'i')
    fieldPatterns.set(name, re)
  }
  return re
}

/** A header given as text: up to the first empty line (it may run on into the body). */
function headerText(text: string): string {
  if (text.startsWith('\n') || text.startsWith('\r\n')) return ''
  const end = /\n\r?\n/.exec(text)
  return end ? text.slice(0, end.index + 1) : text
}

/** The Message-ID: the first `<...>` of the field, else its trimmed text; undefined when empty or missing. */
export function messageIdFromHeader(header: Buffer | string | undefined): string | undefined {
  if (header === undefined) return undefined
  const value = headerField(header, 'message-id')
  if (!value) return undefined
  return /<[^<>]*>/.exec(value)?.[0] ?? value
}

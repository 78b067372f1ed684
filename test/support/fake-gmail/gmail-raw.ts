// X-GM-RAW ("Gmail IMAP Extensions": a search in Gmail's own search syntax, as in the web
// interface), the part of that syntax tests need: `rfc822msgid:`, `label:` (Gmail writes a
// label's spaces and slashes as `-`, any case), `in:` (inbox, sent, drafts, trash, spam,
// anywhere), `is:` (starred, unread, read, important), `from:`, `to:`, `subject:`, `-` to negate,
// and plain words (or "quoted phrases"), found anywhere in the message, case-insensitively.
import type { StoredMessage } from './message.js'
import { header, messageIds } from './message.js'
import { BadCommand } from './parse.js'

type Test = (m: StoredMessage) => boolean

const labelKey = (l: string) => l.toLowerCase().replace(/[\s/]+/g, '-')

function has(m: StoredMessage, label: string): boolean {
  return m.labels.has(label)
}

function term(op: string | undefined, value: string): Test {
  const v = value.toLowerCase()
  const inHeader = (name: string): Test => (m) => (header(m.raw, name) ?? '').toLowerCase().includes(v)
  switch (op?.toLowerCase()) {
    case undefined: return (m) => m.raw.toString('utf8').toLowerCase().includes(v)
    case 'rfc822msgid': {
      const want = value.startsWith('<') ? value : `<${value}>`
      return (m) => messageIds(header(m.raw, 'Message-ID'))[0] === want
    }
    case 'label': return (m) => [...m.labels].some((l) => labelKey(l.startsWith('\\') ? l.slice(1) : l) === labelKey(value))
    case 'in':
      switch (v) {
        case 'inbox': return (m) => m.box === 'all' && has(m, '\\Inbox')
        case 'sent': return (m) => m.box === 'all' && has(m, '\\Sent')
        case 'drafts': case 'draft': return (m) => m.box === 'all' && has(m, '\\Draft')
        case 'trash': return (m) => m.box === 'trash'
        case 'spam': return (m) => m.box === 'spam'
        case 'anywhere': return () => true
        default: return (m) => [...m.labels].some((l) => labelKey(l) === labelKey(value))
      }
    case 'is':
      switch (v) {
        case 'starred': return (m) => m.flags.has('\\Flagged')
        case 'unread': return (m) => !m.flags.has('\\Seen')
        case 'read': return (m) => m.flags.has('\\Seen')
        case 'important': return (m) => has(m, '\\Important')
        default: throw new BadCommand(`X-GM-RAW: is:${value} is not known here`)
      }
    case 'from': return inHeader('From')
    case 'to': return inHeader('To')
    case 'subject': return inHeader('Subject')
    default: throw new BadCommand(`X-GM-RAW: ${op}: is not known here`)
  }
}

/** The test a Gmail search query stands for: all its terms must hold. */
export function gmailRaw(query: string): Test {
  const tests: Test[] = []
  for (const m of query.matchAll(/(-?)(?:([a-zA-Z0-9]+):)?("[^"]*"|\S+)/g)) {
    const [, neg, op, rawValue] = m as unknown as [string, string, string | undefined, string]
    const value = rawValue.replace(/^"(.*)"$/, '$1')
    const t = term(op, value)
    tests.push(neg ? (x) => !t(x) : t)
  }
  return (msg) => tests.every((t) => t(msg))
}

// ENVELOPE (RFC 3501 section 7.4.2) from a message's header, as far as a client needs it: the
// fields as they stand (encoded words left encoded), addresses split into name, mailbox and host.
import { header } from './message.js'
import { nstring, type Part } from './wire.js'

function addresses(value: string | undefined): Part[] {
  if (!value) return ['NIL']
  const list: string[] = []
  let cur = ''
  let quote = false
  let angle = 0
  for (const ch of value) {
    if (ch === '"') quote = !quote
    else if (!quote && ch === '<') angle++
    else if (!quote && ch === '>') angle--
    if (ch === ',' && !quote && angle <= 0) {
      list.push(cur)
      cur = ''
    } else cur += ch
  }
  list.push(cur)
  const parts: Part[] = ['(']
  for (const a of list.map((x) => x.trim()).filter(Boolean)) {
    const m = /^(.*?)\s*<([^>]*)>\s*$/.exec(a)
    const name = m ? m[1]!.replace(/^"(.*)"$/, '$1').trim() : ''
    const addr = (m ? m[2]! : a).trim()
    const at = addr.lastIndexOf('@')
    const [mailbox, host] = at < 0 ? [addr, ''] : [addr.slice(0, at), addr.slice(at + 1)]
    parts.push('(', ...nstring(name ? Buffer.from(name, 'latin1') : undefined), ' NIL ', ...nstring(Buffer.from(mailbox, 'latin1')), ' ', ...nstring(host ? Buffer.from(host, 'latin1') : undefined), ')')
  }
  parts.push(')')
  return parts.length === 2 ? ['NIL'] : parts
}

export function envelope(raw: Buffer): Part[] {
  const h = (n: string) => header(raw, n)
  const s = (n: string) => nstring(h(n) === undefined ? undefined : Buffer.from(h(n)!, 'latin1'))
  const from = h('From')
  return [
    '(', ...s('Date'), ' ', ...s('Subject'), ' ', ...addresses(from), ' ', ...addresses(h('Sender') ?? from), ' ',
    ...addresses(h('Reply-To') ?? from), ' ', ...addresses(h('To')), ' ', ...addresses(h('Cc')), ' ', ...addresses(h('Bcc')), ' ',
    ...s('In-Reply-To'), ' ', ...s('Message-ID'), ')',
  ]
}

// Gmail labels as X-GM-LABELS carries them, and as MessageMeta.labels holds them.
// On the wire a user label is a mailbox name (modified UTF-7, as the label's folder is spelled);
// a system label is a backslash atom (`\Inbox`, `\Sent`, `\Important`, `\Draft`, `\Starred`).
// In a listing they are UTF-8, system labels spelled as Gmail spells them, sorted, each once.
import type { ItemValue } from '../imap/raw/fetch-response.js'
import { decodeMutf7 } from '../../mail/mutf7.js'

/** System labels in Gmail's spelling; the server may send them in any case. */
export const SYSTEM_LABELS = ['\\Draft', '\\Important', '\\Inbox', '\\Sent', '\\Spam', '\\Starred', '\\Trash'] as const

export function isSystemLabel(label: string): boolean {
  return label.startsWith('\\')
}

/** `\inbox` -> `\Inbox`; an unknown system label keeps the server's spelling. */
export function canonicalLabel(label: string): string {
  if (!isSystemLabel(label)) return label
  return SYSTEM_LABELS.find((s) => s.toLowerCase() === label.toLowerCase()) ?? label
}

/** One label as sent: a system label as it is, a user label decoded from modified UTF-7. */
export function decodeLabel(wire: string): string {
  if (isSystemLabel(wire)) return canonicalLabel(wire)
  // a label that is not a valid modified UTF-7 spelling (a server sending UTF-8) is taken as written
  return decodeMutf7(wire) ?? wire
}

/**
 * The X-GM-LABELS item of a raw FETCH response: a parenthesized list of atoms, quoted strings
 * (Gmail quotes `"\\Important"` and names with spaces) and literals. Undefined when absent or
 * not a list, so that a response without the item (an unsolicited FLAGS update) says nothing
 * about labels.
 */
export function parseLabelsItem(v: ItemValue | undefined): string[] | undefined {
  if (!Array.isArray(v)) return undefined
  const out: string[] = []
  for (const x of v) {
    if (typeof x === 'string') out.push(decodeLabel(x))
    else if (Buffer.isBuffer(x)) out.push(decodeLabel(x.toString('utf8')))
  }
  return normalizeLabels(out)
}

/** A label set: each once, sorted (code unit order, as flags are), system labels spelled canonically. */
export function normalizeLabels(labels: Iterable<string>): string[] {
  const out = new Set<string>()
  for (const l of labels) if (l !== '') out.add(canonicalLabel(l))
  return [...out].sort()
}

/** X-GM-MSGID (a 64-bit number) in decimal, or undefined when the item is missing or malformed. */
export function parseMsgIdItem(v: ItemValue | undefined): string | undefined {
  if (typeof v !== 'string' || !/^\d+$/.test(v)) return undefined
  return BigInt(v).toString()
}

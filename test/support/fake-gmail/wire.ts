// How values are spelled in responses: strings quoted when they can be, literals when not;
// folder and label names in modified UTF-7 (RFC 3501 section 5.1.3; Gmail advertises no
// UTF8=ACCEPT here, so names never travel as UTF-8); dates as INTERNALDATE wants them.
import { decodeMutf7, encodeMutf7 } from '../../../src/mail/mutf7.js'

/** A response part: text (latin1) or bytes. */
export type Part = string | Buffer

export function quoted(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => '\\' + c)}"`
}

/** An IMAP string of bytes: quoted when printable and short, else a literal. */
export function imapString(b: Buffer): Part[] {
  if (b.length < 1024 && !b.some((c) => c < 0x20 || c > 0x7e)) return [quoted(b.toString('latin1'))]
  return [`{${b.length}}\r\n`, b]
}

export function nstring(b: Buffer | undefined): Part[] {
  return b === undefined ? ['NIL'] : imapString(b)
}

/** A folder name as sent: modified UTF-7, quoted. */
export function mailboxName(name: string): string {
  return quoted(encodeMutf7(name))
}

/** A folder or label name as received (modified UTF-7) in UTF-8; a name that is no valid spelling is taken as is. */
export function decodeName(spelled: string): string {
  return decodeMutf7(spelled) ?? spelled
}

/** A label in X-GM-LABELS: system labels as atoms, user labels as quoted names. */
export function labelName(label: string): string {
  return label.startsWith('\\') ? label : mailboxName(label)
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** `07-Dec-2026 15:39:38 +0000` (Gmail answers in UTC). */
export function internalDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${p(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`
}

/** APPEND's date-time (`"7-Dec-2026 16:39:38 +0100"`) or SEARCH's date (`7-Dec-2026`). */
export function parseDate(text: string): Date | undefined {
  const m = /^ ?(\d{1,2})-([A-Za-z]{3})-(\d{4})(?: (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}))?$/.exec(text)
  if (!m) return undefined
  const month = MONTHS.findIndex((x) => x.toLowerCase() === m[2]!.toLowerCase())
  if (month < 0) return undefined
  const utc = Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0))
  const offset = m[7] ? (Number(m[8]) * 60 + Number(m[9])) * 60_000 * (m[7] === '+' ? 1 : -1) : 0
  return new Date(utc - offset)
}

/** Joins parts with spaces between the text pieces as written by the caller. */
export function toBuffer(parts: Part[]): Buffer {
  return Buffer.concat(parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p, 'latin1'))))
}

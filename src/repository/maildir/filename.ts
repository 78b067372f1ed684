// Maildir message file names: `<unique>[,X=...]*[<sep>2,<flags>]`.
// The UID travels as a `,U=<uid>` part (mbsync's and OfflineIMAP's convention), the size the
// message is served with (CRLF line endings) as `,W=<size>` (Dovecot's convention); every other
// `,X=` part (OfflineIMAP's FMD5=, Dovecot's S=) is kept as it was found.

/** The info follows `:` (POSIX), or `!` / `;` (where `:` is not allowed in file names). */
const INFO_SEPARATORS = ':!;'
const LETTERS_RE = /^[A-Za-z]*$/

export interface MaildirFileName {
  /** Everything before the first comma: the delivery's unique name. */
  unique: string
  /** The comma-separated parts after `unique`, verbatim, including any `U=` part. */
  parts: string[]
  /** The UID from a `U=` part, or undefined when there is none (or it is not a positive integer). */
  uid?: number
  /** The size from a `W=` part: the message's size with CRLF line endings. */
  servedSize?: number
  /** `:` `!` `;`, or undefined for a name without info (a fresh delivery in new/). */
  infoSeparator?: string
  /** Flag letters after `2,`, as found (not re-sorted). */
  flags: string
}

export function parseFileName(name: string): MaildirFileName {
  let base = name
  let infoSeparator: string | undefined
  let flags = ''
  // The info is the last `2,` when a separator precedes it and only letters follow (as the regular
  // expression /^(.*?)([:!;])2,([A-Za-z]*)$/ would find, but cheaper: this runs for every file of
  // every listed folder).
  const at = name.lastIndexOf('2,')
  if (at > 0 && INFO_SEPARATORS.includes(name[at - 1]!) && LETTERS_RE.test(name.slice(at + 2))) {
    base = name.slice(0, at - 1)
    infoSeparator = name[at - 1]
    flags = name.slice(at + 2)
  }
  const [unique, ...parts] = base.split(',')
  let uid: number | undefined
  let servedSize: number | undefined
  let seenU = false
  for (const p of parts) {
    if (p.startsWith('U=') && !seenU) {
      seenU = true
      const digits = p.slice(2)
      const n = Number(digits)
      if (/^[0-9]{1,10}$/.test(digits) && n > 0 && n <= 0xffffffff) uid = n
    } else if (p.startsWith('W=') && servedSize === undefined && /^[0-9]{1,15}$/.test(p.slice(2))) {
      servedSize = Number(p.slice(2))
    }
  }
  const out: MaildirFileName = { unique, parts, uid, infoSeparator, flags }
  if (servedSize !== undefined) out.servedSize = servedSize
  return out
}

/** Letters in Maildir (ASCII) order, each once. */
export function sortFlagLetters(letters: string): string {
  return [...new Set(letters)].sort().join('')
}

/**
 * The name with `uid` in its `U=` part (replacing one that is there, or inserted right after the
 * unique part, where OfflineIMAP and mbsync put it) and, when `flags` is given, a `2,` info
 * carrying those letters (sorted). Without `flags` the info stays as it was (none stays none).
 */
export function formatFileName(parsed: MaildirFileName, change: { uid?: number; flags?: string; servedSize?: number } = {}): string {
  const parts = [...parsed.parts]
  if (change.uid !== undefined) {
    if (!Number.isInteger(change.uid) || change.uid <= 0) throw new RangeError(`bad UID ${change.uid}`)
    const i = parts.findIndex((p) => p.startsWith('U='))
    if (i >= 0) parts[i] = `U=${change.uid}`
    else parts.unshift(`U=${change.uid}`)
  }
  if (change.servedSize !== undefined) {
    const i = parts.findIndex((p) => p.startsWith('W='))
    if (i >= 0) parts[i] = `W=${change.servedSize}`
    else parts.push(`W=${change.servedSize}`)
  }
  const base = [parsed.unique, ...parts].join(',')
  if (change.flags !== undefined) {
    return `${base}${parsed.infoSeparator ?? ':'}2,${sortFlagLetters(change.flags)}`
  }
  if (parsed.infoSeparator === undefined) return base
  return `${base}${parsed.infoSeparator}2,${parsed.flags}`
}

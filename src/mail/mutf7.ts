// IMAP's modified UTF-7 (RFC 3501, 5.1.3), as OfflineIMAP (utf8foldernames = no, its default),
// mbsync 1.4 and Dovecot's Maildir++ spell folder names on disk: "Entwürfe & Notizen" is the
// directory "Entw&APw-rfe &- Notizen". The Maildir repository shows every folder by its UTF-8
// name and keeps the spelling it found on disk.

/** The modified UTF-7 spelling of a UTF-8 name ("&" becomes "&-", non-ASCII runs base64 UTF-16). */
export function encodeMutf7(name: string): string {
  let out = ''
  let run = ''
  const flush = (): void => {
    if (!run) return
    const utf16be = Buffer.from(run, 'utf16le').swap16()
    out += '&' + utf16be.toString('base64').replace(/=+$/, '').replace(/\//g, ',') + '-'
    run = ''
  }
  for (const ch of name) {
    const code = ch.codePointAt(0)!
    if (code >= 0x20 && code <= 0x7e) {
      flush()
      out += ch === '&' ? '&-' : ch
    } else {
      run += ch
    }
  }
  flush()
  return out
}

const BASE64_RUN = /^[A-Za-z0-9+,]+$/

/**
 * The UTF-8 name a modified UTF-7 spelling stands for, or undefined when `spelled` is not one:
 * only printable ASCII, every "&" opening a well-formed run (or "&-"), and the decoded name
 * spelled back gives exactly `spelled` (so "R&D" or a UTF-8 name is never misread as an encoding).
 */
export function decodeMutf7(spelled: string): string | undefined {
  let out = ''
  let i = 0
  while (i < spelled.length) {
    const c = spelled.charCodeAt(i)
    if (c < 0x20 || c > 0x7e) return undefined
    if (spelled[i] !== '&') {
      out += spelled[i]
      i++
      continue
    }
    const end = spelled.indexOf('-', i + 1)
    if (end < 0) return undefined
    if (end === i + 1) {
      out += '&'
      i = end + 1
      continue
    }
    const run = spelled.slice(i + 1, end)
    if (!BASE64_RUN.test(run)) return undefined
    const bytes = Buffer.from(run.replace(/,/g, '/'), 'base64')
    if (bytes.length === 0 || bytes.length % 2 !== 0) return undefined
    out += Buffer.from(bytes).swap16().toString('utf16le')
    i = end + 1
  }
  return encodeMutf7(out) === spelled ? out : undefined
}

/** Whether a directory name is a modified UTF-7 spelling that differs from the name it stands for. */
export function isMutf7Spelling(spelled: string): boolean {
  if (!spelled.includes('&')) return false
  const name = decodeMutf7(spelled)
  return name !== undefined && name !== spelled
}

// Modified UTF-7 (RFC 3501 section 5.1.3): how IMAP servers without UTF8=ACCEPT, and Dovecot's
// Maildir++ directory names, spell non-ASCII folder names ("Entwürfe" -> "Entw&APw-rfe").

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

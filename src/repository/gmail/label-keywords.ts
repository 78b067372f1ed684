// Labels as IMAP keywords (migrate --labels keywords): a keyword is an atom, so a label is
// spelled in the characters an atom may hold.
//   - a system label `\Name` becomes `$Name` (`\Inbox` -> `$Inbox`, `\Important` -> `$Important`):
//     a keyword may not start with a backslash, and `$` is the usual prefix of well-known keywords;
//   - a user label is spelled in modified UTF-7, as Gmail spells the label's folder, with the
//     ASCII characters an atom cannot hold (space ( ) { } % * " \ ] and controls) also inside the
//     `&...-` base64 runs: `Lists/Debian` stays, `My Label` becomes `My&ACA-Label`, `Entwürfe`
//     `Entw&APw-rfe`. A user label that starts with `$` is written `&ACQ-...` so that it never
//     reads back as a system label.
// keywordLabel() undoes both, so a label survives the trip.

/** ASCII characters an atom may hold (RFC 3501 ATOM-CHAR), less `&` (the escape itself). */
function direct(code: number): boolean {
  if (code <= 0x20 || code >= 0x7f) return false
  return !'(){%*"\\]&'.includes(String.fromCharCode(code))
}

function base64Run(run: string): string {
  const utf16be = Buffer.from(run, 'utf16le').swap16()
  return '&' + utf16be.toString('base64').replace(/=+$/, '').replace(/\//g, ',') + '-'
}

export function labelKeyword(label: string): string {
  if (label.startsWith('\\')) return '$' + encodeUserPart(label.slice(1))
  if (label.startsWith('$')) return base64Run('$') + encodeUserPart(label.slice(1))
  return encodeUserPart(label)
}

function encodeUserPart(name: string): string {
  let out = ''
  let run = ''
  for (const ch of name) {
    const code = ch.codePointAt(0)!
    if (direct(code)) {
      if (run) out += base64Run(run)
      run = ''
      out += ch
    } else if (ch === '&' && !run) {
      out += '&-'
    } else {
      run += ch
    }
  }
  if (run) out += base64Run(run)
  return out
}

/** The label a keyword made by labelKeyword() stands for; undefined for a keyword it cannot have made. */
export function keywordLabel(keyword: string): string | undefined {
  if (keyword.startsWith('$')) {
    const rest = decodeUserPart(keyword.slice(1))
    return rest === undefined ? undefined : '\\' + rest
  }
  return decodeUserPart(keyword)
}

function decodeUserPart(spelled: string): string | undefined {
  let out = ''
  for (let i = 0; i < spelled.length; ) {
    if (spelled[i] !== '&') {
      if (!direct(spelled.charCodeAt(i))) return undefined
      out += spelled[i++]
      continue
    }
    const end = spelled.indexOf('-', i + 1)
    if (end < 0) return undefined
    if (end === i + 1) out += '&'
    else {
      const run = spelled.slice(i + 1, end)
      if (!/^[A-Za-z0-9+,]+$/.test(run)) return undefined
      const bytes = Buffer.from(run.replace(/,/g, '/'), 'base64')
      if (bytes.length === 0 || bytes.length % 2 !== 0) return undefined
      out += Buffer.from(bytes).swap16().toString('utf16le')
    }
    i = end + 1
  }
  return out
}

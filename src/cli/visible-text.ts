// Text from outside (folder names a server sent, its error texts) made safe for one terminal
// line: control characters become visible escapes (\r, \n, \t, \xNN), so a name cannot break a
// line in two or send escape sequences to the terminal. Everything else is left as it is.
const NAMED: Record<string, string> = { '\r': '\\r', '\n': '\\n', '\t': '\\t' }

export function visibleText(s: string): string {
  return s.replace(/[\x00-\x1f\x7f]/g, (c) => NAMED[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

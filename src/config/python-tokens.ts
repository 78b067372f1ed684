// A tokenizer for the small piece of Python that appears in offlineimaprc values: lambdas,
// list literals and quoted strings. String tokens carry their decoded value.

export type PyToken =
  | { kind: 'name'; text: string }
  | { kind: 'string'; value: string }
  | { kind: 'number'; text: string }
  | { kind: 'op'; text: string }

export class PythonSyntaxError extends Error {}

const OPS = ['==', '!=', '(', ')', '[', ']', ',', ':', '.', '+']

export function tokenizePython(src: string): PyToken[] {
  const out: PyToken[] = []
  let i = 0
  while (i < src.length) {
    const c = src[i]!
    if (/\s/.test(c) || c === '\\' && src[i + 1] === '\n') {
      i += c === '\\' ? 2 : 1
      continue
    }
    const prefix = /^([rRbBuU]{0,2})(['"])/.exec(src.slice(i, i + 4))
    if (prefix && (prefix[1] === '' || /^[rRuU]{1,2}$/.test(prefix[1]!))) {
      const raw = /r/i.test(prefix[1]!)
      const [value, end] = readString(src, i + prefix[1]!.length, raw)
      out.push({ kind: 'string', value })
      i = end
      continue
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))
    if (name) {
      out.push({ kind: 'name', text: name[0] })
      i += name[0].length
      continue
    }
    const num = /^[0-9]+/.exec(src.slice(i))
    if (num) {
      out.push({ kind: 'number', text: num[0] })
      i += num[0].length
      continue
    }
    const op = OPS.find((o) => src.startsWith(o, i))
    if (!op) throw new PythonSyntaxError(`unexpected "${c}"`)
    out.push({ kind: 'op', text: op })
    i += op.length
  }
  return out
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '' }

/** Read a Python string literal starting at the quote; returns [decoded value, index after it]. */
function readString(src: string, start: number, raw: boolean): [string, number] {
  const quote = src[start]!
  const triple = src.startsWith(quote.repeat(3), start)
  const close = triple ? quote.repeat(3) : quote
  let i = start + close.length
  let value = ''
  while (i < src.length) {
    if (src.startsWith(close, i)) return [value, i + close.length]
    const c = src[i]!
    if (c === '\n' && !triple) break
    if (c === '\\' && i + 1 < src.length) {
      const n = src[i + 1]!
      // Raw strings keep the backslash; unknown escapes keep it too (Python does the same).
      if (raw) value += c + n
      else value += n in ESCAPES ? ESCAPES[n] : c + n
      i += 2
      continue
    }
    value += c
    i++
  }
  throw new PythonSyntaxError('unterminated string')
}

/** A value written as a single Python string literal (e.g. `"mailboxes "`), decoded; else undefined. */
export function unquotePythonString(text: string): string | undefined {
  const t = text.trim()
  if (!/^[rRuU]?['"]/.test(t)) return undefined
  try {
    const tokens = tokenizePython(t)
    if (tokens.length === 1 && tokens[0]!.kind === 'string') return tokens[0]!.value
  } catch {
    return undefined
  }
  return undefined
}

/** `['a', "b"]` or `('a', 'b')` as a list of strings; undefined if it is not such a literal. */
export function parsePythonStringList(text: string): string[] | undefined {
  const t = text.trim()
  if (!/^[[(]/.test(t)) return undefined
  let tokens: PyToken[]
  try {
    tokens = tokenizePython(t)
  } catch {
    return undefined
  }
  const open = tokens[0]
  const last = tokens[tokens.length - 1]
  if (open?.kind !== 'op' || last?.kind !== 'op') return undefined
  if (!((open.text === '[' && last.text === ']') || (open.text === '(' && last.text === ')'))) return undefined
  const items: string[] = []
  for (let i = 1; i < tokens.length - 1; i++) {
    const t = tokens[i]!
    if (t.kind !== 'string') return undefined
    items.push(t.value)
    const sep = tokens[i + 1]!
    if (i + 1 < tokens.length - 1) {
      if (sep.kind !== 'op' || sep.text !== ',') return undefined
      i++
    }
  }
  return items
}

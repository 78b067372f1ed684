// Translates the common offlineimaprc lambdas to JavaScript arrow functions, so old files work
// unchanged: membership tests (`f in [...]`, `f not in [...]`), `==`/`!=`, startswith/endswith,
// re.sub/re.search/re.match (Python regex -> JS RegExp, \1 -> $1), str.replace/lower/upper, `+`,
// `x if c else y`, combined with and/or/not and parentheses. Anything else is refused: the caller
// shows the JavaScript to write instead.
import { tokenizePython, type PyToken } from './python-tokens.js'

export class UntranslatableLambda extends Error {}

/** Is this value Python lambda syntax (as opposed to JavaScript)? */
export function looksLikePythonLambda(text: string): boolean {
  return /^\s*lambda\b/.test(text)
}

/** JavaScript source of an arrow function equivalent to the Python lambda `src`. */
export function translatePythonLambda(src: string): string {
  let tokens: PyToken[]
  try {
    tokens = tokenizePython(src)
  } catch (e) {
    throw new UntranslatableLambda((e as Error).message)
  }
  return new LambdaTranslator(tokens).lambda()
}

class LambdaTranslator {
  private pos = 0
  private params: string[] = []

  constructor(private readonly tokens: PyToken[]) {}

  lambda(): string {
    this.expectName('lambda')
    do {
      this.params.push(this.name())
    } while (this.acceptOp(','))
    this.expectOp(':')
    const body = this.expr()
    if (this.pos < this.tokens.length) this.fail(`unexpected ${show(this.tokens[this.pos]!)}`)
    return `(${this.params.join(', ')}) => ${body}`
  }

  private expr(): string {
    const value = this.or()
    if (!this.acceptName('if')) return value
    const cond = this.or()
    this.expectName('else')
    return `(${cond} ? ${value} : ${this.expr()})`
  }

  private or(): string {
    let left = this.and()
    while (this.acceptName('or')) left = `${left} || ${this.and()}`
    return left
  }

  private and(): string {
    let left = this.not()
    while (this.acceptName('and')) left = `${left} && ${this.not()}`
    return left
  }

  private not(): string {
    if (this.acceptName('not')) return `!(${this.not()})`
    return this.comparison()
  }

  private comparison(): string {
    const left = this.additive()
    if (this.acceptOp('==')) return `${left} === ${this.additive()}`
    if (this.acceptOp('!=')) return `${left} !== ${this.additive()}`
    if (this.acceptName('in')) return `${this.additive()}.includes(${left})`
    if (this.peekName('not') && this.peekName('in', 1)) {
      this.pos += 2
      return `!${this.additive()}.includes(${left})`
    }
    return left
  }

  private additive(): string {
    let left = this.postfix()
    while (this.acceptOp('+')) left = `${left} + ${this.postfix()}`
    return left
  }

  private postfix(): string {
    let value = this.primary()
    while (this.acceptOp('.')) {
      const method = this.name()
      const args = this.args()
      value = this.method(value, method, args)
    }
    return value
  }

  private method(target: string, method: string, args: string[]): string {
    const need = (n: number) => {
      if (args.length !== n) this.fail(`${method}() with ${args.length} arguments`)
    }
    switch (method) {
      case 'startswith':
      case 'endswith': {
        need(1)
        const js = method === 'startswith' ? 'startsWith' : 'endsWith'
        const arg = args[0]!
        // A tuple of prefixes: any of them.
        if (arg.startsWith('[')) return `${arg}.some((p) => ${target}.${js}(p))`
        return `${target}.${js}(${arg})`
      }
      case 'replace':
        need(2)
        return `${target}.split(${args[0]}).join(${args[1]})`
      case 'lower':
        need(0)
        return `${target}.toLowerCase()`
      case 'upper':
        need(0)
        return `${target}.toUpperCase()`
      default:
        return this.fail(`method .${method}()`)
    }
  }

  private primary(): string {
    const t = this.tokens[this.pos++]
    if (!t) return this.fail('unexpected end')
    if (t.kind === 'string') return JSON.stringify(t.value)
    if (t.kind === 'number') return t.text
    if (t.kind === 'op' && t.text === '(') {
      const items = this.sequence(')')
      return items.tuple ? `[${items.values.join(', ')}]` : `(${items.values[0]})`
    }
    if (t.kind === 'op' && t.text === '[') return `[${this.sequence(']').values.join(', ')}]`
    if (t.kind === 'name') {
      if (t.text === 'True') return 'true'
      if (t.text === 'False') return 'false'
      if (this.params.includes(t.text)) return t.text
      if (t.text === 're') return this.regexCall()
      return this.fail(`the name "${t.text}"`)
    }
    return this.fail(`unexpected ${show(t)}`)
  }

  /** `( a, b, )`: items, and whether it is a tuple (has a comma) rather than a parenthesized expr. */
  private sequence(close: string): { values: string[]; tuple: boolean } {
    const values: string[] = []
    let tuple = close === ']'
    while (!this.acceptOp(close)) {
      values.push(this.expr())
      if (this.acceptOp(',')) tuple = true
      else if (!this.peekOp(close)) this.fail(`expected "," or "${close}"`)
    }
    if (values.length === 0 && close === ')') tuple = true
    return { values, tuple }
  }

  private regexCall(): string {
    this.expectOp('.')
    const fn = this.name()
    const patternToken = this.tokens[this.pos + 1]
    const args = this.args()
    if (patternToken?.kind !== 'string') return this.fail(`re.${fn}() with a pattern that is not a string literal`)
    const { source, flags } = pythonRegexToJs(patternToken.value)
    const regex = (extra: string, wrap: (s: string) => string) => `new RegExp(${JSON.stringify(wrap(source))}, ${JSON.stringify(flags + extra)})`
    switch (fn) {
      case 'sub': {
        if (args.length !== 3) this.fail('re.sub() with count or flags')
        return `${args[2]}.replace(${regex('g', (s) => s)}, ${this.replacement(args[1]!)})`
      }
      case 'search':
        if (args.length !== 2) this.fail('re.search() with flags')
        return `${regex('', (s) => s)}.test(${args[1]})`
      case 'match':
        if (args.length !== 2) this.fail('re.match() with flags')
        return `${regex('', (s) => `^(?:${s})`)}.test(${args[1]})`
      case 'fullmatch':
        if (args.length !== 2) this.fail('re.fullmatch() with flags')
        return `${regex('', (s) => `^(?:${s})$`)}.test(${args[1]})`
      default:
        return this.fail(`re.${fn}()`)
    }
  }

  /** A re.sub replacement: must be a string literal; \1 and \g<name> become $1 and $<name>. */
  private replacement(jsLiteral: string): string {
    let value: unknown
    try {
      value = JSON.parse(jsLiteral)
    } catch {
      return this.fail('re.sub() with a replacement that is not a string literal')
    }
    return JSON.stringify(pythonReplacementToJs(value as string))
  }

  private args(): string[] {
    this.expectOp('(')
    return this.sequence(')').values
  }

  private name(): string {
    const t = this.tokens[this.pos++]
    if (t?.kind !== 'name') return this.fail(t ? `unexpected ${show(t)}` : 'unexpected end')
    return t.text
  }

  private peekName(text: string, ahead = 0): boolean {
    const t = this.tokens[this.pos + ahead]
    return t?.kind === 'name' && t.text === text
  }

  private peekOp(text: string): boolean {
    const t = this.tokens[this.pos]
    return t?.kind === 'op' && t.text === text
  }

  private acceptName(text: string): boolean {
    if (!this.peekName(text)) return false
    this.pos++
    return true
  }

  private acceptOp(text: string): boolean {
    if (!this.peekOp(text)) return false
    this.pos++
    return true
  }

  private expectName(text: string): void {
    if (!this.acceptName(text)) this.fail(`expected "${text}"`)
  }

  private expectOp(text: string): void {
    if (!this.acceptOp(text)) this.fail(`expected "${text}"`)
  }

  private fail(what: string): never {
    throw new UntranslatableLambda(`cannot translate ${what}`)
  }
}

function show(t: PyToken): string {
  return t.kind === 'string' ? JSON.stringify(t.value) : `"${t.text}"`
}

/** Python `re` pattern -> JavaScript RegExp source and flags (throws where they differ too much). */
function pythonRegexToJs(pattern: string): { source: string; flags: string } {
  let flags = ''
  let p = pattern
  const inline = /^\(\?([aiLmsux]+)\)/.exec(p)
  if (inline) {
    for (const f of inline[1]!) {
      if (f === 'i' || f === 'm' || f === 's') flags += f
      else if (f !== 'u') throw new UntranslatableLambda(`cannot translate the regex flag (?${f})`)
    }
    p = p.slice(inline[0].length)
  }
  const source = p
    .replace(/\(\?P<([A-Za-z_]\w*)>/g, '(?<$1>')
    .replace(/\(\?P=([A-Za-z_]\w*)\)/g, '\\k<$1>')
    .replace(/\\A/g, '^')
    .replace(/\\Z/g, '$')
  try {
    new RegExp(source, flags)
  } catch (e) {
    throw new UntranslatableLambda(`the regex ${JSON.stringify(pattern)} is not valid in JavaScript: ${(e as Error).message}`)
  }
  return { source, flags }
}

/** Python re.sub replacement (`\1`, `\g<1>`, `\g<name>`, `\\`) -> String.replace replacement. */
function pythonReplacementToJs(repl: string): string {
  let out = ''
  for (let i = 0; i < repl.length; i++) {
    const c = repl[i]!
    if (c === '$') {
      out += '$$'
      continue
    }
    if (c !== '\\' || i + 1 >= repl.length) {
      out += c
      continue
    }
    const rest = repl.slice(i + 1)
    const digits = /^\d{1,2}/.exec(rest)
    const group = /^g<(\w+)>/.exec(rest)
    if (digits) {
      out += `$${digits[0]}`
      i += digits[0].length
    } else if (group) {
      out += /^\d+$/.test(group[1]!) ? `$${group[1]}` : `$<${group[1]}>`
      i += group[0].length
    } else if (rest[0] === '\\') {
      out += '\\'
      i++
    } else if (rest[0] === 'n') {
      out += '\n'
      i++
    } else if (rest[0] === 't') {
      out += '\t'
      i++
    } else {
      out += c
    }
  }
  return out
}

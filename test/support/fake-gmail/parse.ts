// The arguments of one command as tokens (RFC 3501 section 9): atoms, strings (quoted or
// literal, as bytes), and parenthesized lists. An atom may carry a bracketed section with spaces
// and parentheses in it, and a partial range, as fetch items do (`BODY.PEEK[HEADER.FIELDS (A B)]<0.100>`).
import type { RawCommand } from './command-reader.js'

export type Token =
  | { kind: 'atom'; value: string }
  | { kind: 'string'; value: Buffer }
  | { kind: 'list'; items: Token[] }

export class BadCommand extends Error {}

export interface ParsedCommand {
  tag: string
  /** Upper case; `UID FETCH` etc. for UID commands. */
  name: string
  args: Token[]
  /** The command as text, literals shown by size, for the log. */
  line: string
}

export function parseCommand(raw: RawCommand): ParsedCommand {
  // the pieces after a literal go on where it ended (they begin with their own space)
  const line = raw.text.map((t, i) => (i < raw.literals.length ? t.replace(/\{\d+\+?\}$/, `{${raw.literals[i]!.length}}`) : t)).join('')
  const c = new Cursor(raw)
  const tag = c.word()
  if (!tag || !c.space()) throw new BadCommand('expected a tag and a command')
  let name = c.word().toUpperCase()
  if (!name) throw new BadCommand('expected a command')
  if (name === 'UID') {
    if (!c.space()) throw new BadCommand('UID what?')
    name = `UID ${c.word().toUpperCase()}`
  }
  const args: Token[] = []
  while (c.space()) args.push(c.token())
  if (!c.atEnd()) throw new BadCommand(`unexpected text at column ${c.column}`)
  return { tag, name, args, line }
}

/** Only the tag of a command, for an answer to a command that does not parse. */
export function tagOf(raw: RawCommand): string {
  return /^([^\s(){%*"\\\]]+)/.exec(raw.text[0] ?? '')?.[1] ?? '*'
}

class Cursor {
  private piece = 0
  private at = 0
  private text: string

  constructor(private readonly raw: RawCommand) {
    this.text = raw.text[0] ?? ''
  }

  get column(): number {
    return this.at
  }

  atEnd(): boolean {
    return this.at >= this.text.length && this.piece >= this.raw.literals.length
  }

  space(): boolean {
    if (this.text[this.at] !== ' ') return false
    while (this.text[this.at] === ' ') this.at++
    return !this.atEnd()
  }

  /** Characters up to a space (tags, command names). */
  word(): string {
    const start = this.at
    while (this.at < this.text.length && this.text[this.at] !== ' ') this.at++
    return this.text.slice(start, this.at)
  }

  token(): Token {
    const ch = this.text[this.at]
    if (ch === '(') return this.list()
    if (ch === '"') return { kind: 'string', value: this.quoted() }
    if (ch === '{' || (ch === '~' && this.text[this.at + 1] === '{')) return { kind: 'string', value: this.literal() }
    return { kind: 'atom', value: this.atom() }
  }

  private list(): Token {
    this.at++ // (
    const items: Token[] = []
    for (;;) {
      while (this.text[this.at] === ' ') this.at++
      if (this.at >= this.text.length && this.piece >= this.raw.literals.length) throw new BadCommand('unclosed list')
      if (this.text[this.at] === ')') {
        this.at++
        return { kind: 'list', items }
      }
      items.push(this.token())
    }
  }

  private quoted(): Buffer {
    this.at++ // "
    let out = ''
    for (;;) {
      if (this.at >= this.text.length) throw new BadCommand('unterminated quoted string')
      const ch = this.text[this.at]!
      if (ch === '"') {
        this.at++
        return Buffer.from(out, 'latin1')
      }
      if (ch === '\\') {
        this.at++
        out += this.text[this.at] ?? ''
      } else out += ch
      this.at++
    }
  }

  private literal(): Buffer {
    const rest = this.text.slice(this.at)
    if (!/^~?\{\d+\+?\}$/.test(rest) || this.piece >= this.raw.literals.length) throw new BadCommand('bad literal')
    const lit = this.raw.literals[this.piece]!
    this.piece++
    this.text = this.raw.text[this.piece] ?? ''
    this.at = 0
    return lit
  }

  private atom(): string {
    const start = this.at
    while (this.at < this.text.length) {
      const ch = this.text[this.at]!
      if (ch === ' ' || ch === '(' || ch === ')') break
      if (ch === '[') {
        const close = this.text.indexOf(']', this.at)
        if (close < 0) throw new BadCommand('unclosed [')
        this.at = close + 1
        continue
      }
      this.at++
    }
    if (this.at === start) throw new BadCommand(`unexpected "${this.text[this.at] ?? 'end'}"`)
    return this.text.slice(start, this.at)
  }
}

// ---- typed reads of arguments ----

export function atomArg(t: Token | undefined, what: string): string {
  if (t?.kind !== 'atom') throw new BadCommand(`expected ${what}`)
  return t.value
}

/** An astring (atom, quoted or literal) as text; `utf8` for SASL and passwords, latin1 otherwise. */
export function stringArg(t: Token | undefined, what: string, encoding: BufferEncoding = 'utf8'): string {
  if (t?.kind === 'atom') return t.value
  if (t?.kind === 'string') return t.value.toString(encoding)
  throw new BadCommand(`expected ${what}`)
}

export function listArg(t: Token | undefined, what: string): Token[] {
  if (t?.kind !== 'list') throw new BadCommand(`expected a list of ${what}`)
  return t.items
}

// The data items of an untagged FETCH response (`* 12 FETCH (UID 5 FLAGS (\Seen) BODY[] {n}...)`)
// and the few other untagged responses a bulk fetch reads itself (VANISHED).
import type { RawResponse } from './response-reader.js'
import { ProtocolError } from './response-reader.js'

/** An item value: atom or number (as text), quoted string, literal, NIL, or a parenthesized list. */
export type ItemValue = string | Buffer | null | ItemValue[]

export interface FetchResponse {
  seq: number
  /** Item names upper-cased as sent (`UID`, `RFC822.SIZE`, `BODY[]`, `BODY[HEADER.FIELDS (MESSAGE-ID)]`). */
  items: Map<string, ItemValue>
}

const FETCH_HEAD = /^\* (\d+) FETCH \(/i

/** The FETCH response's items, or undefined when the response is not an untagged FETCH. */
export function parseFetchResponse(r: RawResponse): FetchResponse | undefined {
  const head = FETCH_HEAD.exec(r.text[0]!)
  if (!head) return undefined
  const c = new Cursor(r, head[0].length)
  const items = new Map<string, ItemValue>()
  for (;;) {
    c.skipSpaces()
    if (c.peek() === ')') break
    const name = c.itemName().toUpperCase()
    c.expect(' ')
    items.set(name, c.value())
  }
  return { seq: Number(head[1]), items }
}

/** `* VANISHED (EARLIER) 1:3,7` -> the UIDs (with `earlier`), or undefined for other responses. */
export function parseVanished(r: RawResponse): { earlier: boolean; uids: number[] } | undefined {
  if (r.literals.length) return undefined
  const m = /^\* VANISHED (\(EARLIER\) )?([0-9:,]+)$/i.exec(r.text[0]!)
  if (!m) return undefined
  const uids: number[] = []
  for (const part of m[2]!.split(',')) {
    const range = /^(\d+)(?::(\d+))?$/.exec(part)
    const a = Number(range?.[1])
    const b = range?.[2] === undefined ? a : Number(range[2])
    if (!range || !(a >= 1) || !(b >= 1)) throw new ProtocolError(`bad UID set in "${r.text[0]!.slice(0, 120)}"`)
    if (Math.abs(b - a) > 10_000_000) throw new ProtocolError(`UID range too large in "${r.text[0]!.slice(0, 120)}"`)
    for (let u = Math.min(a, b); u <= Math.max(a, b); u++) uids.push(u)
  }
  return { earlier: !!m[1], uids }
}

/** Reads the text pieces and literals of one response in order. */
class Cursor {
  private piece = 0
  private text: string

  constructor(private readonly r: RawResponse, private at: number) {
    this.text = r.text[0]!
  }

  peek(): string {
    if (this.at >= this.text.length) this.fail('response ends early')
    return this.text[this.at]!
  }

  expect(ch: string): void {
    if (this.peek() !== ch) this.fail(`expected "${ch}"`)
    this.at++
  }

  skipSpaces(): void {
    while (this.at < this.text.length && this.text.charCodeAt(this.at) === 32) this.at++
  }

  /** `UID`, `BODY[HEADER.FIELDS (MESSAGE-ID)]`, `BODY[]<0>`: brackets may hold spaces and parentheses. */
  itemName(): string {
    const start = this.at
    let depth = 0
    while (this.at < this.text.length) {
      const ch = this.text[this.at]!
      if (ch === '[') depth++
      else if (ch === ']') depth--
      else if (depth === 0 && (ch === ' ' || ch === '(' || ch === ')')) break
      this.at++
    }
    if (this.at === start) this.fail('expected a data item name')
    return this.text.slice(start, this.at)
  }

  value(): ItemValue {
    const ch = this.peek()
    if (ch === '(') return this.list()
    if (ch === '"') return this.quoted()
    if (ch === '{' || (ch === '~' && this.text[this.at + 1] === '{')) return this.literal()
    const start = this.at
    while (this.at < this.text.length) {
      const c = this.text[this.at]!
      if (c === ' ' || c === ')' || c === '(') break
      if (c === '[') {
        // an atom with a section, as inside BODYSTRUCTURE-like lists; read through the bracket
        const close = this.text.indexOf(']', this.at)
        this.at = close < 0 ? this.text.length : close + 1
        continue
      }
      this.at++
    }
    const atom = this.text.slice(start, this.at)
    if (atom === '') this.fail('expected a value')
    return atom.toUpperCase() === 'NIL' ? null : atom
  }

  private list(): ItemValue[] {
    this.expect('(')
    const out: ItemValue[] = []
    for (;;) {
      this.skipSpaces()
      if (this.peek() === ')') {
        this.at++
        return out
      }
      out.push(this.value())
    }
  }

  private quoted(): string {
    this.expect('"')
    let out = ''
    let from = this.at
    for (;;) {
      if (this.at >= this.text.length) this.fail('unterminated quoted string')
      const c = this.text.charCodeAt(this.at)
      if (c === 34 /* " */) {
        out += this.text.slice(from, this.at)
        this.at++
        return out
      }
      if (c === 92 /* \ */) {
        out += this.text.slice(from, this.at)
        this.at++
        from = this.at
      }
      this.at++
    }
  }

  /** A literal is announced at the end of a text piece; its bytes come next, then the next piece. */
  private literal(): Buffer {
    const rest = this.text.slice(this.at)
    if (!/^~?\{\d+\+?\}$/.test(rest) || this.piece >= this.r.literals.length) this.fail('bad literal')
    const lit = this.r.literals[this.piece]!
    this.piece++
    this.text = this.r.text[this.piece]!
    this.at = 0
    return lit
  }

  private fail(why: string): never {
    throw new ProtocolError(`cannot parse FETCH response "${this.r.text[0]!.slice(0, 120)}": ${why}`)
  }
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC']
const DATE_TIME = /^ ?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/

/** INTERNALDATE (`17-Jul-1996 02:44:25 -0700`, day possibly space-padded) in ms since the epoch. */
export function parseInternalDate(text: string): number | undefined {
  const m = DATE_TIME.exec(text)
  if (!m) return undefined
  const month = MONTHS.indexOf(m[2]!.toUpperCase())
  const [day, year, hour, minute, second] = [m[1], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number]
  if (month < 0 || hour > 23 || minute > 59 || second > 60 || Number(m[9]) > 59) return undefined
  const utc = Date.UTC(year, month, day, hour, minute, second)
  if (new Date(utc).getUTCDate() !== day) return undefined // 31-Feb
  const offset = (Number(m[8]) * 60 + Number(m[9])) * 60_000
  return m[7] === '+' ? utc - offset : utc + offset
}

/** Typed reads of the usual items; undefined when absent or malformed. */
export function numberItem(v: ItemValue | undefined): number | undefined {
  if (typeof v !== 'string' || !/^\d+$/.test(v)) return undefined
  return Number(v)
}

export function bytesItem(v: ItemValue | undefined): Buffer | undefined {
  if (Buffer.isBuffer(v)) return v
  if (typeof v === 'string') return Buffer.from(v, 'latin1')
  return undefined
}

export function flagsItem(v: ItemValue | undefined): string[] | undefined {
  if (!Array.isArray(v)) return undefined
  return v.filter((f): f is string => typeof f === 'string')
}

export function modSeqItem(v: ItemValue | undefined): bigint | undefined {
  if (!Array.isArray(v) || typeof v[0] !== 'string' || !/^\d+$/.test(v[0])) return undefined
  return BigInt(v[0])
}

/** The first item whose name starts with `prefix` (section names vary in quoting and case). */
export function itemStartingWith(items: Map<string, ItemValue>, prefix: string): ItemValue | undefined {
  for (const [name, v] of items) if (name.startsWith(prefix)) return v
  return undefined
}

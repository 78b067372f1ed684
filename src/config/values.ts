// Turning option text into typed values, per the schema type. Problems come back as
// ValueProblem (a message naming the expected type); the caller adds file/line/section/option.
import type { OptionSpec } from './schema.js'
import { parsePythonStringList, unquotePythonString } from './python-tokens.js'

export class ValueProblem extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message)
  }
}

// The words ConfigParser.getboolean accepts.
const BOOLEANS: Record<string, boolean> = { '1': true, yes: true, true: true, on: true, '0': false, no: false, false: false, off: false }

/** `~` and `~/...` become the home directory. */
export function expandHome(path: string, home: string): string {
  if (path === '~') return home
  if (path.startsWith('~/')) return home + path.slice(1)
  return path
}

/** `YYYY-MM-DD` as midnight UTC; undefined when it is not that form or not a day of the calendar. */
export function parseDay(text: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined
  // Date.UTC rolls over (2024-13-01 would be 2025-01-01): a real day keeps its month and day.
  return d && d.getUTCMonth() === Number(m![2]) - 1 && d.getUTCDate() === Number(m![3]) ? d : undefined
}

function parseList(text: string): string[] {
  const literal = parsePythonStringList(text)
  if (literal) return literal
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

/** A value of any type but `function` (those are compiled by functions.ts). */
export function coerceValue(spec: OptionSpec, text: string, home: string): unknown {
  const t = text.trim()
  switch (spec.type) {
    case 'string': {
      if (spec.unquote) return unquotePythonString(t) ?? text
      return t
    }
    case 'path':
      if (t === '') throw new ValueProblem('expected a path, got an empty value')
      return expandHome(t, home)
    case 'int': {
      if (!/^[+-]?\d+$/.test(t)) throw new ValueProblem(`expected an integer, got "${t}"`)
      return checkMin(spec, Number(t))
    }
    case 'number': {
      if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(t)) throw new ValueProblem(`expected a number, got "${t}"`)
      return checkMin(spec, Number(t))
    }
    case 'bool': {
      const b = BOOLEANS[t.toLowerCase()]
      if (b === undefined) throw new ValueProblem(`expected a boolean (yes/no, true/false, on/off, 1/0), got "${t}"`)
      return b
    }
    case 'list':
      return parseList(t)
    case 'enum': {
      const lower = t.toLowerCase()
      const hit = spec.values!.find((v) => v.toLowerCase() === lower) ?? spec.valueAliases?.[lower]
      if (hit === undefined) throw new ValueProblem(`expected one of ${spec.values!.join(', ')}, got "${t}"`)
      return hit
    }
    case 'date': {
      if (!parseDay(t)) throw new ValueProblem(`expected a date YYYY-MM-DD, got "${t}"`)
      return t
    }
    case 'map': {
      const out: Record<string, string> = {}
      for (const item of parseList(t)) {
        const m = /^([^:=]+?)\s*[:=]\s*(.+)$/.exec(item)
        if (!m) throw new ValueProblem(`expected "key:value" items separated by commas, got "${item}"`)
        out[m[1]!] = m[2]!
      }
      return out
    }
    case 'function':
      throw new Error('functions are compiled by functions.ts')
  }
}

function checkMin(spec: OptionSpec, n: number): number {
  if (spec.min !== undefined && n < spec.min) throw new ValueProblem(`expected a number of at least ${spec.min}, got ${n}`)
  return n
}

/** Human name of an option type, for messages and docs. */
export function describeType(spec: OptionSpec): string {
  switch (spec.type) {
    case 'enum':
      return `one of ${spec.values!.join(' | ')}`
    case 'bool':
      return 'boolean'
    case 'function':
      return `function (${(spec.params ?? []).join(', ')}) => ${spec.returns}`
    case 'list':
      return 'list'
    case 'map':
      return 'map (key:value, ...)'
    case 'date':
      return 'date (YYYY-MM-DD)'
    default:
      return spec.type
  }
}

// INI reading the way Python's ConfigParser does it (what offlineimaprc files are written for):
// `[section]` headers, `key = value` / `key: value` (first delimiter wins), option names
// case-insensitive, whole-line `#`/`;` comments, values continued on more-indented lines, a
// [DEFAULT] section every other section falls back to, duplicate sections/options refused, and
// BasicInterpolation (`%(name)s`, `%%`). Every option remembers the line it was written on.
import { ConfigError } from '../errors.js'

export interface IniOption {
  /** Lowercased option name. */
  name: string
  /** The value as written (continuation lines joined with "\n"), before interpolation. */
  raw: string
  line: number
}

export interface IniSection {
  /** Section name as written (case-sensitive, like ConfigParser). */
  name: string
  line: number
  options: Map<string, IniOption>
}

export interface IniDocument {
  file: string
  /** The [DEFAULT] section; empty when the file has none. */
  defaults: IniSection
  /** Every other section, in file order. */
  sections: IniSection[]
}

const SECTION_RE = /^\[(?<name>.+)\]\s*$/
const OPTION_RE = /^(?<key>.*?)\s*[=:]\s*(?<value>.*)$/

export function parseIni(text: string, file: string): IniDocument {
  const defaults: IniSection = { name: 'DEFAULT', line: 0, options: new Map() }
  const sections: IniSection[] = []
  const byName = new Map<string, IniSection>()
  let current: IniSection | undefined
  let option: { opt: IniOption; indent: number; lines: string[] } | undefined
  const finish = () => {
    if (!option) return
    const lines = option.lines
    while (lines.length > 1 && lines[lines.length - 1] === '') lines.pop()
    option.opt.raw = lines.join('\n')
    option = undefined
  }

  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  lines.forEach((lineText, index) => {
    const lineNo = index + 1
    const stripped = lineText.trim()
    const indent = lineText.length - lineText.trimStart().length
    if (stripped.startsWith('#') || stripped.startsWith(';')) return
    if (stripped === '') {
      // Blank lines may sit inside a continued value; trailing ones are dropped in finish().
      if (option) option.lines.push('')
      return
    }
    if (option && indent > option.indent) {
      option.lines.push(stripped)
      return
    }
    finish()
    const header = SECTION_RE.exec(stripped)
    if (header) {
      const name = header.groups!.name!.trim()
      if (name === 'DEFAULT') {
        current = defaults
        if (defaults.line) throw new ConfigError(`section [DEFAULT] appears twice (first on line ${defaults.line})`, { file, line: lineNo })
        defaults.line = lineNo
        return
      }
      const seen = byName.get(name)
      if (seen) throw new ConfigError(`section [${name}] appears twice (first on line ${seen.line})`, { file, line: lineNo, section: name })
      current = { name, line: lineNo, options: new Map() }
      sections.push(current)
      byName.set(name, current)
      return
    }
    if (!current) {
      throw new ConfigError(`"${stripped}" comes before any [section] header`, { file, line: lineNo }, { hint: 'start the file with a section such as [general]' })
    }
    const m = OPTION_RE.exec(stripped)
    if (!m || m.groups!.key === '') {
      throw new ConfigError(`cannot read "${stripped}": expected "option = value"`, { file, line: lineNo, section: current.name })
    }
    const name = m.groups!.key!.toLowerCase()
    const earlier = current.options.get(name)
    if (earlier) {
      throw new ConfigError(`option set twice in this section (first on line ${earlier.line})`, { file, line: lineNo, section: current.name, option: name })
    }
    const opt: IniOption = { name, raw: '', line: lineNo }
    current.options.set(name, opt)
    option = { opt, indent, lines: [m.groups!.value!] }
  })
  finish()
  return { file, defaults, sections }
}

/** The option as the section sees it: its own, else [DEFAULT]'s. */
export function lookupOption(doc: IniDocument, section: IniSection, name: string): IniOption | undefined {
  return section.options.get(name) ?? doc.defaults.options.get(name)
}

const MAX_DEPTH = 10

/** The value of `opt` in `section` with `%(name)s` references replaced and `%%` made `%`. */
export function interpolate(doc: IniDocument, section: IniSection, opt: IniOption): string {
  return expand(doc, section, opt, [opt.name])
}

function expand(doc: IniDocument, section: IniSection, opt: IniOption, chain: string[]): string {
  const where = { file: doc.file, line: opt.line, section: section.name, option: chain[0] }
  let out = ''
  const s = opt.raw
  for (let i = 0; i < s.length; i++) {
    const c = s[i]
    if (c !== '%') {
      out += c
      continue
    }
    const next = s[i + 1]
    if (next === '%') {
      out += '%'
      i++
      continue
    }
    const ref = next === '(' ? /^\(([^)]*)\)s/.exec(s.slice(i + 1)) : null
    if (!ref) {
      throw new ConfigError(`"%" must be followed by "%" or "(name)s" in "${s}"`, where, { hint: 'write %% for a literal percent sign' })
    }
    const refName = ref[1]!.toLowerCase()
    if (chain.includes(refName)) {
      throw new ConfigError(`interpolation loop: ${[...chain, refName].map((n) => `%(${n})s`).join(' -> ')}`, where)
    }
    if (chain.length >= MAX_DEPTH) throw new ConfigError(`interpolation nested deeper than ${MAX_DEPTH} levels`, where)
    const target = lookupOption(doc, section, refName)
    if (!target) {
      throw new ConfigError(`%(${refName})s refers to an option that is neither in [${section.name}] nor in [DEFAULT]`, where)
    }
    out += expand(doc, section, target, [...chain, refName])
    i += ref[0].length
  }
  return out
}

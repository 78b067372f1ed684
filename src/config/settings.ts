// Resolving one section's settings against the schema: typed values from the inputs (file, URL,
// flags), defaults for the rest, required options checked, unsupported options warned about or
// refused. Shared by every section kind and by command-line overrides.
import { ConfigError, type ConfigLocation } from '../errors.js'
import { compileFunction } from './functions.js'
import { optionsFor, type OptionSpec, type RepositoryType, type SectionKind } from './schema.js'
import type { ConfigWarning, Setting, SettingSource, SettingsView } from './types.js'
import { coerceValue, describeType, ValueProblem } from './values.js'

/** One given value: text to parse (file, flags) or an already typed value (URL). */
export interface SettingInput {
  text?: string
  value?: unknown
  source: SettingSource
  file?: string
  line?: number
  /** source 'preset': the preset's name. */
  preset?: string
}

export interface ResolveContext {
  home: string
  env: Record<string, string | undefined>
  warnings: ConfigWarning[]
}

export interface SectionRef {
  kind: SectionKind
  /** Section name as written, e.g. `Repository work`. */
  section: string
  file?: string
  line?: number
  type?: RepositoryType
  declaredType?: string
}

const DEFAULT_FUNCTION_TEXT: Record<string, string> = { boolean: '() => true', string: 'folder => folder' }

export function warn(ctx: ResolveContext, message: string, location: ConfigLocation): void {
  ctx.warnings.push({ message: new ConfigError(message, location).message, location })
}

/** Typed settings for `ref` from `inputs` (keyed by canonical option name). */
export function resolveSettings(ref: SectionRef, inputs: Map<string, SettingInput>, ctx: ResolveContext): Record<string, Setting> {
  const out: Record<string, Setting> = {}
  const values: Record<string, unknown> = {}
  const specs = optionsFor(ref.kind, ref.type)
  for (const spec of specs) {
    const input = inputs.get(spec.name)
    if (input) {
      const setting = resolveInput(spec, input, ref, ctx)
      if (setting) {
        out[spec.name] = setting
        values[spec.name] = setting.value
      }
    } else if (spec.default !== undefined) {
      out[spec.name] = { value: structuredClone(spec.default), source: 'default' }
      values[spec.name] = spec.default
    } else if (spec.type === 'function') {
      const text = DEFAULT_FUNCTION_TEXT[spec.returns!]!
      const fn = spec.returns === 'boolean' ? () => true : (folder: string) => folder
      out[spec.name] = { value: fn, source: 'default', text }
    }
  }
  for (const spec of specs) {
    if (out[spec.name] || !spec.computeDefault) continue
    const value = spec.computeDefault({ values, env: ctx.env, home: ctx.home, declaredType: ref.declaredType })
    if (value !== undefined) out[spec.name] = { value, source: 'default' }
  }
  for (const spec of specs) {
    if (spec.required && !out[spec.name]) {
      const what = ref.kind === 'repository' ? `${ref.type} repository` : `[${ref.section}] section`
      throw new ConfigError(`missing required option ${spec.name}`, { file: ref.file, line: ref.line, section: ref.section, option: spec.name }, {
        hint: `every ${what} needs "${spec.name} = ..."`,
      })
    }
  }
  return out
}

function resolveInput(spec: OptionSpec, input: SettingInput, ref: SectionRef, ctx: ResolveContext): Setting | undefined {
  const where: ConfigLocation = { file: input.file ?? ref.file, line: input.line, section: ref.section, option: spec.name }
  if (spec.unsupported) {
    if (spec.unsupported.level === 'error') throw new ConfigError('not supported', where, { hint: spec.unsupported.hint })
    warn(ctx, `not supported, ignored: ${spec.unsupported.hint}`, where)
    return undefined
  }
  const base = { source: input.source, file: input.file, line: input.line, ...(input.preset ? { preset: input.preset } : {}) }
  if (input.value !== undefined) return { ...base, value: input.value, ...(input.text !== undefined ? { text: input.text } : {}) }
  const text = input.text ?? ''
  if (spec.type === 'function') {
    const compiled = compileFunction(text, spec, where)
    // Try it once now, so a function that throws or returns the wrong type fails at load time.
    compiled.fn(...(spec.params?.length === 2 ? ['account', 'INBOX'] : ['INBOX']))
    return { ...base, value: compiled.fn, text: text.trim() }
  }
  try {
    const value = coerceValue(spec, text, ctx.home)
    checkValue(spec, value, where, ctx)
    return { ...base, value, text }
  } catch (e) {
    if (!(e instanceof ValueProblem)) throw e
    throw new ConfigError(`${e.message} (type: ${describeType(spec)})`, where, { hint: e.hint })
  }
}

/** Checks particular to some options. */
function checkValue(spec: OptionSpec, value: unknown, where: ConfigLocation, ctx: ResolveContext): void {
  if (spec.name === 'status_backend' && String(value).toLowerCase() !== 'sqlite') {
    warn(ctx, `status_backend = ${String(value)} is ignored: mailsync keeps its status in SQLite`, where)
  }
  if (spec.name === 'labelsheader') {
    // the bytes of a message are never changed (docs/gmail.md): say where the labels are instead
    warn(ctx, `labelsheader = ${String(value)} is accepted but no header is written: mailsync never changes a message's bytes; labels are kept in the status cache and, in a Maildir, in each folder's .mailsync-labels file (docs/gmail.md)`, where)
  }
  if (spec.name === 'cert_fingerprint') {
    for (const fp of value as string[]) {
      if (!/^([0-9a-f]{2}:?)+$/i.test(fp)) throw new ValueProblem(`"${fp}" is not a hexadecimal fingerprint`)
    }
  }
}

/** A SettingsView over resolved settings. */
export class SettingsBag<V> implements SettingsView<V> {
  constructor(readonly settings: Readonly<Record<string, Setting>>) {}

  get<K extends keyof V & string>(option: K): V[K]
  get<T = unknown>(option: string): T
  get(option: string): unknown {
    return this.settings[option.toLowerCase()]?.value
  }

  isSet(option: string): boolean {
    const s = this.settings[option.toLowerCase()]
    return s !== undefined && s.source !== 'default'
  }
}

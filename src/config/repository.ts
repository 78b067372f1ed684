// Repository configs: from a [Repository NAME] section, from a URL, with flag overrides; and
// `resolveRepository`, which accepts either a section name or a URL wherever a repository is due.
import { ConfigError, type ConfigLocation } from '../errors.js'
import { findOption, optionsFor, type RepositoryType, type RepositoryValues } from './schema.js'
import { choosePreset, presetValues, type AppliedPreset } from './presets.js'
import { resolveSettings, SettingsBag, type ResolveContext, type SectionRef, type SettingInput } from './settings.js'
import { nearestName } from './suggest.js'
import type { LoadedConfig, OverrideValues, RepositoryConfig, Setting, SettingSource } from './types.js'
import { parseRepositoryUrl } from './url.js'
import { coerceValue } from './values.js'

interface RepositoryParts {
  name: string
  type: RepositoryType
  declaredType: string
  fromUrl: boolean
  location: ConfigLocation
  settings: Record<string, Setting>
  context: ResolveContext
  preset?: AppliedPreset
}

/**
 * A repository's settings from its inputs (file, URL, flags), with its provider preset's
 * settings (src/config/presets.ts) for the options the inputs do not give, before the defaults.
 */
export function resolveRepositorySettings(ref: SectionRef, given: Map<string, SettingInput>, ctx: ResolveContext): { settings: Record<string, Setting>; preset?: AppliedPreset } {
  if (ref.type !== 'IMAP') return { settings: resolveSettings(ref, given, ctx) }
  const applied = choosePreset({ preset: presetChoice(given.get('preset'), ctx), host: inputText(given.get('remotehost')), declaredType: ref.declaredType })
  if (!applied) return { settings: resolveSettings(ref, given, ctx) }
  const inputs = new Map(given)
  for (const [option, v] of presetValues(applied.preset, (o) => given.has(o))) {
    inputs.set(option, { value: v.value, text: v.text, source: 'preset', preset: applied.preset.name })
  }
  return { settings: resolveSettings(ref, inputs, ctx), preset: applied }
}

function inputText(input: SettingInput | undefined): string | undefined {
  if (!input) return undefined
  return input.value !== undefined ? String(input.value) : input.text
}

/** `preset` as given, canonical; undefined when not given or not a valid name (resolveSettings then says why). */
function presetChoice(input: SettingInput | undefined, ctx: ResolveContext): string | undefined {
  const text = inputText(input)
  if (text === undefined) return undefined
  try {
    return String(coerceValue(findOption(optionsFor('repository', 'IMAP'), 'preset')!, text, ctx.home))
  } catch {
    return undefined
  }
}

class ResolvedRepository extends SettingsBag<RepositoryValues> implements RepositoryConfig {
  readonly name: string
  readonly type: RepositoryType
  readonly declaredType: string
  readonly fromUrl: boolean
  readonly location: ConfigLocation
  readonly preset?: AppliedPreset

  constructor(private readonly parts: RepositoryParts) {
    super(parts.settings)
    this.preset = parts.preset
    this.name = parts.name
    this.type = parts.type
    this.declaredType = parts.declaredType
    this.fromUrl = parts.fromUrl
    this.location = parts.location
  }

  folderfilter(folder: string, separator?: string): boolean {
    return (this.get('folderfilter') as (f: string, sep?: string) => boolean)(folder, separator)
  }

  nametrans(folder: string, separator?: string): string {
    return (this.get('nametrans') as (f: string, sep?: string) => string)(folder, separator)
  }

  get folderincludes(): string[] {
    return this.get('folderincludes')
  }

  withOverrides(values: OverrideValues, source: SettingSource = 'flag'): RepositoryConfig {
    const inputs = new Map<string, SettingInput>()
    for (const [name, setting] of Object.entries(this.parts.settings)) {
      // defaults and the preset's settings are worked out again: a flag may change the host
      if (setting.source !== 'default' && setting.source !== 'preset') inputs.set(name, { value: setting.value, text: setting.text, source: setting.source, file: setting.file, line: setting.line })
    }
    const specs = optionsFor('repository', this.type)
    for (const [rawName, value] of Object.entries(values)) {
      if (value === undefined) continue
      const spec = findOption(specs, rawName)
      if (!spec) {
        const near = nearestName(rawName, specs.map((s) => s.name))
        throw new ConfigError(`unknown ${this.type} repository option${near ? ` (did you mean \`${near}\`?)` : ''}`, { section: this.name, option: rawName })
      }
      inputs.set(spec.name, typeof value === 'string' ? { text: value, source } : { value, source })
    }
    // Derived defaults (remoteport from ssl) are recomputed: drop those that were only defaults.
    const ref = { kind: 'repository' as const, section: this.name, file: this.location.file, line: this.location.line, type: this.type, declaredType: this.declaredType }
    const { settings, preset } = resolveRepositorySettings(ref, inputs, this.parts.context)
    return new ResolvedRepository({ ...this.parts, settings, preset })
  }
}

export function makeRepository(parts: RepositoryParts): RepositoryConfig {
  return new ResolvedRepository(parts)
}

/** A repository for a URL (imaps://, imap://, maildir:, a path), or undefined if `text` is not one. */
export function repositoryFromUrl(text: string, context: ResolveContext, where: ConfigLocation = {}): RepositoryConfig | undefined {
  const url = parseRepositoryUrl(text, context.home, where)
  if (!url) return undefined
  const inputs = new Map<string, SettingInput>(Object.entries(url.values).map(([k, v]) => [k, { value: v, source: 'url' as const }]))
  const ref = { kind: 'repository' as const, section: url.display, type: url.type, declaredType: 'url' }
  const { settings, preset } = resolveRepositorySettings(ref, inputs, context)
  return new ResolvedRepository({ name: url.display, type: url.type, declaredType: 'url', fromUrl: true, location: {}, settings, context, preset })
}

/** The repository a name or URL stands for: a [Repository NAME] section first, else a URL. */
export function resolveRepository(config: LoadedConfig, nameOrUrl: string, where: ConfigLocation = {}): RepositoryConfig {
  const named = config.repositories.get(nameOrUrl)
  if (named) return named
  const context: ResolveContext = { home: config.home, env: config.env, warnings: config.warnings }
  const fromUrl = repositoryFromUrl(nameOrUrl, context, where)
  if (fromUrl) return fromUrl
  const known = [...config.repositories.keys()]
  const near = nearestName(nameOrUrl, known)
  const inFile = config.file ? ` in ${config.file}` : ''
  throw new ConfigError(`no [Repository ${nameOrUrl}] section${inFile}, and "${nameOrUrl}" is not a repository URL`, where, {
    hint: near
      ? `did you mean \`${near}\`?`
      : `known repositories: ${known.join(', ') || 'none'}; or write imaps://user@host, imap://user@host, maildir:PATH`,
  })
}

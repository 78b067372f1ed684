// From a parsed INI document to the resolved, validated LoadedConfig: classify sections, map
// option names (aliases, unknown names -> warnings with a suggestion), interpolate, resolve each
// section against the schema, and check cross references (accounts -> repositories).
import { homedir } from 'node:os'
import { ConfigError, type ConfigLocation } from '../errors.js'
import { interpolate, lookupOption, parseIni, type IniDocument, type IniSection } from './ini.js'
import { makeRepository, resolveRepository, resolveRepositorySettings } from './repository.js'
import { findOption, OPTIONS, optionsFor, type OptionSpec, type RepositoryType, type SectionKind } from './schema.js'
import { resolveSettings, SettingsBag, warn, type ResolveContext, type SectionRef, type SettingInput } from './settings.js'
import { nearestName } from './suggest.js'
import type { AccountValues, MbnamesValues } from './schema.js'
import type { AccountConfig, LoadedConfig, MbnamesConfig, RepositoryConfig } from './types.js'
import { coerceValue, ValueProblem } from './values.js'

export interface ParseOptions {
  env?: Record<string, string | undefined>
  home?: string
  /** Paths looked at before this file was found (for LoadedConfig.searched). */
  searched?: string[]
}

/** Parse and resolve config text (the whole pipeline without touching the file system). */
export function parseConfigText(text: string, file: string, opts: ParseOptions = {}): LoadedConfig {
  return buildConfig(parseIni(text, file), opts)
}

/** The configuration when there is no file: defaults only (repositories may still be URLs). */
export function emptyConfig(opts: ParseOptions = {}): LoadedConfig {
  return buildConfig(undefined, opts)
}

type Classified = { kind: SectionKind; name: string; section: IniSection }

function classify(doc: IniDocument, ctx: ResolveContext): Classified[] {
  const out: Classified[] = []
  for (const section of doc.sections) {
    const m = /^(account|repository)\s+(.+)$/i.exec(section.name)
    if (m) out.push({ kind: m[1]!.toLowerCase() as SectionKind, name: m[2]!.trim(), section })
    else if (/^(general|mbnames)$/i.test(section.name)) out.push({ kind: section.name.toLowerCase() as SectionKind, name: section.name, section })
    else {
      const near = nearestName(section.name.split(/\s+/)[0]!, ['general', 'mbnames', 'Account', 'Repository'])
      warn(ctx, `unknown section, ignored (sections are [general], [Account NAME], [Repository NAME], [mbnames]${near ? `; did you mean [${near}...]?` : ''})`, {
        file: doc.file,
        line: section.line,
        section: section.name,
      })
    }
  }
  return out
}

function buildConfig(doc: IniDocument | undefined, opts: ParseOptions): LoadedConfig {
  const env = opts.env ?? process.env
  const home = opts.home ?? env.HOME ?? homedir()
  const ctx: ResolveContext = { home, env, warnings: [] }
  const file = doc?.file
  const sections = doc ? classify(doc, ctx) : []
  const sectionOf = (kind: SectionKind) => sections.find((s) => s.kind === kind)

  const repositories = new Map<string, RepositoryConfig>()
  for (const s of sections.filter((s) => s.kind === 'repository')) {
    const { type, declaredType } = repositoryType(doc!, s.section, ctx)
    const ref: SectionRef = { kind: 'repository', section: s.section.name, file, line: s.section.line, type, declaredType }
    const { settings, preset } = resolveRepositorySettings(ref, sectionInputs(doc!, s.section, ref, ctx), ctx)
    // type = Gmail / GmailIMAP is a kind of its own (repository/gmail), built on the IMAP options;
    // type = GmailMaildir is a Maildir that keeps labels (repository/factory.ts): neither is a
    // stand-in for something else, so neither earns a note
    if (declaredType !== type.toLowerCase() && !isGmailType(declaredType) && declaredType !== 'gmailmaildir') {
      warn(ctx, `type ${declaredType} is treated as ${type}`, {
        file,
        line: lookupOption(doc!, s.section, 'type')?.line,
        section: s.section.name,
        option: 'type',
      })
    }
    const location = { file, line: s.section.line, section: s.section.name }
    repositories.set(s.name, makeRepository({ name: s.name, type, declaredType, fromUrl: false, location, settings, context: ctx, preset }))
  }

  const general = sectionSettings(doc, sectionOf('general'), 'general', 'general', ctx)
  const mbnamesSection = sectionOf('mbnames')
  const mbnamesBag = new SettingsBag<MbnamesValues>(sectionSettings(doc, mbnamesSection, 'mbnames', 'mbnames', ctx))
  const mbnames: MbnamesConfig = Object.assign(mbnamesBag, {
    folderfilter: (account: string, folder: string) => (mbnamesBag.get('folderfilter') as (a: string, f: string) => boolean)(account, folder),
  })

  const config: LoadedConfig = {
    file,
    searched: opts.searched ?? (file ? [file] : []),
    home,
    env,
    general: new SettingsBag(general),
    accounts: new Map(),
    repositories,
    mbnames,
    warnings: ctx.warnings,
  }

  for (const s of sections.filter((s) => s.kind === 'account')) {
    const settings = sectionSettings(doc, s, 'account', s.section.name, ctx)
    const bag = new SettingsBag<AccountValues>(settings)
    const side = (option: 'localrepository' | 'remoterepository') => {
      const setting = settings[option]!
      const where: ConfigLocation = { file: setting.file, line: setting.line, section: s.section.name, option }
      return resolveRepository(config, String(setting.value), where)
    }
    const account: AccountConfig = Object.assign(bag, {
      name: s.name,
      local: side('localrepository'),
      remote: side('remoterepository'),
      location: { file, line: s.section.line, section: s.section.name },
    })
    config.accounts.set(s.name, account)
  }

  const accountsSetting = general.accounts
  if (accountsSetting && accountsSetting.source !== 'default') {
    for (const name of accountsSetting.value as string[]) {
      if (config.accounts.has(name)) continue
      const near = nearestName(name, [...config.accounts.keys()])
      throw new ConfigError(`account "${name}" has no [Account ${name}] section`, { file, line: accountsSetting.line, section: 'general', option: 'accounts' }, {
        hint: near ? `did you mean \`${near}\`?` : `add an [Account ${name}] section, or remove the name from accounts`,
      })
    }
  } else {
    general.accounts = { value: [...config.accounts.keys()], source: 'default' }
  }
  return config
}

function sectionSettings(doc: IniDocument | undefined, s: Classified | undefined, kind: SectionKind, sectionName: string, ctx: ResolveContext) {
  const ref: SectionRef = { kind, section: s?.section.name ?? sectionName, file: doc?.file, line: s?.section.line }
  const inputs = doc && s ? sectionInputs(doc, s.section, ref, ctx) : new Map<string, SettingInput>()
  return resolveSettings(ref, inputs, ctx)
}

/** The repository type (read before its other options, which depend on it). */
function repositoryType(doc: IniDocument, section: IniSection, ctx: ResolveContext): { type: RepositoryType; declaredType: string } {
  const spec = optionsFor('repository').find((o) => o.name === 'type')!
  const opt = lookupOption(doc, section, 'type')
  const where = { file: doc.file, line: opt?.line ?? section.line, section: section.name, option: 'type' }
  if (!opt) throw new ConfigError('missing required option type (IMAP or Maildir)', where, { hint: 'add "type = IMAP" or "type = Maildir"' })
  const text = interpolate(doc, section, opt).trim()
  try {
    return { type: coerceValue(spec, text, ctx.home) as RepositoryType, declaredType: text.toLowerCase() }
  } catch (e) {
    if (e instanceof ValueProblem) throw new ConfigError(`${e.message} (type: one of IMAP | Maildir)`, where)
    throw e
  }
}

/** The section's options (and [DEFAULT]'s) as inputs keyed by canonical name; unknown ones warned about. */
function sectionInputs(doc: IniDocument, section: IniSection, ref: SectionRef, ctx: ResolveContext): Map<string, SettingInput> {
  const specs = optionsFor(ref.kind, ref.type)
  const inputs = new Map<string, SettingInput>()
  const add = (spec: OptionSpec, optName: string, fromDefault: boolean) => {
    const opt = lookupOption(doc, section, optName)!
    if (inputs.has(spec.name)) {
      if (fromDefault) return
      throw new ConfigError(`${spec.name} is given twice (also as ${optName})`, { file: doc.file, line: opt.line, section: section.name, option: optName })
    }
    const text = spec.raw ? opt.raw : interpolate(doc, section, opt)
    inputs.set(spec.name, { text, source: 'file', file: doc.file, line: opt.line })
  }
  for (const opt of section.options.values()) {
    const spec = findOption(specs, opt.name)
    if (spec) {
      add(spec, opt.name, false)
      continue
    }
    warnUnknown(ref, opt.name, { file: doc.file, line: opt.line, section: section.name, option: opt.name }, ctx)
  }
  // [DEFAULT] values apply where they name an option this section has (others are just variables).
  for (const opt of doc.defaults.options.values()) {
    const spec = findOption(specs, opt.name)
    if (spec && !section.options.has(opt.name)) add(spec, opt.name, true)
  }
  return inputs
}

function warnUnknown(ref: SectionRef, name: string, where: ConfigLocation, ctx: ResolveContext): void {
  if (ref.kind === 'repository') {
    const other = findOption(optionsFor('repository'), name)
    if (other) {
      warn(ctx, `${other.name} applies only to ${other.repo} repositories; ignored in a ${ref.type} repository`, where)
      return
    }
  }
  const names = optionsFor(ref.kind, ref.type).flatMap((s) => [s.name, ...(s.aliases ?? [])])
  const near = nearestName(name, names)
  const elsewhere = (OPTIONS as readonly OptionSpec[]).find((s) => s.name === name && s.section !== ref.kind)
  const extra = near ? `did you mean \`${near}\`?` : elsewhere ? `it belongs in a ${elsewhere.section} section` : 'not a mailsync option'
  warn(ctx, `unknown option, ignored (${extra})`, where)
}

/** `type = Gmail` / `GmailIMAP` (OfflineIMAP's names): the Gmail repository kind. */
export function isGmailType(declaredType: string | undefined): boolean {
  return declaredType === 'gmail' || declaredType === 'gmailimap'
}

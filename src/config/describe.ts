// Data for `mailsync info`: every account, repository and setting with its value and where it
// came from. Secret options (schema: `secret`) are masked; functions show their source text.
import { isSecretOption, type SectionKind } from './schema.js'
import type { LoadedConfig, RepositoryConfig, Setting, SettingsView } from './types.js'

export const MASK = '********'

export interface SettingDescription {
  option: string
  /** Display text; secrets are MASK. */
  value: string
  source: Setting['source']
  /** `file:line`, `default`, `url`, `flag` or `preset NAME`. */
  origin: string
  secret: boolean
}

export interface RepositoryDescription {
  name: string
  type: RepositoryConfig['type']
  declaredType: string
  fromUrl: boolean
  settings: SettingDescription[]
}

export interface ConfigDescription {
  file?: string
  searched: string[]
  general: SettingDescription[]
  accounts: { name: string; local: string; remote: string; settings: SettingDescription[] }[]
  repositories: RepositoryDescription[]
  mbnames: SettingDescription[]
  warnings: string[]
}

export function describeSetting(kind: SectionKind, option: string, setting: Setting): SettingDescription {
  const secret = isSecretOption(kind, option)
  const origin = setting.source === 'file' ? `${setting.file ?? '?'}${setting.line ? `:${setting.line}` : ''}` : setting.source === 'preset' ? `preset ${setting.preset ?? '?'}` : setting.source
  return { option, value: secret ? MASK : displayValue(setting), source: setting.source, origin, secret }
}

function displayValue(setting: Setting): string {
  const v = setting.value
  if (typeof v === 'function') return setting.text ?? '(function)'
  if (Array.isArray(v)) return v.join(', ')
  if (typeof v === 'boolean') return v ? 'yes' : 'no'
  if (v !== null && typeof v === 'object') return Object.entries(v).map(([k, x]) => `${k}:${String(x)}`).join(', ')
  return String(v)
}

function describeSettings(kind: SectionKind, view: SettingsView<unknown>): SettingDescription[] {
  return Object.entries(view.settings).map(([option, s]) => describeSetting(kind, option, s))
}

export function describeRepository(repo: RepositoryConfig): RepositoryDescription {
  return { name: repo.name, type: repo.type, declaredType: repo.declaredType, fromUrl: repo.fromUrl, settings: describeSettings('repository', repo) }
}

export function describeConfig(config: LoadedConfig): ConfigDescription {
  const repos = new Map<string, RepositoryConfig>(config.repositories)
  for (const a of config.accounts.values()) for (const r of [a.local, a.remote]) if (!repos.has(r.name)) repos.set(r.name, r)
  return {
    file: config.file,
    searched: config.searched,
    general: describeSettings('general', config.general),
    accounts: [...config.accounts.values()].map((a) => ({ name: a.name, local: a.local.name, remote: a.remote.name, settings: describeSettings('account', a) })),
    repositories: [...repos.values()].map(describeRepository),
    mbnames: describeSettings('mbnames', config.mbnames),
    warnings: config.warnings.map((w) => w.message),
  }
}

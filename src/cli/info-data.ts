// The data behind `mailsync info`: the config file used, general settings, accounts and
// repositories with every value's origin, secrets masked. The connected part: info-live.ts.
import { basename } from 'node:path'
import { ConfigError } from '../errors.js'
import { describeConfig, describeRepository, resolveRepository, looksLikeRepositoryUrl, type LoadedConfig, type SettingDescription, type RepositoryDescription } from '../config/index.js'
import { nearestName } from '../config/suggest.js'
import { describePresetReason } from '../config/presets.js'
import type { LiveInfo } from './info-live.js'
import { describeCredentials, type CredentialDescription } from '../credentials/describe.js'

export interface InfoSetting extends SettingDescription {
  /** Short origin for display: `config:12` (file name:line), `default`, `url`, `flag`. */
  where: string
}

export interface InfoRepository extends Omit<RepositoryDescription, 'settings'> {
  settings: InfoSetting[]
  /** IMAP: where the login name and the password / token come from (never the secret). */
  credentials?: CredentialDescription
  /** IMAP: the provider preset that applies and why, and the settings it gave (docs/presets.md). */
  preset?: { name: string; why: string; settings: string[] }
}

export interface InfoAccount {
  name: string
  local: string
  remote: string
  settings: InfoSetting[]
}

export interface InfoData {
  version: string
  config: { file?: string; searched: string[] }
  /** What was asked about: everything, one account, or one repository (by name or URL). */
  target: { kind: 'all' } | { kind: 'account' | 'repository'; name: string }
  general: InfoSetting[]
  accounts: InfoAccount[]
  repositories: InfoRepository[]
  warnings: string[]
  /** What the servers and stores said (absent until collected; IMAP skipped with --offline). */
  live?: LiveInfo
}

function shortOrigin(file: string | undefined, s: SettingDescription): InfoSetting {
  const where = file && s.origin.startsWith(`${file}:`) ? `${basename(file)}:${s.origin.slice(file.length + 1)}` : s.origin
  return { ...s, where }
}

export function collectInfo(config: LoadedConfig, version: string, target?: string): InfoData {
  const all = describeConfig(config)
  const short = (list: SettingDescription[]) => list.map((s) => shortOrigin(config.file, s))
  const configOf = (name: string) => config.repositories.get(name) ?? (looksLikeRepositoryUrl(name) ? resolveRepository(config, name) : undefined)
  const repoInfo = (r: RepositoryDescription): InfoRepository => {
    const cfg = configOf(r.name)
    const preset = cfg?.preset && { name: cfg.preset.preset.name, why: describePresetReason(cfg.preset), settings: r.settings.filter((s) => s.source === 'preset').map((s) => s.option) }
    const credentials = cfg?.type === 'IMAP' ? describeCredentials(cfg, config.env, { stateDir: config.general.get<string>('metadata') }) : undefined
    return { ...r, settings: short(r.settings), credentials, ...(preset ? { preset } : {}) }
  }
  const base = { version, config: { file: config.file, searched: config.searched }, warnings: all.warnings }
  const accounts = all.accounts.map((a) => ({ ...a, settings: short(a.settings) }))
  if (target === undefined) {
    return { ...base, target: { kind: 'all' }, general: short(all.general), accounts, repositories: all.repositories.map(repoInfo) }
  }
  const account = accounts.find((a) => a.name === target)
  if (account) {
    const repos = all.repositories.filter((r) => r.name === account.local || r.name === account.remote).map(repoInfo)
    return { ...base, target: { kind: 'account', name: target }, general: short(all.general), accounts: [account], repositories: repos }
  }
  if (config.repositories.has(target) || looksLikeRepositoryUrl(target)) {
    const repo = repoInfo(describeRepository(resolveRepository(config, target)))
    return { ...base, target: { kind: 'repository', name: target }, general: [], accounts: [], repositories: [repo], warnings: describeConfig(config).warnings }
  }
  const near = nearestName(target, [...config.accounts.keys(), ...config.repositories.keys()])
  const where = config.file ? ` in ${config.file}` : ''
  throw new ConfigError(`no account or repository named "${target}"${where}, and it is not a repository URL`, {}, {
    hint: near ? `did you mean \`${near}\`?` : 'name an [Account] or [Repository] section, or give a URL such as imaps://user@host or maildir:~/Mail',
  })
}

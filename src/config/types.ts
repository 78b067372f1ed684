// The resolved configuration: what commands and the engine read. Every value carries where it
// came from (file:line, default, URL, command-line flag) so `mailsync info` can say so.
import type { ConfigLocation } from '../errors.js'
import type { AppliedPreset } from './presets.js'
import type { AccountValues, GeneralValues, MbnamesValues, RepositoryType, RepositoryValues } from './schema.js'

export type { RepositoryType } from './schema.js'

export type SettingSource = 'file' | 'default' | 'url' | 'flag' | 'preset'

export interface Setting<T = unknown> {
  value: T
  source: SettingSource
  file?: string
  line?: number
  /** The text as written (for functions: the source; for translated Python lambdas: the Python). */
  text?: string
  /** source 'preset': which provider preset gave it (src/config/presets.ts). */
  preset?: string
}

export interface ConfigWarning {
  /** One line, starting with file:line [section] option where known. */
  message: string
  location: ConfigLocation
}

/** Typed access to a section's settings. Known option names give typed values. */
export interface SettingsView<V> {
  readonly settings: Readonly<Record<string, Setting>>
  get<K extends keyof V & string>(option: K): V[K]
  get<T = unknown>(option: string): T
  /** True when the value was given (file, URL or flag) rather than defaulted. */
  isSet(option: string): boolean
}

/** Values for `withOverrides`: typed values (a folder function as a function), or text parsed as the config file would be. */
export type OverrideValues = Record<string, string | number | boolean | string[] | ((...args: string[]) => string | boolean) | undefined>

export interface RepositoryConfig extends SettingsView<RepositoryValues> {
  /** Section name (`[Repository NAME]`), or the URL for a repository given as a URL. */
  readonly name: string
  readonly type: RepositoryType
  /** `type` as written, lowercased (`gmailimap`, `imap`, ...); 'url' for URL repositories. */
  readonly declaredType: string
  readonly fromUrl: boolean
  /** IMAP: the provider preset that gave some settings (source 'preset'), and why it applies. */
  readonly preset?: AppliedPreset
  /** Where the section starts (absent for URL repositories). */
  readonly location: ConfigLocation
  /** The configured filter (default: every folder). Throws ConfigError if the user's function fails. */
  folderfilter(folder: string, separator?: string): boolean
  /** The configured name translation (default: identity). Throws ConfigError if it fails. */
  nametrans(folder: string, separator?: string): string
  readonly folderincludes: string[]
  /** A copy with some settings replaced (e.g. from command-line flags), validated by the schema. */
  withOverrides(values: OverrideValues, source?: SettingSource): RepositoryConfig
}

export interface AccountConfig extends SettingsView<AccountValues> {
  readonly name: string
  readonly local: RepositoryConfig
  readonly remote: RepositoryConfig
  readonly location: ConfigLocation
}

export type GeneralConfig = SettingsView<GeneralValues>

export interface MbnamesConfig extends SettingsView<MbnamesValues> {
  folderfilter(account: string, folder: string): boolean
}

export interface LoadedConfig {
  /** The file read; undefined when none was found and none was required. */
  file?: string
  /** Every path looked at, in order. */
  searched: string[]
  /** Home directory used for `~`. */
  home: string
  env: Record<string, string | undefined>
  general: GeneralConfig
  /** Every [Account] section, in file order. */
  accounts: Map<string, AccountConfig>
  /** Every [Repository] section, in file order. */
  repositories: Map<string, RepositoryConfig>
  mbnames: MbnamesConfig
  warnings: ConfigWarning[]
}

// Choosing accounts for a run: by name from the file, the [general] accounts list, or an ad-hoc
// account made from two repositories (names or URLs) given on the command line.
import { ConfigError } from '../errors.js'
import { resolveRepository } from './repository.js'
import { findOption, optionsFor, type AccountValues } from './schema.js'
import { resolveSettings, SettingsBag, type SettingInput } from './settings.js'
import { nearestName } from './suggest.js'
import type { AccountConfig, LoadedConfig, OverrideValues, RepositoryConfig } from './types.js'

/** The accounts named (each must have a section), or else those of [general] accounts. */
export function accountsToSync(config: LoadedConfig, names: readonly string[] = []): AccountConfig[] {
  const wanted = names.length ? names : config.general.get('accounts') ?? []
  return wanted.map((name) => {
    const account = config.accounts.get(name)
    if (account) return account
    const known = [...config.accounts.keys()]
    const near = nearestName(name, known)
    const where = config.file ? ` in ${config.file}` : ''
    throw new ConfigError(`no [Account ${name}] section${where}`, {}, {
      hint: near ? `did you mean \`${near}\`?` : `known accounts: ${known.join(', ') || 'none'}`,
    })
  })
}

/**
 * An account that exists only for this run: two repositories by name or URL, account options
 * from flags (e.g. { maxage: '30' }), validated like the file's.
 */
export function adHocAccount(config: LoadedConfig, name: string, local: string, remote: string, options: OverrideValues = {}): AccountConfig {
  return accountFor(config, name, resolveRepository(config, local), resolveRepository(config, remote), options, { local, remote })
}

/** An account of two repositories already made (the batch runner builds them from a row). */
export function accountFor(config: LoadedConfig, name: string, localRepo: RepositoryConfig, remoteRepo: RepositoryConfig, options: OverrideValues = {}, named?: { local: string; remote: string }): AccountConfig {
  const local = named?.local ?? localRepo.name
  const remote = named?.remote ?? remoteRepo.name
  const inputs = new Map<string, SettingInput>([
    ['localrepository', { value: local, source: 'flag' }],
    ['remoterepository', { value: remote, source: 'flag' }],
  ])
  const specs = optionsFor('account')
  for (const [option, value] of Object.entries(options)) {
    if (value === undefined) continue
    const spec = findOption(specs, option)
    if (!spec) {
      const near = nearestName(option, specs.map((s) => s.name))
      throw new ConfigError(`unknown account option${near ? ` (did you mean \`${near}\`?)` : ''}`, { section: `Account ${name}`, option })
    }
    inputs.set(spec.name, typeof value === 'string' ? { text: value, source: 'flag' } : { value, source: 'flag' })
  }
  const settings = resolveSettings({ kind: 'account', section: `Account ${name}` }, inputs, { home: config.home, env: config.env, warnings: config.warnings })
  return Object.assign(new SettingsBag<AccountValues>(settings), {
    name,
    local: localRepo,
    remote: remoteRepo,
    location: {},
  })
}

// Which accounts a command runs: named ones, the config's default list, or an ad-hoc account
// made from two repositories (names or URLs) given on the command line.
import { ConfigError } from '../errors.js'
import { accountsToSync, adHocAccount, type AccountConfig, type LoadedConfig } from '../config/index.js'

/** Named accounts, or else the config's default accounts; at least one. */
export function namedAccounts(config: LoadedConfig, names: readonly string[]): AccountConfig[] {
  const unique = [...new Set(names)]
  const accounts = accountsToSync(config, unique)
  if (accounts.length === 0) {
    throw new ConfigError('no account to run', { file: config.file }, {
      hint: 'name an account on the command line, add [Account NAME] sections, or list them in [general] accounts',
    })
  }
  return accounts
}

/**
 * A stable, file-name-safe account name for a SOURCE DEST pair, so that a second run finds the
 * first run's status cache: e.g. `imaps___alice@example.org--maildir__Mail`.
 */
export function adHocAccountName(source: string, dest: string): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9@._-]/g, '_').slice(0, 100)
  return `${safe(source)}--${safe(dest)}`
}

/**
 * An account for `SOURCE DEST`. `sourceIsRemote`: backup and migrate read from the remote side
 * (SOURCE = remote, DEST = local); restore reads from the local side (SOURCE = local, DEST = remote).
 */
export function pairAccount(config: LoadedConfig, source: string, dest: string, sourceIsRemote: boolean): AccountConfig {
  const name = adHocAccountName(source, dest)
  return sourceIsRemote ? adHocAccount(config, name, dest, source) : adHocAccount(config, name, source, dest)
}

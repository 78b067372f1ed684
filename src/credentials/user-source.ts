// Where an IMAP repository's login name comes from. First that is set wins: remoteuser,
// remoteuserfile, remoteusercmd, the login of a ~/.netrc entry for the host, MAILSYNC_USER_<REPOSITORY>.
// (OfflineIMAP's remoteusereval runs Python: refused by the config schema, pointing at remoteusercmd.)
import type { RepositoryConfig } from '../config/index.js'
import type { ConfigLocation } from '../errors.js'
import { findNetrcEntry, loadNetrc } from './netrc.js'
import { readSecretFile } from './secret-file.js'
import { runSecretCommandSync } from './secret-command.js'

export interface UserSource {
  describe: string
  get(): string
}

export function optionLocation(repo: RepositoryConfig, option: string): ConfigLocation {
  const s = repo.settings[option]
  return { file: s?.file, line: s?.line, section: repo.fromUrl ? repo.name : `Repository ${repo.name}`, option }
}

/** MAILSYNC_PASS_<REPOSITORY> / MAILSYNC_USER_<REPOSITORY>: the repository name upper-cased, other characters as `_`. */
export function envVarName(repository: string, kind: 'PASS' | 'USER' = 'PASS'): string {
  return `MAILSYNC_${kind}_${repository.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`
}

export function userSource(repo: RepositoryConfig, env: Record<string, string | undefined>, opts: { netrc?: boolean } = {}): UserSource | undefined {
  const user = repo.get<string | undefined>('remoteuser')
  if (user) return { describe: 'remoteuser', get: () => user }
  const file = repo.get<string | undefined>('remoteuserfile')
  if (file) return { describe: `remoteuserfile ${file}`, get: () => readSecretFile(file, 'user file', optionLocation(repo, 'remoteuserfile'), { checkMode: false }).trim() }
  const cmd = repo.get<string | undefined>('remoteusercmd')
  if (cmd) return { describe: `remoteusercmd \`${cmd}\``, get: () => runSecretCommandSync(cmd, 'user name', optionLocation(repo, 'remoteusercmd')) }
  const host = repo.get<string | undefined>('remotehost')
  if (opts.netrc !== false && host) {
    let netrc
    try {
      netrc = loadNetrc(env)
    } catch {
      netrc = undefined
    }
    const login = netrc ? findNetrcEntry(netrc.entries, host)?.login : undefined
    if (netrc && login) return { describe: `${netrc.file} (login)`, get: () => login }
  }
  const name = envVarName(repo.name, 'USER')
  const fromEnv = env[name]
  if (fromEnv) return { describe: `environment variable ${name}`, get: () => fromEnv }
  return undefined
}

/** The login name, or undefined when none is configured. `runCommands: false` skips remoteusercmd. */
export function repositoryUser(repo: RepositoryConfig, env: Record<string, string | undefined>, opts: { netrc?: boolean; runCommands?: boolean } = {}): string | undefined {
  if (opts.runCommands === false && !repo.get('remoteuser') && !repo.get('remoteuserfile') && repo.get('remoteusercmd')) return undefined
  return userSource(repo, env, opts)?.get()
}

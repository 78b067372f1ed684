// Where an IMAP repository's password comes from. The first source that is set wins:
// remotepass, remotepassfile, remotepasscmd (alias passcmd), ~/.netrc, MAILSYNC_PASS_<REPOSITORY>,
// and last an interactive prompt (no echo) when stdin is a terminal. `describe` says which one
// for `mailsync info`; the value itself is never logged or shown.
import type { RepositoryConfig } from '../config/index.js'
import { MailsyncError } from '../errors.js'
import { findNetrcEntry, loadNetrc, netrcPath } from './netrc.js'
import { canPrompt, promptHidden } from './prompt.js'
import { readSecretFile } from './secret-file.js'
import { runSecretCommand } from './secret-command.js'
import { envVarName, optionLocation, repositoryUser } from './user-source.js'

export interface PasswordSource {
  /** Which source it is, for `info` (never the secret itself). */
  describe: string
  get(): Promise<string>
}

export interface SourceOptions {
  /** May we prompt on the terminal? Default: when stdin is a TTY. */
  interactive?: boolean
}

export function passwordSource(repo: RepositoryConfig, env: Record<string, string | undefined>, opts: SourceOptions = {}): PasswordSource | undefined {
  const where = (option: string) => optionLocation(repo, option)
  const pass = repo.get<string | undefined>('remotepass')
  if (pass !== undefined && pass !== '') return { describe: 'remotepass (clear text in the config file)', get: async () => pass }
  const file = repo.get<string | undefined>('remotepassfile')
  if (file) return { describe: `remotepassfile ${file}`, get: async () => readSecretFile(file, 'password file', where('remotepassfile'), { checkMode: true }) }
  const cmd = repo.get<string | undefined>('remotepasscmd')
  if (cmd) return { describe: `remotepasscmd \`${cmd}\``, get: () => runSecretCommand(cmd, 'password', where('remotepasscmd'), commandEnv(repo)) }
  const netrc = netrcSource(repo, env)
  if (netrc) return netrc
  const name = envVarName(repo.name)
  const fromEnv = env[name]
  if (fromEnv) return { describe: `environment variable ${name}`, get: async () => fromEnv }
  if (opts.interactive ?? canPrompt()) {
    const user = safeUser(repo, env)
    const host = repo.get<string>('remotehost')
    const key = `${repo.name}\0${user ?? ''}\0${host}`
    return {
      describe: PROMPT_DESCRIPTION,
      get: () => {
        let answer = typed.get(key)
        if (!answer) {
          answer = promptHidden(`Password for ${user ? `${user}@` : ''}${host} (repository ${repo.name}): `).then((pw) => {
            if (!pw) throw new MailsyncError('auth', `repository ${repo.name}: no password was entered`)
            return pw
          })
          typed.set(key, answer)
          answer.catch(() => typed.delete(key))
        }
        return answer
      },
    }
  }
  return undefined
}

const PROMPT_DESCRIPTION = 'asked on the terminal'
/** Answers typed at the prompt in this process, so asking up front and connecting later ask once. */
const typed = new Map<string, Promise<string>>()

/**
 * Asks now for every password that would be asked on the terminal, one after another, before
 * progress output starts drawing over the prompt. Other sources are left for when they are needed.
 */
export async function askPasswordsUpFront(repos: RepositoryConfig[], env: Record<string, string | undefined>): Promise<void> {
  for (const repo of repos) {
    if (repo.type !== 'IMAP') continue
    let src: PasswordSource | undefined
    try {
      src = passwordSource(repo, env)
    } catch {
      continue
    }
    if (src?.describe === PROMPT_DESCRIPTION) await src.get()
  }
}

function netrcSource(repo: RepositoryConfig, env: Record<string, string | undefined>): PasswordSource | undefined {
  const host = repo.get<string | undefined>('remotehost')
  if (!host) return undefined
  let netrc
  try {
    netrc = loadNetrc(env)
  } catch (err) {
    // an unsafe netrc is reported when the password is needed, not while merely describing
    return { describe: `${netrcPath(env)} (refused)`, get: () => Promise.reject(err) }
  }
  if (!netrc) return undefined
  const user = safeUser(repo, env, { netrc: false })
  const entry = findNetrcEntry(netrc.entries, host, user)
  if (entry?.password === undefined) return undefined
  const password = entry.password
  return { describe: `${netrc.file} (${entry.machine ? `machine ${entry.machine}` : 'default'})`, get: async () => password }
}

function safeUser(repo: RepositoryConfig, env: Record<string, string | undefined>, opts: { netrc?: boolean } = {}): string | undefined {
  try {
    return repositoryUser(repo, env, { ...opts, runCommands: false })
  } catch {
    return undefined
  }
}

export function missingPassword(repo: RepositoryConfig): MailsyncError {
  return new MailsyncError('config', `repository ${repo.name}: no password is configured`, {
    hint: `set remotepasscmd (e.g. \`pass Mail/${repo.name}\`), remotepassfile, a ~/.netrc entry for ${repo.get<string>('remotehost')}, or the environment variable ${envVarName(repo.name)}`,
  })
}

/**
 * What a password command is told about the login it serves, so that one command (a per-host
 * template's, in a batch) can look up each user's password: MAILSYNC_USER, MAILSYNC_HOST,
 * MAILSYNC_PORT, MAILSYNC_REPOSITORY. Environment variables, never text put into the command.
 */
export function commandEnv(repo: RepositoryConfig): Record<string, string> {
  const env: Record<string, string> = { MAILSYNC_REPOSITORY: repo.name }
  const user = repo.get<string | undefined>('remoteuser')
  if (user) env.MAILSYNC_USER = user
  const host = repo.get<string | undefined>('remotehost')
  if (host) env.MAILSYNC_HOST = host
  const port = repo.get<number | undefined>('remoteport')
  if (port !== undefined) env.MAILSYNC_PORT = String(port)
  return env
}

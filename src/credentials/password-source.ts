// Where an IMAP repository's password comes from. First that is set wins: remotepass,
// remotepassfile, remotepasscmd, MAILSYNC_PASS_<REPOSITORY>. The value is never logged.
import { readFileSync, statSync } from 'node:fs'
import { execFile } from 'node:child_process'
import type { RepositoryConfig } from '../config/index.js'
import { ConfigError, MailsyncError } from '../errors.js'

export interface PasswordSource {
  /** Which source it is, for `info` (never the secret itself). */
  describe: string
  get(): Promise<string>
}

export function envVarName(repository: string): string {
  return `MAILSYNC_PASS_${repository.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`
}

export function passwordSource(repo: RepositoryConfig, env: Record<string, string | undefined>): PasswordSource | undefined {
  const where = (option: string) => ({ file: repo.settings[option]?.file, line: repo.settings[option]?.line, section: `Repository ${repo.name}`, option })
  const pass = repo.get<string | undefined>('remotepass')
  if (pass !== undefined) return { describe: 'remotepass', get: async () => pass }
  const file = repo.get<string | undefined>('remotepassfile')
  if (file !== undefined) {
    return {
      describe: `remotepassfile ${file}`,
      get: async () => {
        let st
        try {
          st = statSync(file)
        } catch {
          throw new ConfigError(`cannot read password file ${file}`, where('remotepassfile'))
        }
        if ((st.mode & 0o077) !== 0) {
          throw new ConfigError(`password file ${file} is readable by others (mode ${(st.mode & 0o777).toString(8)})`, where('remotepassfile'), { hint: `chmod 600 ${file}` })
        }
        const line = readFileSync(file, 'utf8').split(/\r?\n/)[0] ?? ''
        if (!line) throw new ConfigError(`password file ${file} is empty`, where('remotepassfile'))
        return line
      },
    }
  }
  const cmd = repo.get<string | undefined>('remotepasscmd')
  if (cmd !== undefined) return { describe: `remotepasscmd (${cmd})`, get: () => runPasswordCommand(cmd, where('remotepasscmd')) }
  const name = envVarName(repo.name)
  const fromEnv = env[name]
  if (fromEnv) return { describe: `environment variable ${name}`, get: async () => fromEnv }
  return undefined
}

/** Runs a command; its first output line is the secret. Errors name the command, never its output. */
export function runPasswordCommand(cmd: string, where: ConstructorParameters<typeof ConfigError>[1]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('/bin/sh', ['-c', cmd], { timeout: 60_000, maxBuffer: 1 << 20 }, (err, stdout) => {
      if (err) {
        const code = (err as { code?: unknown }).code
        reject(new ConfigError(`password command \`${cmd}\` failed${typeof code === 'number' ? ` (exit ${code})` : ''}`, where))
        return
      }
      const line = String(stdout).split(/\r?\n/)[0] ?? ''
      if (!line) reject(new ConfigError(`password command \`${cmd}\` printed nothing`, where))
      else resolve(line)
    })
  })
}

export function missingPassword(repo: RepositoryConfig): MailsyncError {
  return new MailsyncError('config', `repository ${repo.name}: no password is configured`, {
    hint: `set remotepasscmd (e.g. \`pass Mail/${repo.name}\`), remotepassfile, or the environment variable ${envVarName(repo.name)}`,
  })
}

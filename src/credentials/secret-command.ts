// Runs a user's secret command (`pass Mail/work`, `gpg -dq f.gpg`, `secret-tool lookup ...`): the
// first line of its output is the secret. Errors name the command and its exit status, never
// anything it printed (a failing command may well have printed the secret, or half of it).
import { execFile, execFileSync } from 'node:child_process'
import { ConfigError, type ConfigLocation } from '../errors.js'

const TIMEOUT_MS = 120_000
const MAX_OUTPUT = 1 << 20

/** What the secret is, for messages: "password", "OAuth2 access token", "user name". */
export type SecretWhat = string

function firstLine(out: string): string {
  return (out.split(/\r?\n/)[0] ?? '').trim()
}

function failure(cmd: string, what: SecretWhat, where: ConfigLocation, err: unknown): ConfigError {
  const e = err as { code?: unknown; status?: unknown; signal?: unknown; killed?: boolean }
  const status = typeof e.status === 'number' ? e.status : typeof e.code === 'number' ? e.code : undefined
  const why = e.killed || e.signal === 'SIGTERM' ? 'timed out or was killed'
    : status !== undefined ? `failed (exit ${status})`
      : typeof e.code === 'string' ? `could not run (${e.code})` : 'failed'
  return new ConfigError(`${what} command \`${cmd}\` ${why}`, where, { hint: `run \`${cmd}\` yourself to see what is wrong` })
}

function empty(cmd: string, what: SecretWhat, where: ConfigLocation): ConfigError {
  return new ConfigError(`${what} command \`${cmd}\` printed nothing on its first line`, where, { hint: `run \`${cmd}\` yourself: its first output line must be the ${what}` })
}

/** The first output line of `sh -c cmd`. Stdin stays the terminal, so gpg/pass can ask for a passphrase. */
export function runSecretCommand(cmd: string, what: SecretWhat, where: ConfigLocation, env?: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('/bin/sh', ['-c', cmd], { timeout: TIMEOUT_MS, maxBuffer: MAX_OUTPUT, encoding: 'utf8', ...(env ? { env: { ...process.env, ...env } } : {}) }, (err, stdout) => {
      if (err) return reject(failure(cmd, what, where, err))
      const line = firstLine(stdout)
      if (!line) reject(empty(cmd, what, where))
      else resolve(line)
    })
    // the command's stderr (gpg's prompts and complaints) goes to ours; its stdout is the secret
    child.stderr?.pipe(process.stderr, { end: false })
  })
}

/** Synchronous form, for values needed while building a repository (the user name). */
export function runSecretCommandSync(cmd: string, what: SecretWhat, where: ConfigLocation): string {
  let out: string
  try {
    out = execFileSync('/bin/sh', ['-c', cmd], { timeout: TIMEOUT_MS, maxBuffer: MAX_OUTPUT, encoding: 'utf8', stdio: ['inherit', 'pipe', 'inherit'] })
  } catch (err) {
    throw failure(cmd, what, where, err)
  }
  const line = firstLine(out)
  if (!line) throw empty(cmd, what, where)
  return line
}

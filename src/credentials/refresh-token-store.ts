// Where `mailsync auth` keeps a refresh token: a private file in the state directory
// (STATE/oauth2/REPOSITORY.refresh-token, directory 0700, file 0600), or a command of the user's
// (oauth2_refresh_token_store_cmd: `pass insert -m ...`, a keyring) that gets it on stdin.
// A new token replaces the old one in one rename, so a failed sign-in leaves the previous token
// as it was. The token is never part of a message.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError, type ConfigLocation } from '../errors.js'
import { accountFileStem } from '../state/locate.js'
import { errnoCode, replacePrivateFile } from '../state/private-files.js'
import { readSecretFile } from './secret-file.js'

/** The file a repository's refresh token is stored in. */
export function storedTokenPath(stateDir: string, repository: string): string {
  return join(stateDir, 'oauth2', `${accountFileStem(repository)}.refresh-token`)
}

/** The stored refresh token, or undefined when there is none. A file others may read is refused. */
export function readStoredToken(file: string): string | undefined {
  if (!existsSync(file)) return undefined
  return readSecretFile(file, 'stored OAuth2 refresh token', {}, { checkMode: true }).trim()
}

/** Replace the stored token (write a private temporary file, fsync, rename over the old one). */
export function writeStoredToken(file: string, token: string): void {
  replacePrivateFile(file, `${token}\n`, 'write the refresh token to')
}

const STORE_TIMEOUT_MS = 120_000

/**
 * Run `sh -c cmd` with the token on stdin. Its stdout is discarded (a command that echoes what it
 * stores must not print the token on ours); its stderr is passed on. A non-zero exit is an error
 * naming the command and its status.
 */
export function handTokenToCommand(cmd: string, token: string, where: ConfigLocation, env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', cmd], { stdio: ['pipe', 'ignore', 'pipe'], env: { ...process.env, ...env }, timeout: STORE_TIMEOUT_MS })
    child.stderr.pipe(process.stderr, { end: false })
    const fail = (why: string) => reject(new ConfigError(`refresh token store command \`${cmd}\` ${why}: the new refresh token was not stored`, where, { hint: `run \`mailsync auth\` again once \`${cmd}\` works` }))
    child.on('error', (e) => fail(`could not run (${errnoCode(e) ?? 'error'})`))
    child.on('close', (code, signal) => {
      if (code === 0) resolve()
      else fail(signal ? `was killed (${signal})` : `failed (exit ${code})`)
    })
    child.stdin.on('error', () => undefined) // a command that does not read its stdin fails by its exit status
    child.stdin.end(`${token}\n`)
  })
}

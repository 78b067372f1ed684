// Where `mailsync auth` keeps a refresh token: a private file in the state directory
// (STATE/oauth2/REPOSITORY.refresh-token, directory 0700, file 0600), or a command of the user's
// (oauth2_refresh_token_store_cmd: `pass insert -m ...`, a keyring) that gets it on stdin.
// A new token replaces the old one in one rename, so a failed sign-in leaves the previous token
// as it was. The token is never part of a message.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { ConfigError, type ConfigLocation } from '../errors.js'
import { accountFileStem } from '../state/locate.js'
import { errnoCode, makePrivateDir, stateDiskError } from '../state/private-files.js'
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
  makePrivateDir(dirname(file))
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  let fd: number | undefined
  try {
    fd = openSync(tmp, 'wx', 0o600)
    writeSync(fd, `${token}\n`)
    fsyncSync(fd)
    closeSync(fd)
    fd = undefined
    renameSync(tmp, file)
  } catch (e) {
    if (fd !== undefined) closeSync(fd)
    rmSync(tmp, { force: true })
    throw stateDiskError('write the refresh token to', file, e)
  }
  try {
    const dirFd = openSync(dirname(file), 'r')
    try {
      fsyncSync(dirFd)
    } finally {
      closeSync(dirFd)
    }
  } catch (e) {
    // the rename is done; a directory that cannot be fsynced (some file systems) is no reason to fail
    if (errnoCode(e) !== 'EINVAL' && errnoCode(e) !== 'EISDIR') throw stateDiskError('sync', dirname(file), e)
  }
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

// Runs the real `mailsync` binary (bin/run.js) as a child process with a private HOME and
// XDG directories, so no config file of the machine's user can leak into a test.
import { execFile } from 'node:child_process'
import { mkdtemp, mkdir, writeFile, chmod } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { imapRepository, maildirRepository, oneAccountConfig } from '../support/config-text.js'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
export const BIN = join(ROOT, 'bin', 'run.js')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

export interface Sandbox {
  dir: string
  home: string
  env: Record<string, string>
  /** Write a config file (mode 0600) and return its path. */
  writeConfig(text: string, name?: string): Promise<string>
}

export async function sandbox(): Promise<Sandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'mailsync-cli-'))
  const home = join(dir, 'home')
  await mkdir(home)
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, XDG_CONFIG_HOME: join(dir, 'xdg-config'), XDG_STATE_HOME: join(dir, 'xdg-state') }
  return {
    dir,
    home,
    env,
    async writeConfig(text, name = 'config') {
      const file = join(dir, name)
      await writeFile(file, text)
      await chmod(file, 0o600)
      return file
    },
  }
}

/**
 * The usual one-account config: account `t` = IMAP repository `R` on 127.0.0.1 (`server`: the
 * port and TLS lines, e.g. tlsServer(d)) and Maildir `L` in <dir>/mail; status cache in <dir>/state.
 */
export function writeOneAccountConfig(box: Sandbox, o: { user: string; password: string; server: string }): Promise<string> {
  return box.writeConfig(oneAccountConfig({ metadata: join(box.dir, 'state'), remote: imapRepository('R', o), local: maildirRepository('L', join(box.dir, 'mail')) }))
}

export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, cwd: ROOT, timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0
      resolve({ code, stdout, stderr })
    })
  })
}

/** A config like a user's: an IMAP account with a clear-text password, and a typo. */
export const SAMPLE_SECRET = 'Tr0ub4dor&3-never-print-me'
export const SAMPLE_CONFIG = `[general]
accounts = work

[Account work]
localrepository = WorkLocal
remoterepository = WorkRemote
maxage = 30

[Repository WorkLocal]
type = Maildir
localfolders = ~/Mail/work
sep = /

[Repository WorkRemote]
type = IMAP
remotehost = imap.example.org
remoteuser = alice
remotepass = ${SAMPLE_SECRET}
folderfiltr = lambda f: f != 'Trash'
`

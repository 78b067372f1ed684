// The real OfflineIMAP (Debian's offlineimap3) and mbsync (isync), as the makers of the Maildirs
// a switcher brings: installed when missing (as root), run against a test Dovecot with a config
// written here, bounded in time (OfflineIMAP ignores SIGTERM while its threads run: SIGKILL).
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { DovecotInstance } from './dovecot.js'

const TOOLS = { offlineimap: ['/usr/bin/offlineimap', 'offlineimap3'], mbsync: ['/usr/bin/mbsync', 'isync'] } as const

/** Paths of offlineimap and mbsync; installs offlineimap3 and isync with apt-get when missing and root. */
export function ensurePeerTools(): { offlineimap: string; mbsync: string } {
  const missing = Object.values(TOOLS).filter(([path]) => !existsSync(path)).map(([, pkg]) => pkg)
  if (missing.length) {
    const cmd = `apt-get install -y --no-install-recommends ${missing.join(' ')}`
    if (process.getuid?.() !== 0) throw new Error(`the peer tools are missing: run ${cmd}`)
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    let r = spawnSync('sh', ['-c', cmd], { env, stdio: 'ignore' })
    if (r.status !== 0) r = spawnSync('sh', ['-c', `apt-get update && ${cmd}`], { env, stdio: 'ignore' })
    if (r.status !== 0) throw new Error(`could not install ${missing.join(' ')}: run ${cmd}`)
  }
  return { offlineimap: TOOLS.offlineimap[0], mbsync: TOOLS.mbsync[0] }
}

export interface ToolRun { code: number | null; stdout: string; stderr: string; timedOut: boolean }

export function runTool(cmd: string, args: string[], timeoutMs: number): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr, timedOut })
    })
  })
}

/**
 * An offlineimaprc for account `t` (remote `R` on the test Dovecot in clear text, local `L` a
 * Maildir) whose options mean the same to OfflineIMAP and to mailsync: the "very same config".
 */
export function offlineimaprc(o: { dovecot: DovecotInstance; user: string; localfolders: string; metadata: string }): string {
  return [
    '[general]', 'accounts = t', `metadata = ${o.metadata}`, '',
    '[Account t]', 'localrepository = L', 'remoterepository = R', '',
    '[Repository R]', 'type = IMAP', 'remotehost = 127.0.0.1', `remoteport = ${o.dovecot.port}`,
    `remoteuser = ${o.user}`, `remotepass = ${o.dovecot.password}`, 'ssl = no', 'starttls = no', '',
    '[Repository L]', 'type = Maildir', `localfolders = ${o.localfolders}`, '',
  ].join('\n')
}

export async function runOfflineimap(rcFile: string, timeoutMs = 120_000): Promise<ToolRun> {
  return runTool(ensurePeerTools().offlineimap, ['-c', rcFile, '-o', '-u', 'quiet'], timeoutMs)
}

/** An mbsyncrc pulling and pushing everything between the test Dovecot and a Maildir (SubFolders Verbatim). */
export function mbsyncrc(o: { dovecot: DovecotInstance; user: string; maildir: string }): string {
  return [
    'IMAPAccount t', 'Host 127.0.0.1', `Port ${o.dovecot.port}`, `User ${o.user}`, `Pass ${o.dovecot.password}`, 'SSLType None', 'AuthMechs LOGIN', '',
    'IMAPStore t-far', 'Account t', '',
    'MaildirStore t-near', `Path ${o.maildir}/`, `Inbox ${o.maildir}/INBOX`, 'SubFolders Verbatim', '',
    'Channel t', 'Far :t-far:', 'Near :t-near:', 'Patterns *', 'Create Both', 'Sync All', 'SyncState *', 'CopyArrivalDate yes', 'Expunge None', '',
  ].join('\n')
}

export async function runMbsync(rcFile: string, timeoutMs = 60_000): Promise<ToolRun> {
  return runTool(ensurePeerTools().mbsync, ['-c', rcFile, '-a'], timeoutMs)
}

export function writeRc(dir: string, name: string, text: string): string {
  const file = join(dir, name)
  writeFileSync(file, text, { mode: 0o600 })
  return file
}

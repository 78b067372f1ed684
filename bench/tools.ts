// How each tool is started for each kind of run, with its own target and state directories.
import { mkdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { measure, type Sample } from './measure.js'
import {
  type ImapEndpoint, writeMailsyncMaildirConfig, writeMailsyncMigrateConfig, writeMbsyncImapConfig,
  writeMbsyncMaildirConfig, writeOfflineimapConfig,
} from './peer-configs.js'
import type { Tool } from './args.js'

/** The checkout: dist/bench/tools.js -> ../.. */
export const REPO_ROOT = resolve(fileURLToPath(import.meta.url), '..', '..', '..')
export const MAILSYNC = join(REPO_ROOT, 'bin', 'run.js')

export interface ToolDirs {
  maildir: string
  state: string
  config: string
}

export function toolDirs(root: string, tool: Tool | string): ToolDirs {
  const base = join(root, 'targets', tool)
  return { maildir: join(base, 'Mail'), state: join(base, 'state'), config: join(base, 'config') }
}

export function resetDirs(d: ToolDirs): void {
  rmSync(d.maildir, { recursive: true, force: true })
  rmSync(d.state, { recursive: true, force: true })
  mkdirSync(d.maildir, { recursive: true })
  mkdirSync(d.state, { recursive: true })
}

export const COMMANDS = {
  initial: {
    mailsync: 'mailsync backup bench -q (one-way pull, maxconnections = 4)',
    mbsync: 'mbsync -q bench (channel with Sync Pull, Create Near, CopyArrivalDate yes, SubFolders Verbatim; default FSync yes)',
    offlineimap: 'offlineimap -o -u quiet (remote readonly = True, default maxconnections = 1)',
  },
  rerun: {
    mailsync: 'mailsync sync bench -q (two-way)',
    mbsync: 'mbsync -q bench (channel with Sync All, Create Both)',
    offlineimap: 'offlineimap -o -u quiet (two-way)',
  },
  migrate: {
    mailsync: 'mailsync migrate old new --no-verify -q (maxconnections = 4 per server; --no-verify because mbsync does not read copies back)',
    mbsync: 'mbsync -q migrate (IMAP -> IMAP channel, Sync Pull, Create Near, CopyArrivalDate yes)',
  },
} as const

/** One IMAP -> Maildir run; `mode` initial writes the one-way config, rerun the two-way one. */
export async function runMaildirTool(tool: Tool, mode: 'initial' | 'rerun', e: ImapEndpoint, d: ToolDirs): Promise<Sample> {
  switch (tool) {
    case 'mailsync':
      writeMailsyncMaildirConfig(d.config, e, d.maildir, d.state)
      return measure(MAILSYNC, [mode === 'initial' ? 'backup' : 'sync', 'bench', '-c', d.config, '-q'])
    case 'mbsync':
      writeMbsyncMaildirConfig(d.config, e, d.maildir, mode === 'initial' ? 'pull' : 'all')
      return measure('mbsync', ['-q', '-c', d.config, 'bench'])
    case 'offlineimap':
      writeOfflineimapConfig(d.config, e, d.maildir, d.state, mode === 'initial')
      return measure('offlineimap', ['-c', d.config, '-o', '-u', 'quiet'])
  }
}

/** One IMAP -> IMAP copy of everything in `from` to the (empty) account `to`. */
export async function runMigrateTool(tool: 'mailsync' | 'mbsync', from: ImapEndpoint, to: ImapEndpoint, d: ToolDirs): Promise<Sample> {
  if (tool === 'mailsync') {
    writeMailsyncMigrateConfig(d.config, from, to, d.state)
    return measure(MAILSYNC, ['migrate', 'old', 'new', '-c', d.config, '--no-verify', '-q'])
  }
  writeMbsyncImapConfig(d.config, from, to, d.state)
  return measure('mbsync', ['-q', '-c', d.config, 'migrate'])
}

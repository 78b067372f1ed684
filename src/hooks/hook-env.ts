// The environment a hook runs with: the caller's, plus MAILSYNC_* variables naming the account,
// the command and, after a run, its outcome (docs/hooks.md lists them).
import type { FolderCounts } from '../engine/events.js'

export interface HookFacts {
  hook: 'presynchook' | 'postsynchook' | 'newmail_hook'
  account: string
  /** sync, backup, restore, migrate. */
  command: string
  local: string
  remote: string
  /** After a run: its figures and the exit code it would have alone. */
  counts?: FolderCounts
  exitCode?: number
  ms?: number
  error?: string
}

export function hookEnv(base: NodeJS.ProcessEnv, f: HookFacts): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base,
    MAILSYNC_HOOK: f.hook,
    MAILSYNC_ACCOUNT: f.account,
    MAILSYNC_COMMAND: f.command,
    MAILSYNC_LOCAL_REPOSITORY: f.local,
    MAILSYNC_REMOTE_REPOSITORY: f.remote,
  }
  if (f.counts) {
    const c = f.counts
    Object.assign(env, {
      MAILSYNC_NEW_LOCAL: String(c.copiedAtoB),
      MAILSYNC_NEW_REMOTE: String(c.copiedBtoA),
      MAILSYNC_FLAGS_LOCAL: String(c.flagsAtoB),
      MAILSYNC_FLAGS_REMOTE: String(c.flagsBtoA),
      MAILSYNC_DELETED_LOCAL: String(c.deletedB),
      MAILSYNC_DELETED_REMOTE: String(c.deletedA),
      MAILSYNC_FAILED: String(c.failed),
      MAILSYNC_BYTES: String(c.bytes),
    })
  }
  if (f.exitCode !== undefined) env.MAILSYNC_EXIT_CODE = String(f.exitCode)
  if (f.ms !== undefined) env.MAILSYNC_DURATION_MS = String(f.ms)
  if (f.error !== undefined) env.MAILSYNC_ERROR = f.error
  return env
}

// An account's hooks around its part of a run (OfflineIMAP's names): presynchook before,
// postsynchook after (also after a failure), newmail_hook after new mail reached the local side.
// A hook that fails or hangs is a warning; the sync goes on. A dry run runs no hook.
import type { AccountConfig, LoadedConfig } from '../config/index.js'
import type { EventSink, FolderCounts } from '../engine/events.js'
import { hookEnv, type HookFacts } from './hook-env.js'
import { hookCommand } from './hook-command.js'
import { hookProblem, runHook } from './run-hook.js'

/** Seconds a hook may run when [general] hooktimeout is not set. */
export const DEFAULT_HOOK_TIMEOUT_S = 60

export interface AccountOutcomeFacts {
  counts: FolderCounts
  exitCode: number
  ms: number
  error?: string
}

export interface AccountHooks {
  before(): Promise<void>
  after(o: AccountOutcomeFacts): Promise<void>
}

export function accountHooks(req: { config: LoadedConfig; policy: string; dryRun: boolean }, account: AccountConfig, emit: EventSink): AccountHooks {
  const timeoutMs = (req.config.general.get<number | undefined>('hooktimeout') ?? DEFAULT_HOOK_TIMEOUT_S) * 1000
  const facts = { account: account.name, command: req.policy, local: account.local.name, remote: account.remote.name }
  const run = async (hook: HookFacts['hook'], command: string | undefined, more: Partial<HookFacts> = {}): Promise<void> => {
    if (!command || req.dryRun) return
    const outcome = await runHook(command, hookEnv(req.config.env as NodeJS.ProcessEnv, { ...facts, hook, ...more }), timeoutMs)
    const problem = hookProblem(hook, outcome, timeoutMs)
    if (problem) emit({ type: 'warning', account: account.name, message: `${problem}; the sync goes on` })
  }
  const newmail = hookCommand('newmail_hook', account.local.get<string | undefined>('newmail_hook') ?? account.remote.get<string | undefined>('newmail_hook'))
  return {
    before: () => run('presynchook', account.get<string | undefined>('presynchook')),
    async after(o) {
      const more = { counts: o.counts, exitCode: o.exitCode, ms: o.ms, ...(o.error ? { error: o.error } : {}) }
      await run('postsynchook', account.get<string | undefined>('postsynchook'), more)
      if (o.counts.copiedAtoB > 0) await run('newmail_hook', newmail, more)
    },
  }
}

// The hook the commands call after `sync` and `backup`: if [mbnames] enabled, rewrite the file
// from the run's local folder names. Never touches the engine.
import type { LoadedConfig } from '../config/index.js'
import type { JobRequest, JobResult } from '../jobs/run-job.js'
import type { EngineEvent } from '../engine/events.js'
import { updateMbnames, type MbnamesUpdate } from './mbnames-store.js'
import type { MbnamesSettings } from './mbnames-format.js'

function mbnamesSettings(config: LoadedConfig): MbnamesSettings | undefined {
  const m = config.mbnames
  if (!m.get<boolean>('enabled')) return undefined
  return {
    filename: m.get<string>('filename'),
    header: m.get<string>('header'),
    peritem: m.get<string>('peritem'),
    sep: m.get<string>('sep'),
    footer: m.get<string>('footer'),
    folderfilter: m.get<unknown>('folderfilter') === undefined ? () => true : (account, folder) => m.folderfilter(account, folder),
  }
}

/** Folders of this run per account (local names), leaving out pairs that failed. */
function syncedFolders(result: JobResult): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const f of result.folders) {
    if (f.error) continue
    out.set(f.account, [...(out.get(f.account) ?? []), f.folderB])
  }
  return out
}

/**
 * What an mbnames update of this run needs, when the file is kept at all: [mbnames] enabled, in
 * the mode asked for (`incremental` or once at the end), and a real (not dry) sync or backup.
 */
function mbnamesTarget(req: JobRequest, incremental: boolean): Omit<MbnamesUpdate, 'synced'> | undefined {
  const settings = mbnamesSettings(req.config)
  if (!settings || Boolean(req.config.mbnames.get<boolean>('incremental')) !== incremental) return undefined
  if (req.dryRun || (req.policy !== 'sync' && req.policy !== 'backup')) return undefined
  const accounts = [...new Set([...req.config.accounts.keys(), ...req.accounts.map((a) => a.name)])]
  return { settings, stateDir: req.stateDir ?? req.config.general.get<string>('metadata'), accounts }
}

/** Returns the file written, or undefined when mbnames is off or the run was a dry run. */
export async function mbnamesAfterRun(req: JobRequest, result: JobResult): Promise<string | undefined> {
  // incremental: already written account by account (mbnamesIncremental)
  const target = mbnamesTarget(req, false)
  if (!target) return undefined
  await updateMbnames({ ...target, synced: syncedFolders(result) })
  return target.settings.filename
}

/**
 * [mbnames] incremental = yes: the file is rewritten as each account finishes, from the engine's
 * events, instead of once at the end. `tap` takes every event; `flush` waits for the writes.
 */
export function mbnamesIncremental(req: JobRequest): { tap: (e: EngineEvent) => void; flush: () => Promise<void> } | undefined {
  const target = mbnamesTarget(req, true)
  if (!target) return undefined
  const folders = new Map<string, string[]>()
  let writes: Promise<unknown> = Promise.resolve()
  let failure: unknown
  return {
    tap: (e) => {
      if (e.type === 'folder-done') folders.set(e.account, [...(folders.get(e.account) ?? []), e.folderB])
      if (e.type === 'account-done' && !e.error) {
        const synced = new Map([[e.account, folders.get(e.account) ?? []]])
        writes = writes.then(() => updateMbnames({ ...target, synced })).catch((err) => { failure ??= err })
      }
    },
    flush: async () => {
      await writes
      if (failure) throw failure
    },
  }
}

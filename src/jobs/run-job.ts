// Runs one command's work: resolves repositories, opens the status cache, and drives the engine
// with the policy the command chose. Commands call this and render its events.
import type { LoadedConfig, AccountConfig } from '../config/index.js'
import type { EventSink, FolderCounts } from '../engine/events.js'

export type PolicyName = 'sync' | 'backup' | 'restore' | 'migrate'

export interface JobRequest {
  policy: PolicyName
  config: LoadedConfig
  /** Accounts to run; for SOURCE DEST forms the command builds an ad-hoc account (adHocAccount). */
  accounts: AccountConfig[]
  /** Only these folders (names as on either side). */
  folders?: string[]
  dryRun: boolean
  /** backup: propagate server deletions. */
  mirror?: boolean
  /** migrate: remove from NEW what is no longer on OLD. */
  delete?: boolean
  /** Deletion guard: max deletions per folder (default 25% of a folder with more than 20 messages). */
  maxDelete?: number
  force?: boolean
  /** migrate: fetch back and check what was copied (default true). */
  verify?: boolean
  /** migrate: special-use automap (default true). */
  automap?: boolean
  since?: Date
  before?: Date
  /** Override of the status cache directory ([general] metadata). */
  stateDir?: string
}

export interface JobResult {
  counts: FolderCounts
  exitCode: number
  /** Per account, per folder pair figures for the summary table. */
  folders: { account: string; folderA: string; folderB: string; counts: FolderCounts; ms: number; skipped?: string }[]
  errors: { account?: string; folder?: string; kind: string; message: string }[]
  ms: number
}

export async function runJob(req: JobRequest, emit: EventSink): Promise<JobResult> {
  void req
  void emit
  throw new Error('runJob: not yet implemented')
}

// The two repositories of an account, made from its config the same way for a run (run-job.ts)
// and for a watcher's push connections (src/watch/): the same logins, timeouts and spellings.
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { AccountConfig, LoadedConfig } from '../config/index.js'
import type { EventSink } from '../engine/events.js'
import { createRepository } from '../repository/factory.js'
import type { Repository } from '../repository/types.js'
import type { ThrottleReport } from '../repository/imap/throttle-wait.js'
import type { LabelMode } from '../repository/gmail/label-mode.js'
import { gmailLabelModes } from './gmail-label-modes.js'

/** A pause as said in a line: `1.5 s`, `2 min 5 s`. */
export function formatWait(ms: number): string {
  const s = Math.round(ms / 100) / 10
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`
}

export interface AccountRepositoryRequest {
  config: LoadedConfig
  policy: string
  stateDir: string
  imapLogger?: (line: string) => void
  maildirLogger?: (line: string) => void
  /** Connections a watcher holds open per repository name (push): a run uses that many fewer. */
  heldConnections?: Readonly<Record<string, number>>
  /** migrate --labels: how a Gmail source is laid out for a folder server (gmail-label-modes.ts). */
  labels?: LabelMode
}

export function accountRepositories(req: AccountRepositoryRequest, account: AccountConfig, emit: EventSink): { repoA: Repository; repoB: Repository } {
  const ctx = {
    env: req.config.env, imapLogger: req.imapLogger, maildirLogger: req.maildirLogger,
    utf8FolderNames: account.get<boolean | undefined>('utf8foldernames'),
    socketTimeoutSeconds: req.config.general.get<number | undefined>('socktimeout'),
    onRetry: (message: string) => emit({ type: 'warning', account: account.name, message }),
    onThrottle: (r: ThrottleReport) => emit({
      type: 'throttled', account: account.name, repository: r.repository, waitMs: r.waitMs,
      message: `repository ${r.repository}: ${r.action} throttled by the server (${r.text}); waiting ${formatWait(r.waitMs)} before trying again (pause ${r.attempt})`,
    }),
    heldConnections: req.heldConnections,
    stateDir: req.stateDir,
  }
  const remote = account.remote
  const local = account.local
  // OfflineIMAP keeps its state in its metadata directory: the configured one (a switcher's
  // offlineimaprc names it) or its default; the state names the repository on the other side.
  const metadataDirs = [req.stateDir, join(req.config.env.HOME ?? homedir(), '.offlineimap')]
  const modes = gmailLabelModes(req.policy, account, req.labels)
  const ctxA = { ...ctx, createRoot: req.policy !== 'restore', priorTool: { metadataDirs, otherRepository: local.name }, labelMode: modes.remote }
  const ctxB = { ...ctx, createRoot: req.policy !== 'restore', priorTool: { metadataDirs, otherRepository: remote.name }, labelMode: modes.local }
  let repoA = createRepository(remote, ctxA)
  let repoB = createRepository(local, ctxB)
  // A Maildir beside a repository that keeps labels keeps them too (a backup of a Gmail account
  // into a plain Maildir must not lose its labels); made again with that, before anything is opened.
  if (repoA.labels && !repoB.labels && local.type === 'Maildir') repoB = createRepository(local, { ...ctxB, keepLabels: true })
  if (repoB.labels && !repoA.labels && remote.type === 'Maildir') repoA = createRepository(remote, { ...ctxA, keepLabels: true })
  return { repoA, repoB }
}

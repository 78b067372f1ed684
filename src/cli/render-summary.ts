// The table printed at the end of a run: one row per account and folder pair, then totals.
// Pure: a JobResult in, text out.
import type { FolderCounts } from '../engine/events.js'
import type { JobResult } from '../jobs/run-job.js'
import { EXIT } from '../errors.js'
import { folderPairName, formatBytes, formatMs, formatTable } from './format.js'
import { visibleText } from './visible-text.js'

const HEADER = ['account', 'folder', 'new A->B', 'new B->A', 'flags', 'deleted', 'skipped', 'errors', 'bytes', 'time']

function cells(c: FolderCounts, ms: number): string[] {
  return [c.copiedAtoB, c.copiedBtoA, c.flagsAtoB + c.flagsBtoA, c.deletedA + c.deletedB, c.skipped, c.failed].map(String).concat(formatBytes(c.bytes), formatMs(ms))
}

export function renderSummary(result: JobResult): string {
  const note = (f: JobResult['folders'][number]): string => (f.error ? ` (${f.error.kind} error)` : f.skipped ? ` (${f.skipped})` : f.stopped ? ' (stopped)' : '')
  const rows = result.folders.map((f) => [f.account, visibleText(folderPairName(f.folderA, f.folderB)) + note(f), ...cells(f.counts, f.ms)])
  rows.push(['total', `${result.folders.length} folder${result.folders.length === 1 ? '' : 's'}`, ...cells(result.counts, result.ms)])
  const lines = [formatTable(HEADER, rows, 2)]
  if (result.errors.length) lines.push(`${result.errors.length} error${result.errors.length === 1 ? '' : 's'} (listed above)`)
  if (result.throttled) {
    const t = result.throttled
    lines.push(`throttled by the server ${t.times} time${t.times === 1 ? '' : 's'}: waited ${formatMs(t.waitedMs)} in all before trying again (nothing failed for it)`)
  }
  lines.push(result.stopped ? `stopped by a signal (exit ${result.exitCode}): what was done is recorded; the next run goes on with the rest.` : verdict(result.exitCode))
  return lines.join('\n')
}

function verdict(exitCode: number): string {
  if (exitCode === EXIT.ok) return 'done.'
  if (exitCode === EXIT.partial) return `finished with errors (exit ${exitCode}): run again to retry what failed.`
  if (exitCode === EXIT.quota) return `stopped: a daily transfer limit is reached (exit ${exitCode}); what was done is recorded: run again after the time given above to go on.`
  if (exitCode === EXIT.throttled) return `stopped: the server kept throttling (exit ${exitCode}); nothing was lost and what was done is recorded: try again later.`
  return `stopped (exit ${exitCode}).`
}

// `mailsync migrate --batch FILE`: reads the batch file, opens its ledger, records the rows that
// cannot be run, runs the rest (src/batch/run-batch.ts) and shows it: lines or JSON events, the
// outcome table, a JSON report. The exit code says whether any mailbox needs attention.
import { writeFile } from 'node:fs/promises'
import type { LoadedConfig } from '../config/index.js'
import { MailsyncError } from '../errors.js'
import { readBatchFile, sideLabel } from '../batch/batch-file.js'
import { LocalBudget } from '../batch/connection-budget.js'
import { Ledger, failedOutcome, ledgerPathFor, rowErrorKey } from '../batch/ledger.js'
import { connectionsPerMailbox, runBatch } from '../batch/run-batch.js'
import { batchEventWriter, renderBatchTable } from './render-batch.js'
import { stopOnSignals } from './stop-on-signals.js'

export interface BatchRunOptions {
  config: LoadedConfig
  file: string
  ledger?: string
  stateDir: string
  maxConnectionsPerServer: number
  parallelMailboxes: number
  dryRun: boolean
  verify: boolean
  json: boolean
  quiet: boolean
  report?: string
  folders?: string[]
}

export async function runBatchFromFile(o: BatchRunOptions): Promise<number> {
  const batch = readBatchFile(o.file)
  const ledgerFile = o.ledger ?? ledgerPathFor(o.stateDir, o.file)
  const ledger = Ledger.open(ledgerFile)
  try {
    ledger.clearRowErrors()
    const rows = o.folders ? batch.rows.map((r) => ({ ...r, folders: r.folders ?? o.folders })) : batch.rows
    ledger.plan(rows.map((r) => ({ key: r.key, line: r.line, source: sideLabel(r.source), target: sideLabel(r.target) })), o.file)
    for (const e of batch.errors) ledger.rowError(e.line, e.message)
    const total = rows.length + new Set(batch.errors.map((e) => e.line)).size
    // on a terminal: bars, with the lines logged above them
    const bars = !o.json && !o.quiet && process.stderr.isTTY
      ? new (await import('../ui/batch-progress-bars.js')).BatchProgressBars({ stream: process.stderr, total })
      : undefined
    const show = batchEventWriter({ json: o.json, quiet: o.quiet, total, bars })
    if (!o.json && !o.quiet) process.stderr.write(`ledger: ${ledgerFile}\n`)
    for (const e of batch.errors) show({ type: 'mailbox-done', key: rowErrorKey(e.line), source: rowErrorKey(e.line), target: '', outcome: failedOutcome('config', e.message) })
    const stop = stopOnSignals()
    let result
    try {
      result = await runBatch({
        config: o.config, rows, ledger,
        budget: new LocalBudget(o.maxConnectionsPerServer),
        parallelMailboxes: o.parallelMailboxes,
        connectionsPerMailbox: connectionsPerMailbox(o.maxConnectionsPerServer, o.parallelMailboxes),
        stateDir: o.stateDir, dryRun: o.dryRun, verify: o.verify, stop: stop.signal, emit: show,
      })
    } finally {
      stop.dispose()
      bars?.stop()
    }
    if (!o.json && !o.quiet) process.stdout.write(`\n${renderBatchTable(result.entries)}\n`)
    if (o.report) await writeReport(o.report, { batch: o.file, ledger: ledgerFile, dryRun: o.dryRun, exitCode: result.exitCode, mailboxes: result.entries })
    return result.exitCode
  } finally {
    ledger.close()
  }
}


async function writeReport(file: string, report: object): Promise<void> {
  try {
    await writeFile(file, JSON.stringify(report, null, 2) + '\n', { mode: 0o600 })
  } catch (e) {
    throw new MailsyncError('disk', `cannot write the report ${file}: ${(e as Error).message}`, { cause: e })
  }
}

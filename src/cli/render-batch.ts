// What a batch migration shows: a line as each mailbox starts and ends (or one JSON object per
// event with --json), and the table of every mailbox's outcome that the run ends with and that
// `mailsync batch status` prints. No password is ever part of an event or a ledger entry.
import type { BatchEvent } from '../batch/run-batch.js'
import { MAILBOX_STATES, type LedgerEntry } from '../batch/ledger.js'
import { formatBytes, formatMs, formatTable } from './format.js'

/** The --json line of an event: progress only every 100 messages, a batch's end without its entries; undefined when not written. */
export function batchEventJson(e: BatchEvent): string | undefined {
  if (e.type === 'mailbox-progress' && e.messages % 100 !== 0) return undefined
  return JSON.stringify(e.type === 'batch-done' ? { ...e, entries: undefined, mailboxes: e.entries.length } : e)
}

/**
 * Shows a batch's events as they come: --json lines on stdout, else (unless quiet) lines on
 * stderr, above the bars when there are bars (which then show starts themselves). `total`:
 * undefined where the whole batch is not known (a worker).
 */
export function batchEventWriter(o: { json: boolean; quiet: boolean; total?: number; bars?: { handle(e: BatchEvent): void; log(line: string): void } }): (e: BatchEvent) => void {
  let done = 0
  return (e) => {
    if (e.type === 'mailbox-done') done++
    if (o.json) {
      const json = batchEventJson(e)
      if (json) process.stdout.write(json + '\n')
      return
    }
    if (o.quiet) return
    o.bars?.handle(e)
    const line = e.type === 'mailbox-start' && o.bars ? undefined : batchEventLine(e, { done, total: o.total })
    if (!line) return
    if (o.bars) o.bars.log(line)
    else process.stderr.write(`${line}\n`)
  }
}

/** One line per mailbox start and end, and an overall count; undefined for events not shown as lines. */
/** `progress.total` undefined: not known here (a worker sees only the mailboxes it takes). */
export function batchEventLine(e: BatchEvent, progress: { done: number; total?: number }): string | undefined {
  switch (e.type) {
    case 'batch-start':
      return `batch: ${e.total} mailboxes${e.alreadyDone ? ` (${e.alreadyDone} done before: checked again as a delta)` : ''}`
    case 'mailbox-start':
      return `start  ${e.source} -> ${e.target}`
    case 'mailbox-done': {
      const o = e.outcome
      const figures = `copied ${o.copied}, adopted ${o.adopted}, ${formatBytes(o.bytes)}, ${formatMs(o.ms)}${o.verification ? `, verified ${o.verified}${o.verification === 'mismatch' ? ' (MISMATCH)' : ''}` : ''}`
      const why = o.error ? `: ${o.errorKind ? `[${o.errorKind}] ` : ''}${o.error}` : ''
      return `${o.state.padEnd(11)} [${progress.total === undefined ? progress.done : `${progress.done}/${progress.total}`}] ${e.target ? `${e.source} -> ${e.target}  ${figures}` : e.source || e.key}${why}`
    }
    default:
      return undefined
  }
}

/** The outcome table: one row per mailbox, then the count in each state. */
export function renderBatchTable(entries: readonly LedgerEntry[]): string {
  const head = ['line', 'source', 'target', 'state', 'tries', 'copied', 'adopted', 'bytes', 'time', 'verified']
  const rows = entries.map((e) => [
    String(e.line), e.source || '-', e.target || '-', e.state, String(e.attempts), String(e.copied), String(e.adopted),
    formatBytes(e.bytes), formatMs(e.ms), e.verification ? `${e.verified} ${e.verification}` : '-',
  ])
  const reasons = entries.filter((e) => e.error).map((e) => `  line ${e.line}${e.source ? ` ${e.source}` : ''} (${e.state}): ${e.errorKind ? `[${e.errorKind}] ` : ''}${e.error}`)
  const counts = MAILBOX_STATES.map((s) => [s, entries.filter((e) => e.state === s).length] as const).filter(([, n]) => n > 0)
  return `${formatTable(head, rows, 4)}\n${reasons.length ? `\nneeds attention:\n${reasons.join('\n')}\n` : ''}\n${counts.map(([s, n]) => `${n} ${s}`).join(', ')} of ${entries.length} mailboxes`
}

// Progress bars of a batch migration on a terminal (cli-progress): one overall bar (mailboxes
// done of the total, messages and bytes copied, the rate, an ETA from the mailboxes' pace) and
// one line per mailbox in flight with what it has copied so far. Fed the batch's events; lines
// logged meanwhile (a mailbox's outcome) go above the bars; stop() clears them. The text of each
// line is made by the pure functions below at each redraw.
import type cliProgress from 'cli-progress'
import { formatBytes } from '../cli/format.js'
import type { BatchEvent } from '../batch/run-batch.js'
import { bar, fit, formatEta } from './progress-format.js'
import type { ProgressStream } from './progress-bars.js'
import { LineBars, type Payload } from './text-bars.js'

export interface BatchProgress {
  total: number
  done: number
  failed: number
  messages: number
  bytes: number
  /** Mailboxes in flight, by key: their sides and running totals. */
  active: Map<string, { label: string; messages: number; bytes: number }>
}

export function newBatchProgress(total: number): BatchProgress {
  return { total, done: 0, failed: 0, messages: 0, bytes: 0, active: new Map() }
}

/** Applies an event; false when it changes nothing shown. */
export function applyBatchEvent(p: BatchProgress, e: BatchEvent): boolean {
  switch (e.type) {
    case 'batch-start':
      p.total = Math.max(p.total, e.total) // the caller's total may count unreadable lines too
      return true
    case 'mailbox-start':
      p.active.set(e.key, { label: `${e.source} -> ${e.target}`, messages: 0, bytes: 0 })
      return true
    case 'mailbox-progress': {
      const m = p.active.get(e.key)
      if (!m) return false
      p.messages += e.messages - m.messages
      p.bytes += e.bytes - m.bytes
      m.messages = e.messages
      m.bytes = e.bytes
      return true
    }
    case 'mailbox-done':
      p.active.delete(e.key)
      p.done++
      if (e.outcome.state !== 'done') p.failed++
      return true
    default:
      return false
  }
}

export function batchOverallLine(p: BatchProgress, nowMs: number, startedMs: number, columns: number): string {
  const seconds = Math.max(0.001, (nowMs - startedMs) / 1000)
  const eta = p.done > 0 ? ((p.total - p.done) * seconds) / p.done : undefined
  const text = `batch ${bar(p.total ? p.done / p.total : 0, 20)} ${p.done}/${p.total} mailboxes${p.failed ? ` (${p.failed} not done)` : ''}  ${p.messages} msgs  ${formatBytes(p.bytes)}  ${Math.round(p.messages / seconds)} msgs/s  ETA ${formatEta(eta)}`
  return fit(text, columns)
}

export function batchMailboxLine(m: { label: string; messages: number; bytes: number }, columns: number): string {
  return fit(`  ${m.label}  ${m.messages} msgs  ${formatBytes(m.bytes)}`, columns)
}


export class BatchProgressBars extends LineBars {
  readonly progress: BatchProgress
  private readonly lines = new Map<string, cliProgress.SingleBar>()
  private readonly now: () => number
  private readonly started: number
  private readonly columns: () => number

  constructor(o: { stream: ProgressStream; total: number; now?: () => number; fps?: number }) {
    super(o.stream, o.fps)
    this.progress = newBatchProgress(o.total)
    this.now = o.now ?? Date.now
    this.started = this.now()
    const columns = () => Math.max(20, (o.stream.columns || 80) - 1)
    this.multibar.create(1, 0, { line: () => batchOverallLine(this.progress, this.now(), this.started, columns()) } satisfies Payload)
    this.columns = columns
  }

  handle(e: BatchEvent): void {
    if (this.stopped || !applyBatchEvent(this.progress, e)) return
    if (e.type === 'mailbox-start') {
      const key = e.key
      const line = () => {
        const m = this.progress.active.get(key)
        return m ? batchMailboxLine(m, this.columns()) : ''
      }
      this.lines.set(key, this.multibar.create(1, 0, { line } satisfies Payload))
    } else if (e.type === 'mailbox-done') {
      const b = this.lines.get(e.key)
      if (b) this.multibar.remove(b)
      this.lines.delete(e.key)
    }
  }
}

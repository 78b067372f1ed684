// Runs a job and shows it: JSON events, plain lines + summary table, or errors only.
// The engine is imported here, lazily, so `--help` and `--version` never load IMAP or SQLite.
// On a terminal, progress bars (src/ui/progress-bars.ts) with the same lines logged above them.
import { createWriteStream, type WriteStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { MailsyncError } from '../errors.js'
import type { EngineEvent } from '../engine/events.js'
import type { JobRequest, JobResult } from '../jobs/run-job.js'
import { renderEventLine, type LineDetail } from './render-lines.js'
import { renderSummary } from './render-summary.js'
import { jsonEventLine } from '../ui/json-event-line.js'
import type { ProgressBars, ProgressStream } from '../ui/progress-bars.js'

export type OutputMode = 'json' | 'lines' | 'quiet' | 'progress'

export interface JobOutputOptions {
  mode: OutputMode
  verbose: boolean
  logfile?: string
  stdout?: (text: string) => void
  stderr?: (text: string) => void
  /** -d: `imap` = the IMAP protocol dialogue (secrets masked by the IMAP layer), `sync` = every engine event; to --logfile if given, else stderr. */
  debug?: { imap: boolean; sync: boolean; maildir?: boolean }
  /** progress mode: the terminal to draw on (default process.stdout). */
  progressStream?: ProgressStream
  /** progress mode: stderr is the same terminal, so warnings and errors go above the bars too. */
  stderrOnTerminal?: boolean
  /** Sees every engine event first (e.g. mbnames incremental). */
  tap?: (e: EngineEvent) => void
  /** The engine entry point; default: runJob from src/jobs/run-job.ts, imported on first use. */
  runJob?: (req: JobRequest, emit: (e: EngineEvent) => void) => Promise<JobResult>
}

/** Flags win; otherwise [general] ui; `auto` means progress bars on a terminal, lines elsewhere. */
export function outputMode(flags: { json: boolean; quiet: boolean }, ui: string | undefined, terminal = false): OutputMode {
  if (flags.json) return 'json'
  if (flags.quiet) return 'quiet'
  if (ui === 'json') return 'json'
  if (ui === 'quiet') return 'quiet'
  if (terminal && (ui === undefined || ui === 'auto' || ui === 'progress')) return 'progress'
  return 'lines'
}

export async function runJobWithOutput(req: JobRequest, opts: JobOutputOptions): Promise<JobResult> {
  const stdout = opts.stdout ?? ((t: string) => void process.stdout.write(t + '\n'))
  const stderr = opts.stderr ?? ((t: string) => void process.stderr.write(t + '\n'))
  const log = opts.logfile ? await openLog(opts.logfile) : undefined
  const debugSink = (prefix: string) => (line: string): void => {
    if (log) log.write(`${new Date().toISOString()} ${prefix}: ${line}\n`)
    else stderr(`${prefix}: ${line}`)
  }
  if (opts.debug?.imap && !req.imapLogger) req = { ...req, imapLogger: debugSink('imap') }
  if (opts.debug?.maildir && !req.maildirLogger) req = { ...req, maildirLogger: debugSink('maildir') }
  const debugSync = opts.debug?.sync ? debugSink('sync') : undefined
  const detail: LineDetail = opts.mode === 'quiet' ? 'quiet' : opts.verbose ? 'verbose' : 'normal'
  let bars: ProgressBars | undefined
  if (opts.mode === 'progress') {
    const { ProgressBars } = await import('../ui/progress-bars.js')
    bars = new ProgressBars({ stream: opts.progressStream ?? process.stdout, multiAccount: (req.accounts?.length ?? 1) > 1 })
  }
  const emit = (e: EngineEvent): void => {
    opts.tap?.(e)
    if (log) {
      const line = renderEventLine(e, 'verbose')
      if (line) log.write(`${new Date().toISOString()} ${line.text}\n`)
    }
    debugSync?.(jsonEventLine(e))
    if (opts.mode === 'json') return stdout(jsonEventLine(e))
    bars?.handle(e)
    const line = renderEventLine(e, detail)
    if (!line) return
    if (bars && (line.stream === 'stdout' || opts.stderrOnTerminal)) bars.log(line.text)
    else (line.stream === 'stdout' ? stdout : stderr)(line.text)
  }
  try {
    const runJob = opts.runJob ?? (await import('../jobs/run-job.js')).runJob
    const result = await runJob(req, emit)
    bars?.stop()
    if (opts.mode === 'lines' || opts.mode === 'progress') stdout(renderSummary(result))
    if (log) log.write(renderSummary(result).replace(/^/gm, `${new Date().toISOString()} `) + '\n')
    return result
  } finally {
    bars?.stop()
    if (log) await closeLog(log)
  }
}

async function openLog(file: string): Promise<WriteStream> {
  let handle
  try {
    handle = await open(file, 'a', 0o600)
  } catch (e) {
    throw new MailsyncError('disk', `cannot open the log file ${file}: ${(e as Error).message}`, { cause: e })
  }
  const stream = createWriteStream('', { fd: handle })
  // An unwritable log file must not crash the run with an unhandled 'error' event.
  stream.on('error', (e) => process.stderr.write(`warning: cannot write the log file ${file}: ${e.message}\n`))
  return stream
}

function closeLog(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => stream.end(resolve))
}

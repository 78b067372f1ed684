// What every mailsync command shares: global flags, loading the config (and printing its
// warnings once), running a job with the chosen output, and turning errors into one line on
// stderr plus the documented exit code (never a stack, unless --debug).
import { Command, Errors } from '@oclif/core'
import { loadConfig, type AccountConfig, type LoadedConfig } from '../config/index.js'
import type { JobRequest, JobResult } from '../jobs/run-job.js'
import { askPasswordsUpFront } from '../credentials/password-source.js'
import { namedAccounts, pairAccount } from './choose-accounts.js'
import { describeFailure } from './failure.js'
import { fatalEvent } from './fatal-event.js'
import { globalFlags, globalOptions, type GlobalFlagValues, type GlobalOptions } from './global-flags.js'
import { outputMode, runJobWithOutput } from './job-output.js'
import { stopOnSignals } from './stop-on-signals.js'
import type { WatchMode } from './watch-flags.js'

export abstract class MailsyncCommand extends Command {
  static override baseFlags = globalFlags

  protected globals: GlobalOptions = globalOptions({})
  private warningsShown = 0

  /** Call right after `this.parse(...)`. */
  protected useGlobalFlags(flags: Partial<GlobalFlagValues>): void {
    this.globals = globalOptions(flags)
  }

  /** The config file (--config, or the usual places). `required: false` for commands given URLs. */
  protected async loadConfig(opts: { required: boolean }): Promise<LoadedConfig> {
    const config = await loadConfig({ path: this.globals.configFile, required: opts.required })
    this.showConfigWarnings(config)
    return config
  }

  /**
   * `[ACCOUNT | SOURCE DEST]` (backup, restore): with DEST, one ad-hoc account made of the two
   * repositories and no config file needed; otherwise the named account or the config's default ones.
   */
  protected async accountsFromArgs(source: string | undefined, dest: string | undefined, sourceIsRemote: boolean): Promise<{ config: LoadedConfig; accounts: AccountConfig[] }> {
    const config = await this.loadConfig({ required: dest === undefined })
    const accounts = dest !== undefined ? [pairAccount(config, source!, dest, sourceIsRemote)] : namedAccounts(config, source ? [source] : [])
    return { config, accounts }
  }

  /** Print warnings not printed yet (resolving URLs and ad-hoc accounts can add more). */
  protected showConfigWarnings(config: LoadedConfig): void {
    for (const w of config.warnings.slice(this.warningsShown)) process.stderr.write(`warning: ${w.message}\n`)
    this.warningsShown = config.warnings.length
  }

  /** Run the job, show it, call `after` (e.g. to write a report), and exit with its exit code. */
  protected async runJob(req: JobRequest, after?: (result: JobResult) => Promise<void>): Promise<JobResult> {
    this.showConfigWarnings(req.config)
    // passwords asked on the terminal are asked before progress output starts
    await askPasswordsUpFront(req.accounts.flatMap((a) => [a.remote, a.local]), req.config.env)
    const stop = stopOnSignals()
    const result = await this.showJob({ ...req, stop: stop.signal }).finally(() => stop.dispose())
    if (after) await after(result)
    if (result.exitCode !== 0) this.exit(result.exitCode)
    return result
  }

  /**
   * `--watch` / autorefresh: rounds of the job until a signal ends them (src/watch/run-watch.ts),
   * each shown like a single run; a failed round is shown and tried again later. Exits with the
   * last round's code (0 when stopped between rounds).
   */
  protected async runWatchedJob(req: JobRequest, mode: WatchMode): Promise<void> {
    this.showConfigWarnings(req.config)
    await askPasswordsUpFront(req.accounts.flatMap((a) => [a.remote, a.local]), req.config.env)
    const { runWatch } = await import('../watch/run-watch.js')
    const json = outputMode(this.globals, req.config.general.get('ui')) === 'json'
    const say = (line: string): void => {
      if (json) process.stdout.write(JSON.stringify({ type: 'watch', message: line }) + '\n')
      else process.stderr.write(`mailsync: ${line}\n`)
    }
    const stop = stopOnSignals()
    const maxRounds = Number(process.env.MAILSYNC_WATCH_MAX_ROUNDS ?? '') || undefined
    let code: number
    try {
      code = await runWatch({
        job: req,
        minutes: mode.minutes,
        stop: stop.signal,
        say,
        maxRounds,
        onWait: (ms) => {
          if (json) process.stdout.write(JSON.stringify({ type: 'watch-wait', ms }) + '\n')
        },
        round: (r) => this.showJob(r).catch((err: unknown) => {
          const failure = describeFailure(err, { debug: this.globals.debug, command: this.id })
          say(`round failed: ${failure.text ?? failure.exitCode}`)
          return { exitCode: failure.exitCode }
        }),
      })
    } finally {
      stop.dispose()
    }
    if (code !== 0) this.exit(code)
  }

  /** One run with the chosen output (bars, lines, JSON, log file, debug) and [mbnames] after it. */
  private async showJob(req: JobRequest): Promise<JobResult> {
    const types = this.globals.debugTypes
    const on = (t: 'imap' | 'sync' | 'maildir') => types.includes(t) || types.includes('all')
    const debug = { imap: on('imap'), sync: on('sync'), maildir: on('maildir') }
    // debug lines on stderr would tear progress bars apart: plain lines then
    const terminal = process.stdout.isTTY === true && !((debug.imap || debug.sync || debug.maildir) && !this.globals.logfile)
    // [mbnames]: rewritten as each account finishes (incremental) or once after the run; a failure is a warning
    const mbnames = req.config.mbnames.get<boolean>('enabled') ? await import('../mbnames/mbnames-after-run.js') : undefined
    const incremental = mbnames?.mbnamesIncremental(req)
    const mbnamesWarning = (e: Error) => void process.stderr.write(`warning: mbnames: ${e.message}\n`)
    const result = await runJobWithOutput(req, {
      tap: incremental?.tap,
      mode: outputMode(this.globals, req.config.general.get('ui'), terminal),
      stderrOnTerminal: process.stderr.isTTY === true,
      verbose: this.globals.verbose,
      logfile: this.globals.logfile,
      debug,
    })
    await incremental?.flush().catch(mbnamesWarning)
    await mbnames?.mbnamesAfterRun(req, result).catch(mbnamesWarning)
    return result
  }

  /** Every error ends here: print it once, then let oclif exit with our code without printing. */
  override async catch(err: unknown): Promise<never> {
    const debug = this.globals.debug || this.argv.includes('--debug')
    const failure = describeFailure(err, { debug, command: this.id })
    if (failure.text) process.stderr.write(failure.text + '\n')
    // --json: programs get the failure on stdout too, as a `fatal` object (docs/json-events.md)
    const fatal = this.globals.json || this.argv.includes('--json') ? fatalEvent(err, failure) : undefined
    if (fatal) process.stdout.write(JSON.stringify(fatal) + '\n')
    throw new Errors.ExitError(failure.exitCode)
  }
}

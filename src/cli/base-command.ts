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
    const types = this.globals.debugTypes
    const on = (t: 'imap' | 'sync' | 'maildir') => types.includes(t) || types.includes('all')
    const debug = { imap: on('imap'), sync: on('sync'), maildir: on('maildir') }
    // debug lines on stderr would tear progress bars apart: plain lines then
    const terminal = process.stdout.isTTY === true && !((debug.imap || debug.sync || debug.maildir) && !this.globals.logfile)
    // [mbnames]: rewritten as each account finishes (incremental) or once after the run; a failure is a warning
    const mbnames = req.config.mbnames.get<boolean>('enabled') ? await import('../mbnames/mbnames-after-run.js') : undefined
    const incremental = mbnames?.mbnamesIncremental(req)
    const mbnamesWarning = (e: Error) => void process.stderr.write(`warning: mbnames: ${e.message}\n`)
    const stop = stopOnSignals()
    const result = await runJobWithOutput({ ...req, stop: stop.signal }, {
      tap: incremental?.tap,
      mode: outputMode(this.globals, req.config.general.get('ui'), terminal),
      stderrOnTerminal: process.stderr.isTTY === true,
      verbose: this.globals.verbose,
      logfile: this.globals.logfile,
      debug,
    }).finally(() => stop.dispose())
    if (after) await after(result)
    await incremental?.flush().catch(mbnamesWarning)
    await mbnames?.mbnamesAfterRun(req, result).catch(mbnamesWarning)
    if (result.exitCode !== 0) this.exit(result.exitCode)
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

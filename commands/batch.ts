// `mailsync batch status LEDGER|BATCHFILE`: where a batch migration stands, while it runs or after;
// `mailsync batch status --redis URL`: the same for a fleet queue; `mailsync batch enqueue FILE
// --redis URL`: one job per mailbox on the queue, for `mailsync worker` processes to take.
// One command with the action as its first argument.
import { Args, Flags } from '@oclif/core'
import { existsSync } from 'node:fs'
import { MailsyncCommand } from '../src/cli/base-command.js'
import { describeWithExitCodes } from '../src/cli/help-text.js'
import { Ledger, ledgerPathFor } from '../src/batch/ledger.js'
import { batchExitCode } from '../src/batch/run-batch.js'
import { renderBatchTable } from '../src/cli/render-batch.js'
import { MailsyncError } from '../src/errors.js'

export default class BatchCommand extends MailsyncCommand {
  static override summary = 'Show where a batch migration stands; queue one for workers'
  static override description = describeWithExitCodes(
    '`batch status LEDGER` reads the ledger of a `migrate --batch` run (it may be running): every mailbox with its state (pending, running, done, failed, needs-rerun), tries, counts, bytes, time, verification and the reason of a failure. LEDGER is the ledger file, or the batch file it was made for. `batch status --redis URL` reads a fleet queue the same way. `batch enqueue FILE --redis URL` puts one job per mailbox of FILE on the queue, without its passwords (workers resolve their own; see docs/batch.md); enqueuing again re-queues mailboxes that ended and leaves queued ones alone. status exits 0 when every mailbox is done, 75 when some still need a run, 65 when a copy did not verify.',
  )
  static override args = {
    action: Args.string({ required: true, options: ['status', 'enqueue'], description: 'What to do: status or enqueue.' }),
    file: Args.string({ required: false, description: 'status: the ledger file, or the batch file the ledger is named after (not with --redis); enqueue: the batch file.' }),
  }
  static override flags = {
    redis: Flags.string({ helpValue: 'URL', description: 'The Redis of a fleet queue (redis://HOST:PORT).' }),
    queue: Flags.string({ default: 'migrate', helpValue: 'NAME', description: 'With --redis: the queue\'s name.' }),
    'max-connections-per-server': Flags.integer({ min: 2, default: 10, helpValue: 'N', description: 'enqueue: never more than N connections to one server (host:port), across all workers.' }),
    attempts: Flags.integer({ min: 1, default: 3, helpValue: 'N', description: 'enqueue: tries per mailbox before it is failed (auth and config failures are not retried).' }),
    'backoff-seconds': Flags.integer({ min: 0, default: 30, helpValue: 'S', description: 'enqueue: wait before the first retry; doubled for each further one.' }),
    verify: Flags.boolean({ default: true, allowNo: true, description: 'enqueue: fetch copies back and compare them; --no-verify skips it.' }),
  }
  static override examples = [
    { description: 'After or during `migrate --batch mailboxes.csv`', command: '<%= config.bin %> <%= command.id %> status mailboxes.csv' },
    { description: 'Queue a batch for workers on several machines', command: '<%= config.bin %> <%= command.id %> enqueue mailboxes.csv --redis redis://queue.example.org:6379' },
    { description: 'Where the queued batch stands', command: '<%= config.bin %> <%= command.id %> status --redis redis://queue.example.org:6379' },
  ]

  async run(): Promise<void> {
    const { args, flags } = await this.parse(BatchCommand)
    this.useGlobalFlags(flags)
    const out = { json: this.globals.json, quiet: this.globals.quiet }
    let code: number
    if (args.action === 'enqueue') {
      if (args.file === undefined) throw new MailsyncError('usage', 'batch enqueue needs the batch file', { hint: 'mailsync batch enqueue mailboxes.csv --redis redis://HOST:PORT' })
      if (flags.redis === undefined) throw new MailsyncError('usage', 'batch enqueue needs --redis URL (on one machine, run `mailsync migrate --batch FILE`)')
      const { enqueueFromFile } = await import('../src/cli/fleet-run.js')
      code = await enqueueFromFile({ ...out, file: args.file, redis: flags.redis, queue: flags.queue, maxConnectionsPerServer: flags['max-connections-per-server'], attempts: flags.attempts, backoffSeconds: flags['backoff-seconds'], verify: flags.verify })
    } else if (flags.redis !== undefined) {
      if (args.file !== undefined) throw new MailsyncError('usage', 'batch status --redis reads the queue: give no ledger file')
      const { statusFromRedis } = await import('../src/cli/fleet-run.js')
      code = await statusFromRedis({ ...out, redis: flags.redis, queue: flags.queue })
    } else {
      if (args.file === undefined) throw new MailsyncError('usage', 'batch status needs a ledger (or its batch file), or --redis URL')
      code = await this.ledgerStatus(args.file)
    }
    if (code !== 0) this.exit(code)
  }

  private async ledgerStatus(given: string): Promise<number> {
    // a ledger file as it is; anything else names the batch file whose ledger is in the state directory
    const file = given.endsWith('.sqlite') && existsSync(given)
      ? given
      : ledgerPathFor((await this.loadConfig({ required: false })).general.get<string>('metadata'), given)
    const ledger = Ledger.open(file, { readOnly: true })
    try {
      const entries = ledger.entries()
      if (this.globals.json) process.stdout.write(JSON.stringify({ ledger: file, batch: ledger.batchFile(), mailboxes: entries }) + '\n')
      else process.stdout.write(`${renderBatchTable(entries)}\n`)
      return batchExitCode(entries, false)
    } finally {
      ledger.close()
    }
  }
}

// `mailsync batch status LEDGER|BATCHFILE`: where a batch migration stands, while it runs or after.
// One command with the action as its first argument (more actions, e.g. enqueue, come later).
import { Args } from '@oclif/core'
import { existsSync } from 'node:fs'
import { MailsyncCommand } from '../src/cli/base-command.js'
import { describeWithExitCodes } from '../src/cli/help-text.js'
import { Ledger, ledgerPathFor } from '../src/batch/ledger.js'
import { batchExitCode } from '../src/batch/run-batch.js'
import { renderBatchTable } from '../src/cli/render-batch.js'

export default class BatchCommand extends MailsyncCommand {
  static override summary = 'Show where a batch migration stands'
  static override description = describeWithExitCodes(
    'Reads the ledger of a `migrate --batch` run (it may be running): every mailbox with its state (pending, running, done, failed, needs-rerun), tries, counts, bytes, time, verification and the reason of a failure. LEDGER is the ledger file, or the batch file it was made for. Exits 0 when every mailbox is done, 75 when some still need a run, 65 when a copy did not verify.',
  )
  static override args = {
    action: Args.string({ required: true, options: ['status'], description: 'What to do: status.' }),
    ledger: Args.string({ required: true, description: 'The ledger file, or the batch file the ledger is named after.' }),
  }
  static override examples = [{ description: 'After or during `migrate --batch mailboxes.csv`', command: '<%= config.bin %> <%= command.id %> mailboxes.csv' }]

  async run(): Promise<void> {
    const { args, flags } = await this.parse(BatchCommand)
    this.useGlobalFlags(flags)
    // a ledger file as it is; anything else names the batch file whose ledger is in the state directory
    const file = args.ledger.endsWith('.sqlite') && existsSync(args.ledger)
      ? args.ledger
      : ledgerPathFor((await this.loadConfig({ required: false })).general.get<string>('metadata'), args.ledger)
    const ledger = Ledger.open(file, { readOnly: true })
    try {
      const entries = ledger.entries()
      if (this.globals.json) process.stdout.write(JSON.stringify({ ledger: file, batch: ledger.batchFile(), mailboxes: entries }) + '\n')
      else process.stdout.write(`${renderBatchTable(entries)}\n`)
      const code = batchExitCode(entries, false)
      if (code !== 0) this.exit(code)
    } finally {
      ledger.close()
    }
  }
}

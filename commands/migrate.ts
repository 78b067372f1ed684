// `mailsync migrate OLD NEW`: copy one IMAP server's mail to another.
import { Args, Flags } from '@oclif/core'
import { writeFile } from 'node:fs/promises'
import { MailsyncCommand } from '../src/cli/base-command.js'
import { pairAccount } from '../src/cli/choose-accounts.js'
import { jobFlagOptions, jobFlags } from '../src/cli/flag-values.js'
import { describeWithExitCodes } from '../src/cli/help-text.js'
import { MailsyncError } from '../src/errors.js'
import { renderVerification } from '../src/cli/render-verification.js'
import type { LabelMode } from '../src/repository/gmail/label-mode.js'

export default class MigrateCommand extends MailsyncCommand {
  static override summary = 'Move mail between IMAP servers: OLD -> NEW'
  static override description = describeWithExitCodes(
    `Copies every folder of OLD to NEW, adopting messages NEW already has (so it can be re-run until the move is done), mapping special folders (Sent, Trash, Drafts, Junk, Archive) by their role, and fetching copies back to verify them. OLD is never changed. OLD and NEW are [Repository] names or URLs (imaps://user@host).`,
  )
  static override args = {
    old: Args.string({ required: false, description: 'The server to move from (repository name or URL); not with --batch.' }),
    new: Args.string({ required: false, description: 'The server to move to (repository name or URL); not with --batch.' }),
  }
  static override flags = {
    delete: Flags.boolean({ default: false, description: 'Remove from NEW what is no longer on OLD.' }),
    automap: Flags.boolean({ default: true, allowNo: true, description: 'Map special folders by role (\\Sent, \\Trash, ...); --no-automap maps by name only.' }),
    labels: Flags.string({ options: ['folders', 'first', 'keywords'], helpValue: 'MODE', description: 'A Gmail OLD (type = Gmail) to a folder server: folders (default) = a copy in every label\'s folder, archived mail in All Mail; first = one copy, in the first label (\\Inbox, \\Sent, \\Draft, then labels by name); keywords = one copy in All Mail, labels as IMAP keywords. See docs/gmail.md.' }),
    verify: Flags.boolean({ default: true, allowNo: true, description: 'Fetch copied messages back from NEW and compare them; --no-verify skips it.' }),
    report: Flags.string({ helpValue: 'FILE', description: 'Write the result (counts per folder, errors; with --batch every mailbox) as JSON to FILE.' }),
    batch: Flags.string({ helpValue: 'FILE', description: 'Migrate every mailbox pair of a CSV file (imapsync\'s host1;user1;password1;host2;user2;password2, or a header naming the columns); see docs/batch.md.' }),
    ledger: Flags.string({ helpValue: 'FILE', description: 'With --batch: the ledger (SQLite) to keep and resume from; default: in the state directory, named after the batch file.' }),
    'max-connections-per-server': Flags.integer({ min: 2, default: 10, helpValue: 'N', description: 'With --batch: never more than N connections to one server (host:port) at once, across all mailboxes.' }),
    'parallel-mailboxes': Flags.integer({ min: 1, default: 4, helpValue: 'M', description: 'With --batch: mailboxes migrated at the same time.' }),
    ...jobFlags,
  }
  static override examples = [
    { description: 'Move a mailbox to a new provider', command: '<%= config.bin %> <%= command.id %> imaps://alice@old.example.org imaps://alice@new.example.net' },
    { description: 'Preview with two [Repository] sections, keeping a report', command: '<%= config.bin %> <%= command.id %> OldServer NewServer --dry-run --report migrate.json' },
    { description: 'Move a whole organisation from a CSV, 8 mailboxes at a time', command: '<%= config.bin %> <%= command.id %> --batch mailboxes.csv --parallel-mailboxes 8 --report batch.json' },
  ]

  async run(): Promise<void> {
    const { args, flags } = await this.parse(MigrateCommand)
    this.useGlobalFlags(flags)
    const config = await this.loadConfig({ required: false })
    if (flags.batch !== undefined) {
      if (args.old !== undefined) throw new MailsyncError('usage', '--batch takes the mailboxes from its file: give no OLD NEW', { hint: 'mailsync migrate --batch mailboxes.csv' })
      this.showConfigWarnings(config)
      const { runBatchFromFile } = await import('../src/cli/batch-run.js')
      const code = await runBatchFromFile({
        config, file: flags.batch, ledger: flags.ledger,
        stateDir: config.general.get<string>('metadata'),
        maxConnectionsPerServer: flags['max-connections-per-server'], parallelMailboxes: flags['parallel-mailboxes'],
        dryRun: flags['dry-run'], verify: flags.verify, json: this.globals.json, quiet: this.globals.quiet, report: flags.report, folders: flags.folder,
      })
      if (code !== 0) this.exit(code)
      return
    }
    if (args.old === undefined || args.new === undefined) {
      throw new MailsyncError('usage', `missing argument ${args.old === undefined ? 'OLD' : 'NEW'}`, { hint: 'see `mailsync migrate --help` (OLD NEW, or --batch FILE)' })
    }
    const account = pairAccount(config, args.old, args.new, true)
    const request = {
      policy: 'migrate' as const,
      config,
      accounts: [account],
      ...jobFlagOptions(flags),
      delete: flags.delete,
      automap: flags.automap,
      verify: flags.verify,
      ...(flags.labels ? { labels: flags.labels as LabelMode } : {}),
    }
    const report = flags.report
    const table = !this.globals.json && !this.globals.quiet
    await this.runJob(request, async (result) => {
      if (table) process.stdout.write(`\n${renderVerification(result)}\n`)
      if (report) await writeReport(report, { old: args.old, new: args.new, dryRun: request.dryRun, ...result })
    })
  }
}

async function writeReport(file: string, report: object): Promise<void> {
  try {
    await writeFile(file, JSON.stringify(report, null, 2) + '\n')
  } catch (e) {
    throw new MailsyncError('disk', `cannot write the report ${file}: ${(e as Error).message}`, { cause: e })
  }
}

// `mailsync sync [ACCOUNT...]`: two-way sync of each account's remote IMAP and local Maildir.
import { Args, Flags } from '@oclif/core'
import { MailsyncCommand } from '../src/cli/base-command.js'
import { namedAccounts } from '../src/cli/choose-accounts.js'
import { jobFlags } from '../src/cli/flag-values.js'
import { describeWithExitCodes } from '../src/cli/help-text.js'
import { watchArgv, watchFlags, watchMode } from '../src/cli/watch-flags.js'

export default class SyncCommand extends MailsyncCommand {
  static override summary = 'Two-way sync of accounts: remote IMAP <-> local Maildir'
  static override description = describeWithExitCodes(
    `Copies new messages both ways, merges flag changes and propagates deletions, for each account named (default: the [general] accounts list, or every [Account] section). Re-running is always safe: nothing is copied twice, and an interrupted run resumes where it stopped.`,
  )
  static override strict = false
  static override args = {
    account: Args.string({ description: 'Accounts to sync (as in [Account NAME]); several may be given.' }),
  }
  static override flags = {
    account: Flags.string({ char: 'a', multiple: true, multipleNonGreedy: true, helpValue: 'NAME', description: 'Account to sync (repeatable; same as naming it as an argument).' }),
    folder: jobFlags.folder,
    'dry-run': jobFlags['dry-run'],
    wait: jobFlags.wait,
    force: Flags.boolean({ default: false, description: 'Go on even when the deletion guard or the first-sync guard (many copies both ways) would stop.' }),
    ...watchFlags,
  }
  static override examples = [
    { description: 'Sync every account of the config file', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Sync one account, only two folders', command: '<%= config.bin %> <%= command.id %> work -f INBOX -f Sent' },
    { description: 'See what would change, machine-readable', command: '<%= config.bin %> <%= command.id %> --dry-run --json' },
    { description: 'Keep running (as autorefresh does): changes travel within seconds both ways, and a full round every 10 minutes', command: '<%= config.bin %> <%= command.id %> --watch=10' },
  ]

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(SyncCommand, watchArgv(this.argv))
    this.useGlobalFlags(flags)
    const config = await this.loadConfig({ required: true })
    const names = [...(argv as string[]), ...(flags.account ?? [])]
    const req = { policy: 'sync' as const, config, accounts: namedAccounts(config, names), folders: flags.folder, dryRun: flags['dry-run'], waitForLock: flags.wait, force: flags.force }
    const mode = watchMode(flags, req.accounts, !flags['dry-run'])
    if (mode.watch) await this.runWatchedJob(req, mode)
    else await this.runJob(req)
  }
}

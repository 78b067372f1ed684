// `mailsync restore [ACCOUNT | SOURCE DEST]`: copy Maildir -> IMAP.
import { Args } from '@oclif/core'
import { MailsyncCommand } from '../src/cli/base-command.js'
import { dateFlag, jobFlagOptions, jobFlags } from '../src/cli/flag-values.js'
import { describeWithExitCodes } from '../src/cli/help-text.js'

export default class RestoreCommand extends MailsyncCommand {
  static override summary = 'One-way restore: local Maildir -> remote IMAP'
  static override description = describeWithExitCodes(
    `Uploads messages from a Maildir (a backup) to an IMAP server, skipping those already there, with their flags and dates. For an account, the source is its local repository and the target its remote one; or give SOURCE (a Maildir) and DEST (an IMAP repository) as names or URLs.`,
  )
  static override args = {
    source: Args.string({ description: 'An account name, or the Maildir to restore from (name, maildir:PATH or a path).' }),
    dest: Args.string({ description: 'The IMAP repository to restore to (name or imaps://user@host), when SOURCE is a repository.' }),
  }
  static override flags = {
    ...jobFlags,
    since: dateFlag({ description: 'Only messages received on or after this date.' }),
    before: dateFlag({ description: 'Only messages received before this date.' }),
  }
  static override examples = [
    { description: "Restore an account's backup to its server", command: '<%= config.bin %> <%= command.id %> work' },
    { description: 'Restore one folder from a backup directory, only 2024 mail', command: '<%= config.bin %> <%= command.id %> ~/Backup/alice imaps://alice@mail.example.org -f Archive --since 2024-01-01 --before 2025-01-01' },
  ]

  async run(): Promise<void> {
    const { args, flags } = await this.parse(RestoreCommand)
    this.useGlobalFlags(flags)
    const { config, accounts } = await this.accountsFromArgs(args.source, args.dest, false)
    await this.runJob({
      policy: 'restore',
      config,
      accounts,
      ...jobFlagOptions(flags),
      since: flags.since,
      before: flags.before,
    })
  }
}

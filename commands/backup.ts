// `mailsync backup [ACCOUNT | SOURCE DEST]`: copy IMAP -> Maildir, keeping local copies of
// server-deleted mail unless --mirror.
import { Args, Flags } from '@oclif/core'
import { MailsyncCommand } from '../src/cli/base-command.js'
import { jobFlagOptions, jobFlags } from '../src/cli/flag-values.js'
import { describeWithExitCodes } from '../src/cli/help-text.js'
import { watchArgv, watchFlags, watchMode } from '../src/cli/watch-flags.js'

export default class BackupCommand extends MailsyncCommand {
  static override summary = 'One-way backup: remote IMAP -> local Maildir'
  static override description = describeWithExitCodes(
    `Copies new mail and flag changes from the server to the Maildir and never changes the server. Mail deleted on the server stays in the backup unless --mirror is given. Name an account from the config file, or give SOURCE and DEST as repository names or URLs (imaps://user@host, maildir:~/Backup/Mail); with SOURCE DEST no config file is needed, but a password must come from a [Repository] section (remotepasscmd).`,
  )
  static override args = {
    source: Args.string({ description: 'An account name, or the repository to back up (name or URL).' }),
    dest: Args.string({ description: 'The Maildir to write to (repository name, maildir:PATH or a path), when SOURCE is a repository.' }),
  }
  static override flags = {
    mirror: Flags.boolean({ default: false, description: 'Also delete local copies of mail deleted on the server.' }),
    ...jobFlags,
    ...watchFlags,
  }
  static override examples = [
    { description: 'Back up an account of the config file', command: '<%= config.bin %> <%= command.id %> work' },
    { description: 'Back up a server without a config file', command: '<%= config.bin %> <%= command.id %> imaps://alice@mail.example.org maildir:~/Backup/alice' },
    { description: 'Make the backup an exact mirror, allowing many deletions', command: '<%= config.bin %> <%= command.id %> work --mirror --max-delete 500' },
    { description: 'Keep running: new mail is backed up as it arrives, and every 30 minutes', command: '<%= config.bin %> <%= command.id %> work --watch=30' },
  ]

  async run(): Promise<void> {
    const { args, flags } = await this.parse(BackupCommand, watchArgv(this.argv))
    this.useGlobalFlags(flags)
    const { config, accounts } = await this.accountsFromArgs(args.source, args.dest, true)
    const req = { policy: 'backup' as const, config, accounts, ...jobFlagOptions(flags), mirror: flags.mirror }
    // a backup from cron must end: only --watch keeps it running, not the config's autorefresh
    const mode = watchMode(flags, accounts, false)
    if (mode.watch) await this.runWatchedJob(req, mode)
    else await this.runJob(req)
  }
}

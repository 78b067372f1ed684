// `mailsync schedule ACCOUNT`: systemd user units (or a crontab line) that run a backup on a
// timer, or keep `sync --watch` running as a service with a watchdog.
import { realpathSync } from 'node:fs'
import { Args, Flags } from '@oclif/core'
import { MailsyncCommand } from '../src/cli/base-command.js'
import { describeWithExitCodes } from '../src/cli/help-text.js'
import { namedAccounts } from '../src/cli/choose-accounts.js'
import { cronLine, renderUnits } from '../src/schedule/units.js'
import { nextSteps, userUnitDir, writeUnits } from '../src/schedule/write-units.js'
import { MailsyncError } from '../src/errors.js'

export default class ScheduleCommand extends MailsyncCommand {
  static override summary = 'Write systemd user units (or print a crontab line) for scheduled backups or a running watcher'
  static override description = describeWithExitCodes(
    `Writes a service and a timer that run \`mailsync backup ACCOUNT\` (--every daily by default) into the systemd user unit directory, or with --watch one service that keeps \`mailsync sync --watch ACCOUNT\` running (restarted on failure, with a watchdog: a frozen process is restarted). The units name this mailsync and this config file by absolute path. --print shows them without writing; --cron prints the equivalent crontab line for machines without systemd.`,
  )
  static override args = {
    account: Args.string({ required: true, description: 'The account (as in [Account NAME]).' }),
  }
  static override flags = {
    every: Flags.string({ default: 'daily', helpValue: 'WHEN', description: 'How often to back up: daily, hourly, weekly, 15min, 2h, or a systemd OnCalendar expression (e.g. "*-*-* 02:30").' }),
    watch: Flags.boolean({ default: false, description: 'A service running `sync --watch` instead of a timed backup.' }),
    output: Flags.string({ helpValue: 'DIR', description: 'Where to write the units (default: ~/.config/systemd/user).' }),
    print: Flags.boolean({ default: false, description: 'Print the units; write nothing.' }),
    cron: Flags.boolean({ default: false, description: 'Print the crontab line instead (no systemd).' }),
    force: Flags.boolean({ default: false, description: 'Replace unit files that exist with other content.' }),
  }
  static override examples = [
    { description: 'A daily backup of account work', command: '<%= config.bin %> <%= command.id %> work' },
    { description: 'Keep work in sync all the time, as a service', command: '<%= config.bin %> <%= command.id %> work --watch' },
    { description: 'A backup every hour, from cron', command: '<%= config.bin %> <%= command.id %> work --every hourly --cron' },
  ]

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ScheduleCommand)
    this.useGlobalFlags(flags)
    const config = await this.loadConfig({ required: true })
    const [account] = namedAccounts(config, [args.account])
    const facts = { account: account!.name, config: realpathSync(config.file!), node: process.execPath, script: realpathSync(process.argv[1]!), every: flags.every, watch: flags.watch }
    const out = (t: string) => void process.stdout.write(t + '\n')
    try {
      if (flags.cron) return out(cronLine(facts))
      const files = renderUnits(facts)
      if (flags.print) return out(files.map((f) => `# ${f.name}\n${f.text}`).join('\n'))
      const written = writeUnits(flags.output ?? userUnitDir(process.env, config.home), files, flags.force)
      out([...written.map((p) => `wrote ${p}`), 'then:', ...nextSteps(files).map((s) => `  ${s}`)].join('\n'))
    } catch (e) {
      if (e instanceof MailsyncError) throw e
      throw new MailsyncError('usage', e instanceof Error ? e.message : String(e))
    }
  }
}

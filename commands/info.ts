// `mailsync info [ACCOUNT | REPOSITORY | URL]`: what mailsync would use, and where each value came from.
import { Args } from '@oclif/core'
import { MailsyncCommand } from '../src/cli/base-command.js'
import { describeWithExitCodes } from '../src/cli/help-text.js'
import { collectInfo } from '../src/cli/info-data.js'
import { renderInfo } from '../src/cli/render-info.js'

export default class InfoCommand extends MailsyncCommand {
  static override summary = 'Show the configuration in effect: accounts, repositories, settings and their origins'
  static override description = describeWithExitCodes(
    `Prints the config file used (or where it was looked for), the general settings, each account and repository, and for every value where it came from (file:line, default, URL). Passwords and tokens are masked. Contacts no server (not yet: server capabilities and folder mapping). With --json, prints one JSON document.`,
  )
  static override args = {
    target: Args.string({ description: 'Only this account or repository (a [Repository] name or a URL).' }),
  }
  static override examples = [
    { description: 'Everything in the config file', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'One account and its two repositories', command: '<%= config.bin %> <%= command.id %> work' },
    { description: 'What a URL stands for, as JSON', command: '<%= config.bin %> <%= command.id %> imaps://alice@mail.example.org --json' },
  ]

  async run(): Promise<void> {
    const { args, flags } = await this.parse(InfoCommand)
    this.useGlobalFlags(flags)
    const config = await this.loadConfig({ required: false })
    const data = collectInfo(config, this.config.version, args.target)
    this.showConfigWarnings(config)
    process.stdout.write((this.globals.json ? JSON.stringify(data, null, 2) : renderInfo(data)) + '\n')
  }
}

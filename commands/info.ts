// `mailsync info [ACCOUNT | REPOSITORY | URL]`: what mailsync would use, where each value came
// from, and (read-only) what the servers say: certificate, capabilities, folder mapping both ways.
import { Args, Flags } from '@oclif/core'
import { MailsyncCommand } from '../src/cli/base-command.js'
import { describeWithExitCodes } from '../src/cli/help-text.js'
import { collectInfo } from '../src/cli/info-data.js'
import { renderInfo } from '../src/cli/render-info.js'
import { resolveRepository } from '../src/config/index.js'

export default class InfoCommand extends MailsyncCommand {
  static override summary = 'Show the configuration in effect, what the servers say, and the folder mapping both ways'
  static override description = describeWithExitCodes(
    `Prints the config file used (or where it was looked for), the general settings, each account and repository, and for every value where it came from (file:line, default, URL). Passwords and tokens are masked. Then it connects, read-only (LIST and CAPABILITY; it never changes anything): for each IMAP repository the host, user, TLS mode, the certificate's SHA-256 fingerprint, the capabilities mailsync uses and the hierarchy separator; for each account the folder mapping both ways (folderfilter, nametrans, and the name translated back), with problems said in words (mappings that do not round-trip, two folders mapping to one name, names invalid on the other side), special-use folders, and the status cache figures per folder pair. A repository that cannot be reached is reported in one line and the rest is still shown (exit 0). With --offline no server is contacted. With --json, prints one JSON document.`,
  )
  static override args = {
    target: Args.string({ description: 'Only this account or repository (a [Repository] name or a URL).' }),
  }
  static override flags = {
    offline: Flags.boolean({ default: false, description: 'Do not connect to any server: configuration and local stores only.' }),
  }
  static override examples = [
    { description: 'Everything in the config file', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'One account: its repositories and the folder mapping both ways', command: '<%= config.bin %> <%= command.id %> work' },
    { description: 'What a URL stands for, as JSON, without connecting', command: '<%= config.bin %> <%= command.id %> imaps://alice@mail.example.org --json --offline' },
  ]

  async run(): Promise<void> {
    const { args, flags } = await this.parse(InfoCommand)
    this.useGlobalFlags(flags)
    const config = await this.loadConfig({ required: false })
    const data = collectInfo(config, this.config.version, args.target)
    // resolveRepository: the [Repository] section of that name, else the URL it is
    const repos = data.repositories.map((r) => resolveRepository(config, r.name))
    const accounts = data.accounts.flatMap((a) => config.accounts.get(a.name) ?? [])
    const { collectLiveInfo } = await import('../src/cli/info-live.js')
    data.live = await collectLiveInfo(config, repos, accounts, { offline: flags.offline })
    this.showConfigWarnings(config)
    process.stdout.write((this.globals.json ? JSON.stringify(data, null, 2) : renderInfo(data)) + '\n')
  }
}

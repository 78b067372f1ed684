// `mailsync worker --redis URL`: take mailbox jobs from a fleet queue (`batch enqueue`) and migrate them.
import { Flags } from '@oclif/core'
import { MailsyncCommand } from '../src/cli/base-command.js'
import { describeWithExitCodes } from '../src/cli/help-text.js'

export default class WorkerCommand extends MailsyncCommand {
  static override summary = 'Migrate mailboxes from a fleet queue on Redis'
  static override description = describeWithExitCodes(
    'Takes mailbox jobs that `mailsync batch enqueue` put on a Redis queue and migrates them, as many at once as --concurrency, within the queue\'s per-server connection budget (held across every worker). Run it on as many machines as you like. Passwords are not on the queue: this worker takes them from its config (a [Repository] per host, with authuser for an admin login, remotepassfile or remotepasscmd), the environment, or --passwords FILE. A worker that dies has its mailbox taken over by another after --lock-seconds. Runs until stopped (SIGTERM/SIGINT put its mailboxes back on the queue), or with --until-empty until nothing is left to run.',
  )
  static override flags = {
    redis: Flags.string({ required: true, helpValue: 'URL', description: 'The Redis of the queue (redis://HOST:PORT).' }),
    queue: Flags.string({ default: 'migrate', helpValue: 'NAME', description: 'The queue\'s name.' }),
    concurrency: Flags.integer({ min: 1, default: 4, helpValue: 'M', description: 'Mailboxes this worker migrates at the same time.' }),
    'until-empty': Flags.boolean({ default: false, description: 'Exit once no mailbox of the queue is waiting, delayed or running anywhere.' }),
    'lock-seconds': Flags.integer({ min: 1, default: 30, helpValue: 'S', description: 'How long a job\'s lock lasts unless renewed: a dead worker\'s mailbox is taken over after about this.' }),
    passwords: Flags.string({ helpValue: 'FILE', description: 'A copy of the batch file on this machine (mode 0600) to take passwords from, by mailbox pair.' }),
  }
  static override examples = [
    { description: 'On each machine of the fleet', command: '<%= config.bin %> <%= command.id %> --redis redis://queue.example.org:6379 --concurrency 8' },
  ]

  async run(): Promise<void> {
    const { flags } = await this.parse(WorkerCommand)
    this.useGlobalFlags(flags)
    const config = await this.loadConfig({ required: false })
    const { workerFromRedis } = await import('../src/cli/fleet-run.js')
    const code = await workerFromRedis({
      json: this.globals.json, quiet: this.globals.quiet, config,
      redis: flags.redis, queue: flags.queue, concurrency: flags.concurrency, stateDir: config.general.get<string>('metadata'),
      lockSeconds: flags['lock-seconds'], untilEmpty: flags['until-empty'], passwords: flags.passwords,
    })
    if (code !== 0) this.exit(code)
  }
}

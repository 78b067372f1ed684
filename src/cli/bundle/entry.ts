// The entry point `npm run build` bundles into dist/mailsync.cjs (see write-bundle.ts): every
// command class by id, so a run never makes oclif look for and import command files, and oclif's
// own `run` does the rest (flags, help, hooks, errors, exit codes) exactly as on the unbundled path.
import { Plugin, flush, run, type Command } from '@oclif/core'
import AuthCommand from '../../../commands/auth.js'
import BackupCommand from '../../../commands/backup.js'
import BatchCommand from '../../../commands/batch.js'
import CompletionCommand from '../../../commands/completion.js'
import InfoCommand from '../../../commands/info.js'
import MigrateCommand from '../../../commands/migrate.js'
import RestoreCommand from '../../../commands/restore.js'
import ScheduleCommand from '../../../commands/schedule.js'
import SyncCommand from '../../../commands/sync.js'
import WorkerCommand from '../../../commands/worker.js'

export { describeFailure } from '../failure.js'

/** Every command, by the id oclif gives it (its file name under commands/). */
export const COMMANDS: Readonly<Record<string, Command.Class>> = {
  auth: AuthCommand,
  backup: BackupCommand,
  batch: BatchCommand,
  completion: CompletionCommand,
  info: InfoCommand,
  migrate: MigrateCommand,
  restore: RestoreCommand,
  schedule: ScheduleCommand,
  sync: SyncCommand,
  worker: WorkerCommand,
}

/**
 * `mailsync ARGV` for the package at `root`. The root plugin still reads package.json and
 * oclif.manifest.json (flags, help texts, topics); only loading a command's class is answered
 * from COMMANDS instead of importing dist/commands/ID.js. A command missing from the table would
 * still load from its file.
 */
export async function runCli(argv: string[], root: string): Promise<void> {
  const plugin = new Plugin({ isRoot: true, root })
  await plugin.load()
  for (const cached of plugin.commands) {
    const Class = COMMANDS[cached.id]
    // What oclif's Plugin.findCommand sets on a class it has loaded.
    if (Class) cached.load = async () => Object.assign(Class, { id: cached.id, plugin })
  }
  await run(argv, { root, plugins: new Map([[plugin.name, plugin]]) })
  await flush()
}

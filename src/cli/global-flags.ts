// Flags every mailsync command accepts (oclif "baseFlags"), and the plain options they become.
import { Flags, type Interfaces } from '@oclif/core'

export const DEBUG_TYPES = ['imap', 'maildir', 'sync', 'all'] as const
export type DebugType = (typeof DEBUG_TYPES)[number]

export const globalFlags = {
  config: Flags.string({ char: 'c', helpValue: 'FILE', description: 'Config file to read (default: $XDG_CONFIG_HOME/mailsync/config, then ~/.mailsyncrc).', helpGroup: 'GLOBAL' }),
  debug: Flags.boolean({ description: 'Show stack traces of internal errors.', helpGroup: 'GLOBAL' }),
  'debug-types': Flags.option({ char: 'd', options: DEBUG_TYPES, multiple: true, multipleNonGreedy: true, delimiter: ',', description: 'Debug logging for these parts (comma-separated).', helpGroup: 'GLOBAL' })(),
  quiet: Flags.boolean({ char: 'q', description: 'Print only errors.', exclusive: ['verbose'], helpGroup: 'GLOBAL' }),
  verbose: Flags.boolean({ char: 'v', description: 'Print more: plans, skipped and created folders.', helpGroup: 'GLOBAL' }),
  json: Flags.boolean({ description: 'Print the engine events as JSON, one object per line, on stdout.', helpGroup: 'GLOBAL' }),
  logfile: Flags.string({ helpValue: 'FILE', description: 'Also append a timestamped log of the run to FILE.', helpGroup: 'GLOBAL' }),
}

export type GlobalFlagValues = Interfaces.InferredFlags<typeof globalFlags>

export interface GlobalOptions {
  configFile?: string
  debug: boolean
  debugTypes: DebugType[]
  quiet: boolean
  verbose: boolean
  json: boolean
  logfile?: string
}

export function globalOptions(flags: Partial<GlobalFlagValues>): GlobalOptions {
  return {
    configFile: flags.config,
    debug: flags.debug ?? false,
    debugTypes: flags['debug-types'] ?? [],
    quiet: flags.quiet ?? false,
    verbose: flags.verbose ?? false,
    json: flags.json ?? false,
    logfile: flags.logfile,
  }
}

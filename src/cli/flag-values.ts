// Parsers for flag values that oclif does not know (dates), and shared flag definitions.
import { Flags, type Interfaces } from '@oclif/core'
import { parseDay } from '../config/values.js'

/** `YYYY-MM-DD` (midnight UTC) or a full ISO 8601 date-time. */
export function parseDateFlag(text: string): Date {
  const t = text.trim()
  const date = /^\d{4}-\d{2}-\d{2}T/.test(t) ? new Date(t) : parseDay(t)
  if (!date || Number.isNaN(date.getTime())) {
    throw new Error(`"${text}" is not a date; write YYYY-MM-DD (e.g. 2024-01-31)`)
  }
  return date
}

export const dateFlag = Flags.custom<Date>({ helpValue: 'YYYY-MM-DD', parse: async (input) => parseDateFlag(input) })

export const jobFlags = {
  folder: Flags.string({ char: 'f', multiple: true, multipleNonGreedy: true, helpValue: 'FOLDER', description: 'Only this folder (repeatable; the name as on either side).' }),
  'dry-run': Flags.boolean({ char: 'n', default: false, description: 'Show what would be done; change nothing.' }),
  'max-delete': Flags.integer({ min: 0, helpValue: 'N', description: 'Refuse to delete more than N messages in one folder (default: 25% of a folder with more than 20 messages).' }),
  force: Flags.boolean({ default: false, description: 'Go on even when the deletion guard would stop.' }),
  wait: Flags.boolean({ default: false, description: 'When another mailsync run is working on the account, wait for it to end instead of stopping (a cron run beside a watcher).' }),
}

/** The JobRequest fields that `jobFlags` set. */
export function jobFlagOptions(flags: Interfaces.InferredFlags<typeof jobFlags>): { folders?: string[]; dryRun: boolean; maxDelete?: number; force: boolean; waitForLock: boolean } {
  return { folders: flags.folder, dryRun: flags['dry-run'], maxDelete: flags['max-delete'], force: flags.force, waitForLock: flags.wait }
}

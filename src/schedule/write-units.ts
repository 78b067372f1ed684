// Writes the units of `mailsync schedule` into a directory (default: the systemd user unit
// directory) and says what to type next; an existing file with other content is not overwritten
// unless asked.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { MailsyncError } from '../errors.js'
import type { UnitFile } from './units.js'

export function userUnitDir(env: NodeJS.ProcessEnv, home: string): string {
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'systemd', 'user')
}

export function writeUnits(dir: string, files: UnitFile[], force: boolean): string[] {
  mkdirSync(dir, { recursive: true })
  for (const f of files) {
    const path = join(dir, f.name)
    if (!force && existsSync(path) && readFileSync(path, 'utf8') !== f.text) {
      throw new MailsyncError('usage', `${path} exists with other content: nothing written`, { hint: 'look at it, then run again with --force to replace it' })
    }
  }
  return files.map((f) => {
    const path = join(dir, f.name)
    writeFileSync(path, f.text)
    return path
  })
}

/** The commands that start what was written. */
export function nextSteps(files: UnitFile[]): string[] {
  const start = files.find((f) => f.name.endsWith('.timer')) ?? files[0]!
  return ['systemctl --user daemon-reload', `systemctl --user enable --now ${start.name}`, `loginctl enable-linger $USER   # so it runs while you are logged out`]
}

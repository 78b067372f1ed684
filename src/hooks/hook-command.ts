// What a hook option holds: a shell command (OfflineIMAP's presynchook / postsynchook), or, for
// newmail_hook, which OfflineIMAP takes as a Python function, the usual
// `lambda: os.system("command")` form, whose command is run the same way. Other Python is refused.
import { MailsyncError } from '../errors.js'

export function hookCommand(option: string, value: string | undefined): string | undefined {
  const v = value?.trim()
  if (!v) return undefined
  if (!/^lambda\b/.test(v)) return v
  const m = /^lambda\s*:\s*os\.system\(\s*(['"])(.*)\1\s*\)$/s.exec(v)
  if (m) return m[2]!.replace(/\\(["'\\])/g, '$1')
  throw new MailsyncError('config', `${option} = ${v}: mailsync runs no Python`, {
    hint: `write the shell command itself (${option} = notmuch new), or lambda: os.system("command")`,
  })
}

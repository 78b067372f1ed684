// The folder list and folder management: LIST and LSUB with SPECIAL-USE attributes on every
// response ("Gmail IMAP Extensions": special-use attributes need no ENABLE, the `[Gmail]`
// parent is \Noselect), STATUS, and CREATE, DELETE, RENAME of labels (a label is a folder:
// deleting it takes the label off its messages, which stay in All Mail).
import type { Folder, GmailAccount } from '../account.js'
import { listArg, stringArg, BadCommand, type ParsedCommand, type Token } from '../parse.js'
import type { Session } from '../session.js'
import { decodeName, mailboxName } from '../wire.js'
import type { Handler } from './types.js'

interface Entry { name: string; attributes: string[] }

function entries(account: GmailAccount): Entry[] {
  const names = account.folders.map((f) => f.name)
  const hasChildren = (n: string) => names.some((x) => x.startsWith(n + '/'))
  const out: Entry[] = account.folders.map((f) => ({
    name: f.name,
    attributes: [hasChildren(f.name) ? '\\HasChildren' : '\\HasNoChildren', ...(f.attribute ? [f.attribute] : [])],
  }))
  out.splice(1, 0, { name: account.root, attributes: ['\\HasChildren', '\\Noselect'] })
  return out
}

/** LIST's wildcards (RFC 3501 section 6.3.8): `*` anything, `%` anything but the separator. */
function matcher(reference: string, pattern: string): (name: string) => boolean {
  const full = reference + pattern
  const source = '^' + full.split('').map((c) => (c === '*' ? '.*' : c === '%' ? '[^/]*' : c.replace(/[.?+^$()[\]{}|\\]/g, '\\$&'))).join('') + '$'
  const re = new RegExp(source)
  // INBOX is the one case-insensitive name
  const inbox = new RegExp(source, 'i')
  return (name) => (name === 'INBOX' ? inbox : re).test(name)
}

function list(s: Session, cmd: ParsedCommand, lsub: boolean): void {
  const reference = decodeName(stringArg(cmd.args[0], 'a reference', 'latin1'))
  const pattern = decodeName(stringArg(cmd.args[1], 'a pattern', 'latin1'))
  const verb = lsub ? 'LSUB' : 'LIST'
  if (pattern === '') {
    s.send(`* ${verb} (\\Noselect) "/" ""`)
    return s.tagged(cmd.tag, 'OK', 'Success')
  }
  const match = matcher(reference, pattern)
  for (const e of entries(s.account!)) {
    if (!match(e.name)) continue
    if (lsub && !(s.account!.folder(e.name)?.subscribed ?? true)) continue
    s.send(`* ${verb} (${e.attributes.join(' ')}) "/" ${mailboxName(e.name)}`)
  }
  s.tagged(cmd.tag, 'OK', 'Success')
}

/** The folder a command names, or a tagged NO. */
export function namedFolder(s: Session, tag: string, arg: Token | undefined): Folder | undefined {
  const name = decodeName(stringArg(arg, 'a folder name', 'latin1'))
  const f = s.account!.folder(name)
  if (!f) s.tagged(tag, 'NO', `[NONEXISTENT] Unknown Mailbox: ${name} (Failure)`)
  return f
}

export function statusItems(s: Session, f: Folder, items: string[]): string {
  const members = s.account!.members(f)
  const values: Record<string, number> = {
    MESSAGES: members.length,
    RECENT: 0,
    UIDNEXT: f.uidNext,
    UIDVALIDITY: f.uidValidity,
    UNSEEN: members.filter(({ m }) => !m.flags.has('\\Seen')).length,
  }
  return items.map((i) => {
    if (!(i in values)) throw new BadCommand(`unknown STATUS item ${i}`)
    return `${i} ${values[i]}`
  }).join(' ')
}

const labelName = (s: Session, arg: Token | undefined) => decodeName(stringArg(arg, 'a folder name', 'latin1')).replace(/\/+$/, '')

export const mailboxHandlers: Record<string, Handler> = {
  LIST: { state: 'auth', run: (s, cmd) => list(s, cmd, false) },
  LSUB: { state: 'auth', run: (s, cmd) => list(s, cmd, true) },
  STATUS: {
    state: 'auth',
    run(s, cmd) {
      const f = namedFolder(s, cmd.tag, cmd.args[0])
      if (!f) return
      const items = listArg(cmd.args[1], 'status items').map((t) => stringArg(t, 'a status item').toUpperCase())
      s.send(`* STATUS ${mailboxName(f.name)} (${statusItems(s, f, items)})`)
      s.done(cmd)
    },
  },
  CREATE: {
    state: 'auth',
    run(s, cmd) {
      const name = labelName(s, cmd.args[0])
      if (s.account!.folder(name)) return s.tagged(cmd.tag, 'NO', '[ALREADYEXISTS] Duplicate folder name (Failure)')
      if (!s.account!.isUserLabelName(name)) return s.tagged(cmd.tag, 'NO', '[CANNOT] Invalid folder name (Failure)')
      s.account!.createLabel(name)
      s.done(cmd)
    },
  },
  DELETE: {
    state: 'auth',
    run(s, cmd) {
      const name = labelName(s, cmd.args[0])
      const f = s.account!.folder(name)
      if (!f) return s.tagged(cmd.tag, 'NO', `[NONEXISTENT] Unknown Mailbox: ${name} (Failure)`)
      if (typeof f.view !== 'object') return s.tagged(cmd.tag, 'NO', '[CANNOT] System folders cannot be deleted (Failure)')
      s.account!.deleteLabel(name)
      s.done(cmd)
    },
  },
  RENAME: {
    state: 'auth',
    run(s, cmd) {
      const from = labelName(s, cmd.args[0])
      const to = labelName(s, cmd.args[1])
      const f = s.account!.folder(from)
      if (!f) return s.tagged(cmd.tag, 'NO', `[NONEXISTENT] Unknown Mailbox: ${from} (Failure)`)
      if (typeof f.view !== 'object') return s.tagged(cmd.tag, 'NO', '[CANNOT] System folders cannot be renamed (Failure)')
      if (s.account!.folder(to)) return s.tagged(cmd.tag, 'NO', '[ALREADYEXISTS] Duplicate folder name (Failure)')
      if (!s.account!.isUserLabelName(to)) return s.tagged(cmd.tag, 'NO', '[CANNOT] Invalid folder name (Failure)')
      s.account!.renameLabel(from, to)
      s.done(cmd)
    },
  },
  SUBSCRIBE: {
    state: 'auth',
    run(s, cmd) {
      const f = namedFolder(s, cmd.tag, cmd.args[0])
      if (!f) return
      f.subscribed = true
      s.done(cmd)
    },
  },
  UNSUBSCRIBE: {
    state: 'auth',
    run(s, cmd) {
      const f = namedFolder(s, cmd.tag, cmd.args[0])
      if (!f) return
      f.subscribed = false
      s.done(cmd)
    },
  },
}

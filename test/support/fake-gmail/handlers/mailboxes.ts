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

/**
 * LIST, also in its extended form (RFC 5258, with LIST-STATUS, RFC 5819), as Gmail offers it:
 * `LIST [(selection)] reference pattern(s) [RETURN (options)]`. Gmail sends its SPECIAL-USE and
 * child attributes whatever was asked; RETURN (SUBSCRIBED) adds \Subscribed, RETURN (STATUS
 * (...)) a STATUS response after each selectable folder's LIST.
 */
function list(s: Session, cmd: ParsedCommand, lsub: boolean): void {
  const args = [...cmd.args]
  const words = (t: Token | undefined) => listArg(t, 'options').map((x) => stringArg(x, 'an option').toUpperCase())
  const selection = !lsub && args[0]?.kind === 'list' ? words(args.shift()) : []
  const reference = decodeName(stringArg(args[0], 'a reference', 'latin1'))
  const patterns = (args[1]?.kind === 'list' && !lsub ? args[1].items : [args[1]]).map((t) => decodeName(stringArg(t, 'a pattern', 'latin1')))
  const returns: string[] = []
  let statusItemsAsked: string[] | undefined
  if (args[2]) {
    if (lsub || args[2].kind !== 'atom' || args[2].value.toUpperCase() !== 'RETURN' || args[3]?.kind !== 'list' || args.length > 4) throw new BadCommand('bad LIST arguments')
    const opts = args[3].items
    for (let i = 0; i < opts.length; i++) {
      const o = stringArg(opts[i], 'a return option').toUpperCase()
      if (o === 'STATUS') statusItemsAsked = words(opts[++i])
      else returns.push(o)
    }
  }
  for (const o of selection) if (!['SUBSCRIBED', 'SPECIAL-USE', 'RECURSIVEMATCH', 'REMOTE'].includes(o)) throw new BadCommand(`unknown LIST selection option ${o}`)
  for (const o of returns) if (!['SUBSCRIBED', 'CHILDREN', 'SPECIAL-USE'].includes(o)) throw new BadCommand(`unknown LIST return option ${o}`)
  const verb = lsub ? 'LSUB' : 'LIST'
  if (patterns.length === 1 && patterns[0] === '') {
    s.send(`* ${verb} (\\Noselect) "/" ""`)
    return s.tagged(cmd.tag, 'OK', 'Success')
  }
  const matches = patterns.map((p) => matcher(reference, p))
  const onlySubscribed = lsub || selection.includes('SUBSCRIBED')
  const tellSubscribed = selection.includes('SUBSCRIBED') || returns.includes('SUBSCRIBED')
  for (const e of entries(s.account!)) {
    if (!matches.some((m) => m(e.name))) continue
    const f = s.account!.folder(e.name)
    const subscribed = f?.subscribed ?? true
    if (onlySubscribed && !subscribed) continue
    if (selection.includes('SPECIAL-USE') && !f?.attribute) continue
    const attributes = [...e.attributes, ...(tellSubscribed && subscribed ? ['\\Subscribed'] : [])]
    s.send(`* ${verb} (${attributes.join(' ')}) "/" ${mailboxName(e.name)}`)
    if (statusItemsAsked && f) s.send(`* STATUS ${mailboxName(f.name)} (${statusItems(s, f, statusItemsAsked)})`)
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
    ...(s.ctx.condstore ? { HIGHESTMODSEQ: s.account!.modseq } : {}),
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

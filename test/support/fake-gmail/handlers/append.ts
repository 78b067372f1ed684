// APPEND (with APPENDUID, RFC 4315): the new message is one message of the account, placed by
// the folder it was appended to: a label's folder gives it that label (INBOX \Inbox, Sent Mail
// \Sent, Drafts \Draft), All Mail no label, Starred the \Flagged flag, Trash and Spam put it
// there. Its bytes are kept exactly as sent.
import type { Folder } from '../account.js'
import { VIEW_LABEL } from '../folders.js'
import { header, type Box } from '../message.js'
import { BadCommand, stringArg } from '../parse.js'
import { decodeName, parseDate } from '../wire.js'
import type { Handler } from './types.js'

function placement(f: Folder): { labels: string[]; box: Box; flags: string[] } {
  const v = f.view
  if (typeof v === 'object') return { labels: [v.label], box: 'all', flags: [] }
  if (v === 'trash' || v === 'spam') return { labels: [], box: v, flags: [] }
  if (v === 'starred') return { labels: [], box: 'all', flags: ['\\Flagged'] }
  return { labels: VIEW_LABEL[v] ? [VIEW_LABEL[v]!] : [], box: 'all', flags: [] }
}

export const appendHandlers: Record<string, Handler> = {
  APPEND: {
    state: 'auth',
    run(s, cmd) {
      const account = s.account!
      const name = decodeName(stringArg(cmd.args[0], 'a folder name', 'latin1'))
      const args = cmd.args.slice(1)
      const flags: string[] = []
      const first = args[0]
      if (first?.kind === 'list') {
        args.shift()
        for (const t of first.items) {
          if (t.kind !== 'atom') throw new BadCommand('expected flags')
          flags.push(t.value)
        }
      }
      let date: Date | undefined
      if (args.length === 2) {
        date = parseDate(stringArg(args.shift(), 'a date', 'latin1'))
        if (!date) throw new BadCommand('bad date-time')
      }
      const body = args[0]
      if (args.length !== 1 || body?.kind !== 'string') throw new BadCommand('expected the message as a literal')
      const f = account.folder(name)
      if (!f) return s.tagged(cmd.tag, 'NO', `[TRYCREATE] Folder doesn't exist. (Failure)`)
      if (body.value.length === 0) return s.tagged(cmd.tag, 'NO', 'Empty message (Failure)')
      const place = placement(f)
      if (account.appendReplacesSimilar) {
        const similar = (raw: Buffer) => `${header(raw, 'Message-ID') ?? ''}\n${header(raw, 'Date') ?? ''}`
        const key = similar(body.value)
        if (header(body.value, 'Message-ID') && header(body.value, 'Date')) for (const { m } of account.members(f)) if (similar(m.raw) === key) account.deleteForever(m)
      }
      const deleted = flags.some((x) => x.toLowerCase() === '\\deleted')
      const m = account.add({
        raw: body.value, labels: place.labels, box: place.box, internalDate: date ?? new Date(),
        flags: [...flags.filter((x) => x.toLowerCase() !== '\\deleted'), ...place.flags],
      })
      account.appends++
      const uid = f.uids.get(m.msgid)!
      if (deleted) f.deleted.add(uid)
      s.done(cmd, `[APPENDUID ${f.uidValidity} ${uid}] (Success)`)
    },
  },
}

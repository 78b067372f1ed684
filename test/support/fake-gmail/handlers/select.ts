// SELECT and EXAMINE of a folder (a view of the account, with its own UIDVALIDITY and UIDs),
// CLOSE (which expunges, RFC 3501 section 6.4.2, with Gmail's meaning: see expunge.ts) and
// UNSELECT (RFC 3691, which does not).
import { BadCommand, stringArg, type ParsedCommand } from '../parse.js'
import type { Session } from '../session.js'
import { decodeName } from '../wire.js'
import { expungeMarked } from './expunge.js'
import type { Handler } from './types.js'

const SYSTEM_FLAGS = ['\\Answered', '\\Flagged', '\\Draft', '\\Deleted', '\\Seen']

function open(s: Session, cmd: ParsedCommand, readOnly: boolean): void {
  s.selected = undefined // a failed SELECT leaves no folder selected
  const name = decodeName(stringArg(cmd.args[0], 'a folder name', 'latin1'))
  const f = s.account!.folder(name)
  if (!f) return s.tagged(cmd.tag, 'NO', `[NONEXISTENT] Unknown Mailbox: ${name} (now in authenticated state) (Failure)`)
  const params = cmd.args[1]?.kind === 'list' ? cmd.args[1].items.map((t) => (t.kind === 'atom' ? t.value.toUpperCase() : '')) : []
  if (params.includes('CONDSTORE') && s.ctx.condstore) s.condstore = true
  else if (params.length) throw new BadCommand(`unknown SELECT parameter ${params[0]}`)
  const sel = s.select(f, readOnly)
  const keywords = new Set<string>()
  for (const { m } of s.account!.members(f)) for (const k of m.flags) if (!k.startsWith('\\')) keywords.add(k)
  const flags = [...SYSTEM_FLAGS, '$NotPhishing', '$Phishing', ...[...keywords].filter((k) => k !== '$NotPhishing' && k !== '$Phishing').sort()]
  s.send(`* FLAGS (${flags.join(' ')})`)
  s.send(`* OK [PERMANENTFLAGS (${readOnly ? '' : [...flags, '\\*'].join(' ')})] Flags permitted.`)
  s.send(`* OK [UIDVALIDITY ${f.uidValidity}] UIDs valid.`)
  s.send(`* ${sel.uids.length} EXISTS`)
  s.send('* 0 RECENT')
  s.send(`* OK [UIDNEXT ${f.uidNext}] Predicted next UID.`)
  if (s.ctx.condstore) s.send(`* OK [HIGHESTMODSEQ ${s.account!.modseq}]`)
  s.tagged(cmd.tag, 'OK', `[${readOnly ? 'READ-ONLY' : 'READ-WRITE'}] ${name} selected. (Success)`)
}

export const selectHandlers: Record<string, Handler> = {
  SELECT: { state: 'auth', run: (s, cmd) => open(s, cmd, false) },
  EXAMINE: { state: 'auth', run: (s, cmd) => open(s, cmd, true) },
  CLOSE: {
    state: 'selected',
    run(s, cmd) {
      if (!s.selected!.readOnly) expungeMarked(s, undefined, false)
      s.selected = undefined
      s.tagged(cmd.tag, 'OK', 'Returned to authenticated state. (Success)')
    },
  },
  UNSELECT: {
    state: 'selected',
    run(s, cmd) {
      s.selected = undefined
      s.tagged(cmd.tag, 'OK', 'Returned to authenticated state. (Success)')
    },
  },
}

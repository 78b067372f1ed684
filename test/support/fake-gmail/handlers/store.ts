// STORE and UID STORE of flags and of Gmail labels ("Gmail IMAP Extensions": STORE with
// X-GM-LABELS, +X-GM-LABELS, -X-GM-LABELS, optionally .SILENT, sets, adds or removes labels; a
// label added makes the message show in that label's folder, a label removed takes it out).
// \Flagged is the star: setting it puts the message in Starred. \Deleted is kept per folder.
import { normalizeLabel } from '../account.js'
import { BadCommand, stringArg, type ParsedCommand } from '../parse.js'
import type { Session } from '../session.js'
import { decodeName } from '../wire.js'
import { compactSet } from '../sequence-set.js'
import { expungeMarked } from './expunge.js'
import { targets } from './targets.js'
import type { Handler } from './types.js'

const ITEM = /^([+-]?)(FLAGS|X-GM-LABELS)(\.SILENT)?$/i

function store(s: Session, cmd: ParsedCommand, byUid: boolean): void {
  const sel = s.selected!
  if (sel.readOnly) return s.tagged(cmd.tag, 'NO', 'Folder is read-only (Failure)')
  // UNCHANGEDSINCE (RFC 7162 section 3.1.3): messages changed since are left alone and named in MODIFIED
  let unchangedSince: number | undefined
  const args = [...cmd.args]
  if (args[1]?.kind === 'list') {
    const [name, value] = args[1].items
    if (!s.ctx.condstore || name?.kind !== 'atom' || name.value.toUpperCase() !== 'UNCHANGEDSINCE' || value?.kind !== 'atom' || !/^\d+$/.test(value.value)) {
      throw new BadCommand('only the UNCHANGEDSINCE modifier is known')
    }
    unchangedSince = Number(value.value)
    s.condstore = true
    args.splice(1, 1)
  }
  if (args.length > 3) throw new BadCommand('too many arguments')
  const item = ITEM.exec(args[1]?.kind === 'atom' ? args[1].value : '')
  if (!item) throw new BadCommand('expected FLAGS or X-GM-LABELS')
  const [, op, what, silent] = item as unknown as [string, '' | '+' | '-', string, string | undefined]
  const valueToken = args[2]
  const values = (valueToken?.kind === 'list' ? valueToken.items : valueToken ? [valueToken] : []).map((t) => stringArg(t, 'a flag or label', 'latin1'))
  const labels = what.toUpperCase() === 'X-GM-LABELS'
  const account = s.account!
  const modified: number[] = []
  for (const t of targets(s, args[0], byUid)) {
    if (unchangedSince !== undefined && t.m.modseq > unchangedSince) {
      modified.push(byUid ? t.uid : t.seq)
      continue
    }
    if (labels) {
      const names = values.map((v) => (v.startsWith('\\') ? normalizeLabel(v) : decodeName(v)))
      if (op === '+') account.addLabels(t.m, names)
      else if (op === '-') account.removeLabels(t.m, names)
      else account.setLabels(t.m, names)
    } else {
      const deleted = values.some((v) => v.toLowerCase() === '\\deleted')
      const others = values.filter((v) => v.toLowerCase() !== '\\deleted' && v.toLowerCase() !== '\\recent')
      const flags = new Set(t.m.flags)
      if (op === '') flags.clear()
      for (const f of others) {
        if (op === '-') flags.delete(f)
        else flags.add(f)
      }
      const markDeleted = op === '' ? deleted : deleted ? op === '+' : undefined
      if (markDeleted === true) sel.folder.deleted.add(t.uid)
      else if (markDeleted === false) sel.folder.deleted.delete(t.uid)
      account.setFlags(t.m, flags)
    }
    if (silent) {
      if (!labels) sel.told.set(t.uid, s.flagText(sel.folder, t.uid))
      continue
    }
    const uid = byUid ? `UID ${t.uid} ` : ''
    if (labels) s.send(`* ${t.seq} FETCH (${uid}${s.labelsItem(t.m)}${s.modseqItem(t.uid)})`)
    else {
      const now = s.flagText(sel.folder, t.uid)
      sel.told.set(t.uid, now)
      s.send(`* ${t.seq} FETCH (${uid}FLAGS (${now})${s.modseqItem(t.uid)})`)
    }
  }
  if (account.autoExpunge) expungeMarked(s, undefined, false)
  s.done(cmd, modified.length ? `[MODIFIED ${compactSet(modified)}] Conditional STORE failed (Failure)` : 'Success')
}

export const storeHandlers: Record<string, Handler> = {
  STORE: { state: 'selected', run: (s, cmd) => store(s, cmd, false) },
  'UID STORE': { state: 'selected', run: (s, cmd) => store(s, cmd, true) },
}

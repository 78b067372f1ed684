// FETCH and UID FETCH: the usual items, and Gmail's X-GM-MSGID, X-GM-THRID and X-GM-LABELS
// ("Gmail IMAP Extensions": the ids are unsigned 64-bit decimals; X-GM-LABELS lists system
// labels as `\Inbox`, `\Sent`, `\Draft`, `\Important` and user labels as mailbox names, in
// modified UTF-7). Bodies are the stored bytes exactly; a BODY[] fetch without PEEK sets \Seen.
import type { StoredMessage } from '../message.js'
import { bodyText, headerBlock, headerLines } from '../message.js'
import { BadCommand, type ParsedCommand, type Token } from '../parse.js'
import type { Session } from '../session.js'
import { envelope } from '../envelope.js'
import { imapString, internalDate, type Part } from '../wire.js'
import { targets } from './targets.js'
import type { Handler } from './types.js'

const MACROS: Record<string, string[]> = {
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  FULL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
}

const SIMPLE = new Set(['UID', 'MODSEQ', 'FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'X-GM-MSGID', 'X-GM-THRID', 'X-GM-LABELS', 'RFC822', 'RFC822.HEADER', 'RFC822.TEXT'])

/** `BODY[section]<start.length>`, `BODY.PEEK[...]`. */
const BODY_ITEM = /^BODY(\.PEEK)?\[([^\]]*)\](?:<(\d+)(?:\.(\d+))?>)?$/i

function itemNames(t: Token | undefined): string[] {
  const atoms = t?.kind === 'list' ? t.items : t ? [t] : []
  const names = atoms.map((a) => {
    if (a.kind !== 'atom') throw new BadCommand('expected fetch items')
    return a.value
  })
  if (names.length === 1 && MACROS[names[0]!.toUpperCase()]) return MACROS[names[0]!.toUpperCase()]!
  for (const n of names) if (!SIMPLE.has(n.toUpperCase()) && !BODY_ITEM.test(n)) throw new BadCommand(`unknown fetch item ${n}`)
  return names
}

/** The bytes of a section (RFC 3501 section 6.4.5) of a single-part view of the message. */
function section(m: StoredMessage, spec: string): Buffer | undefined {
  const upper = spec.toUpperCase()
  if (upper === '') return m.raw
  if (upper === 'HEADER') return headerBlock(m.raw)
  if (upper === 'TEXT' || upper === '1') return bodyText(m.raw)
  const fields = /^HEADER\.FIELDS(\.NOT)? \(([^)]*)\)$/.exec(upper)
  if (fields) return headerLines(m.raw, fields[2]!.trim().split(/\s+/).filter(Boolean), !!fields[1])
  return undefined
}

function respond(s: Session, t: { seq: number; uid: number; m: StoredMessage }, names: string[], byUid: boolean): void {
  const { folder, readOnly } = s.selected!
  const out: Part[][] = []
  const wanted = names.map((n) => n.toUpperCase())
  if (byUid && !wanted.includes('UID')) out.push([`UID ${t.uid}`])
  let setsSeen = false
  for (const [i, name] of names.entries()) {
    const upper = wanted[i]!
    switch (upper) {
      case 'UID': out.push([`UID ${t.uid}`]); continue
      case 'MODSEQ': out.push([`MODSEQ (${t.m.modseq})`]); continue
      case 'FLAGS': out.push([`FLAGS (${s.flagText(folder, t.uid)})`]); continue
      case 'INTERNALDATE': out.push([`INTERNALDATE "${internalDate(t.m.internalDate)}"`]); continue
      case 'RFC822.SIZE': out.push([`RFC822.SIZE ${t.m.raw.length}`]); continue
      case 'ENVELOPE': out.push(['ENVELOPE ', ...envelope(t.m.raw)]); continue
      case 'X-GM-MSGID': out.push([`X-GM-MSGID ${t.m.msgid}`]); continue
      case 'X-GM-THRID': out.push([`X-GM-THRID ${t.m.thrid}`]); continue
      case 'X-GM-LABELS': out.push([s.labelsItem(t.m)]); continue
      case 'RFC822': setsSeen = true; out.push(['RFC822 ', ...imapString(t.m.raw)]); continue
      case 'RFC822.HEADER': out.push(['RFC822.HEADER ', ...imapString(headerBlock(t.m.raw))]); continue
      case 'RFC822.TEXT': setsSeen = true; out.push(['RFC822.TEXT ', ...imapString(bodyText(t.m.raw))]); continue
    }
    const b = BODY_ITEM.exec(name)!
    let data = section(t.m, b[2]!)
    if (!b[1]) setsSeen = true
    let label = `BODY[${b[2]!.toUpperCase()}]`
    if (data && b[3] !== undefined) {
      const start = Number(b[3])
      data = data.subarray(start, b[4] === undefined ? undefined : start + Number(b[4]))
      label += `<${start}>`
    }
    out.push([label + ' ', ...(data ? imapString(data) : ['NIL'])])
  }
  if (setsSeen && !readOnly && !t.m.flags.has('\\Seen')) {
    t.m.flags.add('\\Seen')
    if (!wanted.includes('FLAGS')) out.push([`FLAGS (${s.flagText(folder, t.uid)})`])
  }
  s.selected!.told.set(t.uid, s.flagText(folder, t.uid))
  const line: Part[] = [`* ${t.seq} FETCH (`]
  out.forEach((p, i) => line.push(...(i ? [' ', ...p] : p)))
  line.push(')')
  s.send(...line)
}

function fetch(s: Session, cmd: ParsedCommand, byUid: boolean): void {
  const names = itemNames(cmd.args[1])
  const since = changedSince(s, cmd)
  if (since !== undefined || names.some((n) => n.toUpperCase() === 'MODSEQ')) s.condstore = true
  if (since !== undefined && !names.some((n) => n.toUpperCase() === 'MODSEQ')) names.push('MODSEQ')
  const list = targets(s, cmd.args[0], byUid).filter((t) => since === undefined || t.m.modseq > since)
  const seen: StoredMessage[] = []
  for (const t of list) {
    const before = t.m.flags.has('\\Seen')
    respond(s, t, names, byUid)
    if (!before && t.m.flags.has('\\Seen')) seen.push(t.m)
  }
  // \Seen set by a body fetch: other sessions hear of it
  if (seen.length) s.account!.changed(seen)
  s.done(cmd)
}

/** The CHANGEDSINCE modifier (RFC 7162 section 3.1.4), the only one there is without QRESYNC. */
function changedSince(s: Session, cmd: ParsedCommand): number | undefined {
  const mods = cmd.args[2]
  if (!mods) return undefined
  if (cmd.args.length > 3 || mods.kind !== 'list' || !s.ctx.condstore) throw new BadCommand('bad FETCH modifiers')
  const [name, value, ...rest] = mods.items
  if (name?.kind !== 'atom' || name.value.toUpperCase() !== 'CHANGEDSINCE' || value?.kind !== 'atom' || !/^\d+$/.test(value.value)) {
    throw new BadCommand('only CHANGEDSINCE is known (no QRESYNC, so no VANISHED)')
  }
  if (rest.length) throw new BadCommand('only CHANGEDSINCE is known (no QRESYNC, so no VANISHED)')
  return Number(value.value)
}

export const fetchHandlers: Record<string, Handler> = {
  FETCH: { state: 'selected', run: (s, cmd) => fetch(s, cmd, false) },
  'UID FETCH': { state: 'selected', run: (s, cmd) => fetch(s, cmd, true) },
}

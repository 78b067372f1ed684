// SEARCH and UID SEARCH over the selected folder: RFC 3501's keys that clients send (flags,
// UID and sequence sets, HEADER, FROM/TO/SUBJECT/BODY/TEXT, dates, sizes, NOT, OR), plus Gmail's
// X-GM-MSGID, X-GM-THRID and X-GM-RAW ("Gmail IMAP Extensions").
import { header } from '../message.js'
import { gmailRaw } from '../gmail-raw.js'
import { BadCommand, stringArg, type ParsedCommand, type Token } from '../parse.js'
import { resolveSet } from '../sequence-set.js'
import type { Session } from '../session.js'
import { parseDate } from '../wire.js'
import type { Target } from './targets.js'
import type { Handler } from './types.js'

type Test = (t: Target) => boolean

const SET = /^(\d+|\*)(:(\d+|\*))?(,(\d+|\*)(:(\d+|\*))?)*$/

const FLAG_KEYS: Record<string, [string, boolean]> = {
  ANSWERED: ['\\Answered', true], UNANSWERED: ['\\Answered', false], FLAGGED: ['\\Flagged', true], UNFLAGGED: ['\\Flagged', false],
  SEEN: ['\\Seen', true], UNSEEN: ['\\Seen', false], DRAFT: ['\\Draft', true], UNDRAFT: ['\\Draft', false],
}

class Keys {
  private at = 0
  /** A MODSEQ key was used: the answer then names the highest MODSEQ of the hits (RFC 7162 section 3.1.5). */
  usedModseq = false
  constructor(private readonly tokens: Token[], private readonly s: Session) {}

  get done(): boolean {
    return this.at >= this.tokens.length
  }

  private str(what: string): string {
    return stringArg(this.tokens[this.at++], what)
  }

  private date(): Date {
    const d = parseDate(this.str('a date'))
    if (!d) throw new BadCommand('bad date')
    return d
  }

  key(): Test {
    const t = this.tokens[this.at++]
    if (!t) throw new BadCommand('search key missing')
    if (t.kind === 'list') {
      const inner = new Keys(t.items, this.s)
      const all: Test[] = []
      while (!inner.done) all.push(inner.key())
      this.usedModseq ||= inner.usedModseq
      return (x) => all.every((k) => k(x))
    }
    if (t.kind !== 'atom') throw new BadCommand('expected a search key')
    const k = t.value.toUpperCase()
    const sel = this.s.selected!
    if (SET.test(k)) {
      const seqs = new Set(resolveSet(k, sel.uids.map((_, i) => i + 1)))
      return (x) => seqs.has(x.seq)
    }
    if (FLAG_KEYS[k]) {
      const [flag, want] = FLAG_KEYS[k]!
      return (x) => x.m.flags.has(flag) === want
    }
    const text = (name: string) => {
      const v = this.str('a string').toLowerCase()
      return (x: Target) => (header(x.m.raw, name) ?? '').toLowerCase().includes(v)
    }
    switch (k) {
      case 'ALL': return () => true
      case 'NEW': case 'RECENT': return () => false
      case 'OLD': return () => true
      case 'DELETED': return (x) => sel.folder.deleted.has(x.uid)
      case 'UNDELETED': return (x) => !sel.folder.deleted.has(x.uid)
      case 'KEYWORD': { const f = this.str('a keyword'); return (x) => x.m.flags.has(f) }
      case 'UNKEYWORD': { const f = this.str('a keyword'); return (x) => !x.m.flags.has(f) }
      case 'FROM': case 'TO': case 'CC': case 'BCC': case 'SUBJECT': return text(k)
      case 'HEADER': {
        const name = this.str('a header name')
        const v = this.str('a string').toLowerCase()
        return (x) => { const h = header(x.m.raw, name); return h !== undefined && h.toLowerCase().includes(v) }
      }
      case 'BODY': case 'TEXT': {
        const v = this.str('a string').toLowerCase()
        return (x) => x.m.raw.toString('utf8').toLowerCase().includes(v)
      }
      case 'LARGER': { const n = Number(this.str('a size')); return (x) => x.m.raw.length > n }
      case 'SMALLER': { const n = Number(this.str('a size')); return (x) => x.m.raw.length < n }
      case 'BEFORE': case 'ON': case 'SINCE': {
        const day = this.date().getTime()
        const end = day + 86_400_000
        return (x) => {
          const t = x.m.internalDate.getTime()
          return k === 'BEFORE' ? t < day : k === 'SINCE' ? t >= day : t >= day && t < end
        }
      }
      case 'UID': {
        const uids = new Set(resolveSet(this.str('a UID set'), sel.uids))
        return (x) => uids.has(x.uid)
      }
      case 'NOT': { const inner = this.key(); return (x) => !inner(x) }
      case 'OR': { const a = this.key(); const b = this.key(); return (x) => a(x) || b(x) }
      case 'MODSEQ': {
        const n = Number(this.str('a MODSEQ'))
        this.s.condstore = true
        this.usedModseq = true
        return (x) => x.m.modseq >= n
      }
      case 'X-GM-MSGID': { const id = this.str('an X-GM-MSGID'); return (x) => x.m.msgid === id }
      case 'X-GM-THRID': { const id = this.str('an X-GM-THRID'); return (x) => x.m.thrid === id }
      case 'X-GM-RAW': { const test = gmailRaw(this.str('a Gmail search')); return (x) => test(x.m) }
      default: throw new BadCommand(`unknown search key ${k}`)
    }
  }
}

function search(s: Session, cmd: ParsedCommand, byUid: boolean): void {
  let tokens = cmd.args
  if (tokens[0]?.kind === 'atom' && tokens[0].value.toUpperCase() === 'CHARSET') {
    const charset = stringArg(tokens[1], 'a charset').toUpperCase()
    if (charset !== 'UTF-8' && charset !== 'US-ASCII') return s.tagged(cmd.tag, 'NO', '[BADCHARSET (UTF-8 US-ASCII)] Unsupported charset (Failure)')
    tokens = tokens.slice(2)
  }
  const keys = new Keys(tokens, s)
  const all: Test[] = []
  while (!keys.done) all.push(keys.key())
  if (!all.length) throw new BadCommand('search keys missing')
  const sel = s.selected!
  const hits: number[] = []
  let highest = 0
  sel.uids.forEach((uid, i) => {
    const m = s.account!.get(sel.folder.byUid.get(uid) ?? '')
    if (!m) return
    const t = { seq: i + 1, uid, m }
    if (all.every((k) => k(t))) {
      hits.push(byUid ? uid : i + 1)
      highest = Math.max(highest, m.modseq)
    }
  })
  const modseq = keys.usedModseq && hits.length ? ` (MODSEQ ${highest})` : ''
  s.send(`* SEARCH${hits.map((n) => ' ' + n).join('')}${modseq}`)
  s.done(cmd)
}

export const searchHandlers: Record<string, Handler> = {
  SEARCH: { state: 'selected', run: (s, cmd) => search(s, cmd, false) },
  'UID SEARCH': { state: 'selected', run: (s, cmd) => search(s, cmd, true) },
}

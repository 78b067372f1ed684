// COPY and MOVE (RFC 6851), by UID or sequence number, with COPYUID (RFC 4315). On Gmail a copy
// is no second message: copying into a label's folder adds the label (same X-GM-MSGID), into
// Trash or Spam moves the message there (its labels go), out of Trash or Spam into another folder
// brings it back to All Mail. A move also takes the source folder's label off (a label swap
// between two label folders); a move out of All Mail removes nothing, as All Mail holds every
// message not in Trash or Spam.
import type { Folder } from '../account.js'
import { stringArg, type ParsedCommand } from '../parse.js'
import { compactSet } from '../sequence-set.js'
import type { Session } from '../session.js'
import { decodeName } from '../wire.js'
import { targets } from './targets.js'
import type { Handler } from './types.js'

function copy(s: Session, cmd: ParsedCommand, byUid: boolean, move: boolean): void {
  const sel = s.selected!
  if (move && sel.readOnly) return s.tagged(cmd.tag, 'NO', 'Folder is read-only (Failure)')
  const name = decodeName(stringArg(cmd.args[1], 'a folder name', 'latin1'))
  const account = s.account!
  const dest: Folder | undefined = account.folder(name)
  if (!dest) return s.tagged(cmd.tag, 'NO', `[TRYCREATE] Folder doesn't exist. (Failure)`)
  const from: number[] = []
  const to: number[] = []
  for (const t of targets(s, cmd.args[0], byUid)) {
    if (dest !== sel.folder) account.putInto(dest, t.m)
    if (move && dest !== sel.folder) account.takeOutOf(sel.folder, t.m)
    const uid = dest.uids.get(t.m.msgid)
    if (uid === undefined) continue
    from.push(t.uid)
    to.push(uid)
  }
  const code = from.length ? `[COPYUID ${dest.uidValidity} ${compactSet(from)} ${compactSet(to)}] ` : ''
  if (!move) return s.done(cmd, `${code}(Success)`)
  // RFC 6851: COPYUID comes untagged, before the EXPUNGEs of the messages moved
  if (code) s.send(`* OK ${code.trim()}`)
  s.done(cmd, '(Success)')
}

export const copyMoveHandlers: Record<string, Handler> = {
  COPY: { state: 'selected', run: (s, cmd) => copy(s, cmd, false, false) },
  'UID COPY': { state: 'selected', run: (s, cmd) => copy(s, cmd, true, false) },
  MOVE: { state: 'selected', run: (s, cmd) => copy(s, cmd, false, true) },
  'UID MOVE': { state: 'selected', run: (s, cmd) => copy(s, cmd, true, true) },
}

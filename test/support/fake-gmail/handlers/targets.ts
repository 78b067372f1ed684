// The messages of the selected folder a command names, by sequence number or UID, as the
// client knows them (a message the account lost since is skipped: its EXPUNGE is still due).
import type { StoredMessage } from '../message.js'
import { atomArg, type Token } from '../parse.js'
import { resolveSet } from '../sequence-set.js'
import type { Session } from '../session.js'

export interface Target {
  seq: number
  uid: number
  m: StoredMessage
}

export function targets(s: Session, setToken: Token | undefined, byUid: boolean): Target[] {
  const sel = s.selected!
  const set = atomArg(setToken, 'a sequence set')
  const numbers = byUid ? resolveSet(set, sel.uids) : resolveSet(set, sel.uids.map((_, i) => i + 1))
  const seqOf = byUid ? new Map(sel.uids.map((u, i) => [u, i + 1])) : undefined
  const out: Target[] = []
  for (const n of numbers) {
    const seq = seqOf ? seqOf.get(n)! : n
    const uid = sel.uids[seq - 1]!
    const m = s.account!.get(sel.folder.byUid.get(uid) ?? '')
    if (m) out.push({ seq, uid, m })
  }
  return out
}

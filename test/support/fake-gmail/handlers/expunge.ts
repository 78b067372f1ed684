// EXPUNGE and UID EXPUNGE (RFC 4315) with Gmail's meaning (Gmail Help, "IMAP folders"; the
// IMAP setting "When a message is marked as deleted and expunged from the last visible IMAP
// folder"): in a label's folder or INBOX only that label goes; in All Mail the message goes to
// Trash (the default; or is archived, or deleted for ever, as the account is set); in Trash or
// Spam it is deleted for ever. See GmailAccount.expungeIn.
import { resolveSet } from '../sequence-set.js'
import { atomArg } from '../parse.js'
import type { Session } from '../session.js'
import type { Handler } from './types.js'

/** Expunges the messages marked \Deleted in the selected folder (only those in `uids`, when given). */
export function expungeMarked(s: Session, uids: number[] | undefined, tell: boolean): void {
  const { folder } = s.selected!
  const account = s.account!
  const only = uids && new Set(uids)
  const marked = [...folder.deleted].filter((u) => !only || only.has(u)).sort((a, b) => a - b)
  for (const uid of marked) {
    const m = account.get(folder.byUid.get(uid) ?? '')
    folder.deleted.delete(uid)
    if (m) account.expungeIn(folder, m)
  }
  if (tell) s.catchUp(true)
}

export const expungeHandlers: Record<string, Handler> = {
  EXPUNGE: {
    state: 'selected',
    run(s, cmd) {
      if (s.selected!.readOnly) return s.tagged(cmd.tag, 'NO', 'Folder is read-only (Failure)')
      expungeMarked(s, undefined, true)
      s.done(cmd)
    },
  },
  'UID EXPUNGE': {
    state: 'selected',
    run(s, cmd) {
      if (s.selected!.readOnly) return s.tagged(cmd.tag, 'NO', 'Folder is read-only (Failure)')
      const uids = resolveSet(atomArg(cmd.args[0], 'a UID set'), s.selected!.uids)
      expungeMarked(s, uids, true)
      s.done(cmd)
    },
  },
}

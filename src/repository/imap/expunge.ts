// Removing exactly the given UIDs, never another message that happens to carry \Deleted.
import type { ImapFlow } from 'imapflow'
import { MailsyncError } from '../../errors.js'
import { searchUids } from './message-search.js'
import { store } from './flags.js'
import { compressUids, sortedUids, uidSetChunks } from './uid-set.js'

/** With UIDPLUS: `UID STORE +FLAGS.SILENT (\Deleted)` then `UID EXPUNGE` of exactly those UIDs. */
export async function expungeUids(client: ImapFlow, uids: number[], uidPlus: boolean): Promise<void> {
  const targets = sortedUids(uids)
  if (targets.length === 0) return
  if (!uidPlus) return expungeWithoutUidPlus(client, targets)
  for (const range of uidSetChunks(targets)) {
    await store(client, range, ['\\Deleted'], 'add')
    if (!(await client.messageDelete(range, { uid: true }))) {
      throw new MailsyncError('server', `UID EXPUNGE ${range} in ${mailboxPath(client)} failed`)
    }
  }
}

/**
 * Without UIDPLUS only a plain EXPUNGE exists, which removes every \Deleted message. Other
 * messages' \Deleted flag is taken away for the moment of the EXPUNGE and put back right after
 * (also when the EXPUNGE fails). A crash in between leaves those messages without \Deleted:
 * they are kept, nothing is lost. A message flagged \Deleted by someone else in the instant
 * between our check and the EXPUNGE would go; the check is repeated to keep that window small.
 */
async function expungeWithoutUidPlus(client: ImapFlow, targets: number[]): Promise<void> {
  const mine = new Set(targets)
  const others = new Set<number>()
  try {
    for (const range of uidSetChunks(targets)) await store(client, range, ['\\Deleted'], 'add')
    for (let attempt = 0; ; attempt++) {
      const foreign = (await searchUids(client, { deleted: true })).filter((u) => !mine.has(u) && !others.has(u))
      if (foreign.length === 0) break
      if (attempt >= 3) throw new MailsyncError('server', `other clients keep flagging messages \\Deleted in ${mailboxPath(client)}; not expunging`)
      for (const u of foreign) others.add(u)
      for (const range of uidSetChunks(foreign)) await store(client, range, ['\\Deleted'], 'remove')
    }
    // messageDelete without UIDPLUS: STORE on our UIDs (already set) and a plain EXPUNGE.
    if (!(await client.messageDelete(compressUids(targets.slice(0, 1)), { uid: true }))) {
      throw new MailsyncError('server', `EXPUNGE in ${mailboxPath(client)} failed`)
    }
  } finally {
    if (others.size) {
      for (const range of uidSetChunks([...others])) await store(client, range, ['\\Deleted'], 'add')
    }
  }
}

function mailboxPath(client: ImapFlow): string {
  return client.mailbox ? client.mailbox.path : '?'
}

// UID STORE +X-GM-LABELS / -X-GM-LABELS in bounded UID sets (imapflow spells user labels in
// modified UTF-7 as it does mailbox names; system labels go as they are).
import type { ImapFlow } from 'imapflow'
import { MailsyncError } from '../../errors.js'
import { uidSetChunks } from '../imap/uid-set.js'
import { storeChanges, type StoreItem } from '../imap/flags.js'
import { normalizeLabels } from './labels.js'

const LABELS: StoreItem = { item: 'X-GM-LABELS', options: { uid: true, useLabels: true }, refused: 'the server refused the command' }

export async function storeLabels(client: ImapFlow, uids: number[], add: string[], remove: string[]): Promise<void> {
  await storeChanges(client, uids, normalizeLabels(add), normalizeLabels(remove), LABELS)
}

/** UID MOVE of exactly these UIDs to `target` (Gmail: a real delete is a move to Trash). */
export async function moveUids(client: ImapFlow, uids: number[], target: string): Promise<void> {
  for (const range of uidSetChunks(uids)) {
    const res = await client.messageMove(range, target, { uid: true })
    if (!res) throw new MailsyncError('server', `UID MOVE ${range} to ${target} failed`)
  }
}

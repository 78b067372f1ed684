// UID STORE +X-GM-LABELS / -X-GM-LABELS in bounded UID sets (imapflow spells user labels in
// modified UTF-7 as it does mailbox names; system labels go as they are).
import type { ImapFlow } from 'imapflow'
import { MailsyncError } from '../../errors.js'
import { uidSetChunks } from '../imap/uid-set.js'
import { normalizeLabels } from './labels.js'

export async function storeLabels(client: ImapFlow, uids: number[], add: string[], remove: string[]): Promise<void> {
  const plus = normalizeLabels(add)
  const minus = normalizeLabels(remove)
  if (uids.length === 0 || (plus.length === 0 && minus.length === 0)) return
  for (const range of uidSetChunks(uids)) {
    if (plus.length) await storeOne(client, range, plus, 'add')
    if (minus.length) await storeOne(client, range, minus, 'remove')
  }
}

async function storeOne(client: ImapFlow, range: string, labels: string[], op: 'add' | 'remove'): Promise<void> {
  const options = { uid: true, useLabels: true }
  const ok = op === 'add' ? await client.messageFlagsAdd(range, labels, options) : await client.messageFlagsRemove(range, labels, options)
  if (!ok) {
    const where = client.mailbox ? client.mailbox.path : '?'
    throw new MailsyncError('server', `UID STORE ${op === 'add' ? '+' : '-'}X-GM-LABELS (${labels.join(' ')}) in ${where} failed (the server refused the command)`)
  }
}

/** UID MOVE of exactly these UIDs to `target` (Gmail: a real delete is a move to Trash). */
export async function moveUids(client: ImapFlow, uids: number[], target: string): Promise<void> {
  for (const range of uidSetChunks(uids)) {
    const res = await client.messageMove(range, target, { uid: true })
    if (!res) throw new MailsyncError('server', `UID MOVE ${range} to ${target} failed`)
  }
}

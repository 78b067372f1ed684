// UID STORE +FLAGS.SILENT / -FLAGS.SILENT in compressed, bounded UID sets; the same for another
// item a kind built on IMAP stores (Gmail's X-GM-LABELS).
import type { ImapFlow } from 'imapflow'
import { MailsyncError } from '../../errors.js'
import { normalizeFlags } from '../types.js'
import { uidSetChunks } from './uid-set.js'

export async function storeFlags(client: ImapFlow, uids: number[], add: string[], remove: string[]): Promise<void> {
  await storeChanges(client, uids, normalizeFlags(add), normalizeFlags(remove), FLAGS)
}

/** What a UID STORE changes: the message's flags, or (Gmail) its labels. */
export interface StoreItem {
  /** For the error message: `FLAGS`, `X-GM-LABELS`. */
  item: string
  /** imapflow's options for it. */
  options: { uid: true; silent?: boolean; useLabels?: boolean }
  /** Why the server may have refused, for the error message. */
  refused: string
}

const FLAGS: StoreItem = { item: 'FLAGS', options: { uid: true, silent: true }, refused: 'the server refused the command or does not accept these flags' }

/** UID STORE +item (plus) and -item (minus) on `uids`, in compressed, bounded UID sets. */
export async function storeChanges(client: ImapFlow, uids: number[], plus: string[], minus: string[], what: StoreItem): Promise<void> {
  if (uids.length === 0 || (plus.length === 0 && minus.length === 0)) return
  for (const range of uidSetChunks(uids)) {
    if (plus.length) await storeRange(client, range, plus, 'add', what)
    if (minus.length) await storeRange(client, range, minus, 'remove', what)
  }
}

export function store(client: ImapFlow, range: string, flags: string[], op: 'add' | 'remove'): Promise<void> {
  return storeRange(client, range, flags, op, FLAGS)
}

async function storeRange(client: ImapFlow, range: string, values: string[], op: 'add' | 'remove', what: StoreItem): Promise<void> {
  const ok = op === 'add' ? await client.messageFlagsAdd(range, values, what.options) : await client.messageFlagsRemove(range, values, what.options)
  if (!ok) {
    const where = client.mailbox ? client.mailbox.path : '?'
    throw new MailsyncError('server', `UID STORE ${op === 'add' ? '+' : '-'}${what.item} (${values.join(' ')}) in ${where} failed (${what.refused})`)
  }
}

// UID STORE +FLAGS.SILENT / -FLAGS.SILENT in compressed, bounded UID sets.
import type { ImapFlow } from 'imapflow'
import { MailsyncError } from '../../errors.js'
import { normalizeFlags } from '../types.js'
import { uidSetChunks } from './uid-set.js'

export async function storeFlags(client: ImapFlow, uids: number[], add: string[], remove: string[]): Promise<void> {
  const plus = normalizeFlags(add)
  const minus = normalizeFlags(remove)
  if (uids.length === 0 || (plus.length === 0 && minus.length === 0)) return
  for (const range of uidSetChunks(uids)) {
    if (plus.length) await store(client, range, plus, 'add')
    if (minus.length) await store(client, range, minus, 'remove')
  }
}

export async function store(client: ImapFlow, range: string, flags: string[], op: 'add' | 'remove'): Promise<void> {
  const options = { uid: true, silent: true }
  const ok = op === 'add' ? await client.messageFlagsAdd(range, flags, options) : await client.messageFlagsRemove(range, flags, options)
  if (!ok) {
    const where = client.mailbox ? client.mailbox.path : '?'
    throw new MailsyncError('server', `UID STORE ${op === 'add' ? '+' : '-'}FLAGS (${flags.join(' ')}) in ${where} failed (the server refused the command or does not accept these flags)`)
  }
}

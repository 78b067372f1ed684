// The "delta" between two re-runs, made on the server over IMAP: `newMessages` messages appended
// (rendered by the corpus generator with a round-specific seed, so every round adds different
// mail) and `flagChanges` messages whose \Flagged flag is toggled.
import { ImapFlow } from 'imapflow'
import { generateCorpus, renderMessage } from '../test/support/corpus.js'
import { SeededRandom } from '../test/support/seeded-random.js'
import type { ImapEndpoint } from './peer-configs.js'

export async function changeServer(e: ImapEndpoint, round: number, newMessages: number, flagChanges: number): Promise<void> {
  const c = new ImapFlow({ host: '127.0.0.1', port: e.port, secure: false, doSTARTTLS: false, auth: { user: e.user, pass: e.password }, logger: false })
  await c.connect()
  try {
    const existing = new Set((await c.list()).filter((f) => !f.flags.has('\\Noselect') && !f.flags.has('\\NonExistent')).map((f) => f.path))
    const extra = generateCorpus({ seed: 90_000 + round, messages: newMessages, maxSize: 64 * 1024 })
    for (const m of extra.messages) {
      const folder = existing.has(m.folder) ? m.folder : 'INBOX'
      await c.append(folder, renderMessage(m), [...m.flags, ...m.keywords], m.internalDate)
    }
    const rng = new SeededRandom(70_000 + round)
    const folders = [...existing].sort()
    let left = flagChanges
    while (left > 0) {
      const folder = folders[rng.int(0, folders.length - 1)]!
      const lock = await c.getMailboxLock(folder)
      try {
        const mb = c.mailbox
        const total = mb && typeof mb === 'object' ? mb.exists : 0
        if (!total) continue
        const take = Math.min(left, 10)
        const seqs = new Set<number>()
        while (seqs.size < Math.min(take, total)) seqs.add(rng.int(1, total))
        for (const seq of seqs) {
          const msg = await c.fetchOne(String(seq), { flags: true })
          if (!msg) continue
          if (msg.flags?.has('\\Flagged')) await c.messageFlagsRemove(String(seq), ['\\Flagged'])
          else await c.messageFlagsAdd(String(seq), ['\\Flagged'])
          left--
        }
      } finally {
        lock.release()
      }
    }
  } finally {
    await c.logout()
  }
}

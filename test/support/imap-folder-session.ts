// An IMAP repository on a test Dovecot with its protocol log captured, a folder session on it,
// and reading appended messages back: for the tests of what an APPEND stores.
import { TEST_PASSWORD, type DovecotInstance } from './dovecot.js'
import { ImapRepository } from '../../src/repository/imap/imap-repository.js'
import type { AppendOutcome, FolderSession } from '../../src/repository/types.js'
import type { TlsMode } from '../../src/repository/imap/options.js'
import { bodyBytes } from './message-body.js'

export interface Transport {
  tls?: TlsMode
  compression?: boolean
}

export function loggedRepo(d: DovecotInstance, user: string, lines: string[], t: Transport = {}): ImapRepository {
  const mode = t.tls ?? 'none'
  return new ImapRepository({
    name: 'r', host: d.host, port: mode === 'implicit' ? d.tlsPort : d.port, user, password: TEST_PASSWORD,
    tls: { mode, ca: d.certPem }, compression: t.compression ?? false, logger: (l) => lines.push(l),
  })
}

/** Opens `folder` of `user` (created first, unless INBOX) and runs `fn` with the session and the protocol log. */
export async function inFolder(
  d: DovecotInstance, user: string, folder: string, fn: (s: FolderSession, lines: string[]) => Promise<void>, t: Transport = {},
): Promise<void> {
  const lines: string[] = []
  const r = loggedRepo(d, user, lines, t)
  try {
    if (folder !== 'INBOX') await r.createFolder(folder)
    const s = await r.openFolder(folder)
    await fn(s, lines)
    await s.close()
  } finally {
    await r.close()
  }
}

/** Bytes, flags and INTERNALDATE of the messages the outcomes name, in their order. */
export async function readBack(s: FolderSession, outs: AppendOutcome[]): Promise<{ bytes: Buffer; flags: string[]; internalDate: number }[]> {
  const uids = outs.map((o) => ('uid' in o ? o.uid! : -1))
  const { messages: listed } = await s.list({ uids })
  const byUid = new Map(listed.map((m) => [m.uid, m]))
  const bodies = new Map<number, Buffer>()
  for await (const b of s.fetch(uids)) bodies.set(b.uid, await bodyBytes(b))
  return uids.map((u) => ({ bytes: bodies.get(u)!, flags: byUid.get(u)!.flags, internalDate: byUid.get(u)!.internalDate }))
}

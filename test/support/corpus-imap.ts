// Fills an IMAP account with a corpus: CREATE every folder (with the server's delimiter), then
// APPEND every message byte-exact with its flags, keywords and internal date, over up to
// `connections` parallel connections (one folder at a time per connection, so each folder's
// UIDs follow folderIndex on a fresh server).
import type { ConnectionOptions } from 'node:tls'
import { ImapFlow } from 'imapflow'
import type { Corpus, CorpusMessage } from './corpus.js'
import { renderMessage } from './corpus-render.js'

export interface FillImapOptions {
  host: string
  port: number
  user: string
  password: string
  /** Implicit TLS (e.g. the test Dovecot's tlsPort). Default false. */
  secure?: boolean
  /** Upgrade a plain connection with STARTTLS (default false: plain loopback is fastest). */
  doSTARTTLS?: boolean
  /** e.g. `{ ca: [d.certPem], servername: 'localhost' }` */
  tls?: ConnectionOptions
  /** Parallel connections (default 4). */
  connections?: number
  /** Called after each APPEND. */
  onProgress?: (done: number, total: number) => void
}

export interface FillImapResult {
  /** The server's hierarchy delimiter. */
  delimiter: string
  appended: number
  bytes: number
  elapsedMs: number
}

function client(o: FillImapOptions): ImapFlow {
  const c = new ImapFlow({
    host: o.host,
    port: o.port,
    secure: o.secure ?? false,
    doSTARTTLS: o.doSTARTTLS ?? false,
    ...(o.tls ? { tls: o.tls } : {}),
    auth: { user: o.user, pass: o.password },
    logger: false,
  })
  c.on('error', () => { /* surfaced by the failing command */ })
  return c
}

async function createFolders(c: ImapFlow, folders: readonly string[]): Promise<string> {
  const list = await c.list()
  const delimiter = list.find((f) => f.delimiter)?.delimiter ?? '/'
  // imapflow puts the personal namespace's prefix (Cyrus: `INBOX.`) before the names we give it
  const prefix = c.namespace?.prefix ?? ''
  const unprefixed = (p: string): string => (prefix && p.toUpperCase().startsWith(prefix.toUpperCase()) ? p.slice(prefix.length) : p)
  const existing = new Set(list.map((f) => unprefixed(f.path).split(delimiter).join('/').toLowerCase()))
  for (const name of folders) {
    if (name.toUpperCase() === 'INBOX' || existing.has(name.toLowerCase())) continue
    const parts = name.split('/')
    if (parts.some((p) => p.includes(delimiter))) throw new Error(`folder "${name}" contains the server's delimiter "${delimiter}"`)
    await c.mailboxCreate(parts)
  }
  return delimiter
}

export async function fillImap(corpus: Corpus, opts: FillImapOptions): Promise<FillImapResult> {
  const started = Date.now()
  const connections = opts.connections ?? 4
  if (!Number.isInteger(connections) || connections < 1) throw new Error(`connections must be a positive integer, got ${connections}`)
  const first = client(opts)
  await first.connect()
  let delimiter: string
  try {
    delimiter = await createFolders(first, corpus.folders)
  } finally {
    await first.logout().catch(() => first.close())
  }
  const groups = new Map<string, CorpusMessage[]>()
  for (const m of corpus.messages) {
    const g = groups.get(m.folder) ?? []
    g.push(m)
    groups.set(m.folder, g)
  }
  // Biggest folders first, so the last connection to finish is not the one holding INBOX.
  const queue = [...groups.entries()]
    .map(([folder, msgs]) => ({ folder, msgs: msgs.sort((a, b) => a.folderIndex - b.folderIndex), bytes: msgs.reduce((s, m) => s + m.size, 0) }))
    .sort((a, b) => b.bytes - a.bytes)
  const total = corpus.messages.length
  let done = 0
  let bytes = 0
  const worker = async (): Promise<void> => {
    const c = client(opts)
    await c.connect()
    try {
      for (let job = queue.shift(); job; job = queue.shift()) {
        const path = job.folder.split('/')
        for (const m of job.msgs) {
          const res = await c.append(path, renderMessage(m), [...m.flags, ...m.keywords], m.internalDate)
          if (!res) throw new Error(`APPEND of corpus message ${m.index} to "${job.folder}" failed`)
          done++
          bytes += m.size
          opts.onProgress?.(done, total)
        }
      }
    } finally {
      await c.logout().catch(() => c.close())
    }
  }
  await Promise.all(Array.from({ length: Math.min(connections, queue.length) }, worker))
  return { delimiter, appended: done, bytes, elapsedMs: Date.now() - started }
}

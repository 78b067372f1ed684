// Scenarios for the kill tests (issue 17), shared by test/integration/kill-matrix.test.ts,
// random-kills.test.ts and scripts/random-kills.mjs: fresh worlds (a Dovecot user or two, a
// Maildir, a config) filled with a small deterministic corpus, and their end state.
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync, readdirSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ImapFlow } from 'imapflow'
import { type DovecotInstance, TEST_PASSWORD } from './dovecot.js'
import { MaildirRepository } from '../../src/repository/maildir/maildir-repository.js'
import { ImapRepository } from '../../src/repository/imap/imap-repository.js'
import { loadConfig, accountsToSync } from '../../src/config/index.js'
import { runJob } from '../../src/jobs/run-job.js'
import { snapshot } from './store-snapshot.js'
import { imapRepository, maildirRepository, oneAccountConfig, plainServer } from './config-text.js'
import type { KillWorld } from './kill-matrix.js'
import { withImapClient } from './imap-client.js'


/** Users a Dovecot for these worlds needs (`n` worlds at most). */
export const killUsers = (n: number) => Array.from({ length: 2 * n }, (_, i) => `k${i}`)

/** What the worlds need of their IMAP server: a loopback port and users that log in with TEST_PASSWORD. */
export type KillServer = Pick<DovecotInstance, 'port' | 'users'>

let d: KillServer
let users: readonly string[] = []
let nextUser = 0
/** The server (a Dovecot, or a Cyrus with its alternative namespace, started with killUsers(n)) the worlds use. */
export function useDovecot(server: KillServer): void {
  d = server
  users = server.users
  nextUser = 0
}

export const msg = (id: string, lines = 1) =>
  Buffer.from(`From: t@example.org\r\nMessage-ID: <${id}@kill.test>\r\nSubject: ${id}\r\n\r\n${`body of ${id}\r\n`.repeat(lines)}`)
/** A message above the stream threshold of its source (IMAP 4 MiB, Maildir 1 MiB). */
export const big = (id: string, mib: number) =>
  Buffer.concat([msg(id), Buffer.from(`${'x'.repeat(78)}\r\n`.repeat(Math.ceil((mib * 1024 * 1024) / 80)))])
const FLAGS = [[], ['\\Seen'], ['\\Seen', '\\Flagged'], ['\\Answered'], ['$Label1']]

export interface W extends KillWorld { maildir: string; userA: string; userB?: string }

export function world(local: 'maildir' | 'imap'): W {
  const root = mkdtempSync(join(tmpdir(), 'mailsync-kill-'))
  const userA = users[nextUser++]!
  const userB = local === 'imap' ? users[nextUser++]! : undefined
  assert.ok(nextUser <= users.length, 'add test users')
  const maildir = join(root, 'local')
  const section = (name: string, user: string) => imapRepository(name, { server: plainServer(d), user, extra: 'maxconnections = 2\n' })
  const config = join(root, 'config')
  writeFileSync(config, oneAccountConfig({ metadata: join(root, 'state'), remote: section('R', userA), local: userB ? section('L', userB) : maildirRepository('L', maildir) }))
  return { root, config, maildir, userA, userB }
}

export function imap<T>(user: string, fn: (c: ImapFlow) => Promise<T>): Promise<T> {
  return withImapClient(d.port, user, fn)
}

export async function putImap(user: string, folder: string, ids: string[], extra: Buffer[] = []): Promise<void> {
  await imap(user, async (c) => {
    if (folder !== 'INBOX') await c.mailboxCreate(folder).catch(() => undefined)
    for (const [i, id] of ids.entries()) await c.append(folder, msg(id, 1 + (i % 3)), FLAGS[i % FLAGS.length], new Date(Date.UTC(2024, 0, 1 + i)))
    for (const m of extra) await c.append(folder, m, ['\\Seen'], new Date(Date.UTC(2024, 1, 1)))
  })
}

export async function putMaildir(root: string, folder: string, ids: string[], extra: Buffer[] = []): Promise<void> {
  const repo = new MaildirRepository({ name: 'x', root, createRoot: true })
  await repo.open()
  if (!(await repo.listFolders()).some((f) => f.name === folder)) await repo.createFolder(folder)
  const s = await repo.openFolder(folder)
  for (const [i, id] of ids.entries()) {
    const m = msg(id, 1 + (i % 3))
    await s.append({ content: m, size: m.length, flags: FLAGS[(i + 2) % FLAGS.length]!, internalDate: Date.UTC(2024, 2, 1 + i) })
  }
  for (const m of extra) await s.append({ content: m, size: m.length, flags: ['\\Seen'], internalDate: Date.UTC(2024, 3, 1) })
  await s.close()
  await repo.close()
}

export const ids = (p: string, n: number) => Array.from({ length: n }, (_, i) => `${p}${i}`)
export const imapRepo = (user: string) => new ImapRepository({ name: 'snap', host: '127.0.0.1', port: d.port, user, password: TEST_PASSWORD, tls: { mode: 'none' }, maxConnections: 1 })

/** Files left in any tmp/ of the Maildir: a normal run must have removed what killed runs left. */
export function tmpFiles(root: string): string[] {
  if (!existsSync(root)) return []
  const out: string[] = []
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue
      if (e.name === 'tmp') out.push(...readdirSync(join(dir, e.name)).map((f) => join(dir, e.name, f)))
      else if (!['cur', 'new'].includes(e.name)) walk(join(dir, e.name))
    }
  }
  walk(root)
  return out
}

export async function snap(repo: ImapRepository | MaildirRepository) {
  try {
    return await snapshot(repo)
  } finally {
    await repo.close()
  }
}

/** Both sides, by content and flags, and what is left in tmp/. */
export async function state(w: W) {
  const a = await snap(imapRepo(w.userA))
  const b = await snap(w.userB ? imapRepo(w.userB) : new MaildirRepository({ name: 'b', root: w.maildir, readOnly: true }))
  return { a, b, tmp: tmpFiles(w.maildir) }
}

export async function serverCorpus(user: string): Promise<void> {
  await putImap(user, 'INBOX', ids('in', 14), [big('big-imap', 4.5)])
  await putImap(user, 'Work', ids('wk', 6))
}


/** A scenario: the command to run and how to make a fresh world for it. */
export interface KillScenario { name: string; policy: string; make: () => Promise<W> }

export const SCENARIOS: KillScenario[] = [
  {
    name: 'backup', policy: 'backup',
    make: async () => {
      const w = world('maildir')
      await serverCorpus(w.userA)
      return w
    },
  },
  {
    name: 'restore', policy: 'restore',
    make: async () => {
      const w = world('maildir')
      await putMaildir(w.maildir, 'INBOX', ids('rs', 14), [big('big-md', 1.5)])
      await putMaildir(w.maildir, 'Work', ids('rw', 6))
      return w
    },
  },
  {
    name: 'migrate', policy: 'migrate',
    make: async () => {
      const w = world('imap')
      await serverCorpus(w.userA)
      return w
    },
  },
  {
    // both sides non-empty, 3 messages on both with different flags (adopted, flags merged)
    name: 'sync-first', policy: 'sync',
    make: async () => {
      const w = world('maildir')
      await putImap(w.userA, 'INBOX', [...ids('sh', 3), ...ids('sa', 9)])
      await putMaildir(w.maildir, 'INBOX', [...ids('sh', 3), ...ids('sb', 7)], [big('big-sync', 1.5)])
      await putMaildir(w.maildir, 'Local', ids('lo', 3))
      return w
    },
  },
  {
    // after a first sync: flags, deletions, new mail on both sides, Work recreated on the server (new UIDVALIDITY)
    name: 'sync-changes', policy: 'sync',
    make: changedSyncWorld,
  },
]

export async function changedSyncWorld(): Promise<W> {
  const w = world('maildir')
  await putImap(w.userA, 'INBOX', ids('ca', 10))
  await putImap(w.userA, 'Work', ids('cw', 5))
  await putMaildir(w.maildir, 'INBOX', ids('cb', 4))
  const config = await loadConfig({ path: w.config })
  const first = await runJob({ policy: 'sync', config, accounts: accountsToSync(config), dryRun: false }, () => undefined)
  assert.equal(first.exitCode, 0, JSON.stringify(first.errors))
  await imap(w.userA, async (c) => {
    const lock = await c.getMailboxLock('INBOX')
    try {
      await c.messageFlagsAdd('1:3', ['\\Flagged'], { uid: true })
      await c.messageFlagsRemove('4', ['\\Seen'], { uid: true })
      await c.messageDelete('5', { uid: true })
    } finally {
      lock.release()
    }
    await c.mailboxDelete('Work')
  })
  await putImap(w.userA, 'Work', [...ids('cw', 5), 'cw-new'])
  await putImap(w.userA, 'INBOX', ids('na', 3))
  const repo = new MaildirRepository({ name: 'x', root: w.maildir })
  await repo.open()
  const s = await repo.openFolder('INBOX')
  const byUid = (await s.list()).messages.sort((x, y) => x.uid - y.uid)
  await s.setFlags(byUid.slice(6, 9).map((m) => m.uid), ['\\Answered'], [])
  await s.delete([byUid[10]!.uid])
  await s.close()
  await repo.close()
  await putMaildir(w.maildir, 'INBOX', ids('nb', 3))
  return w
}

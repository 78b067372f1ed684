// The end-to-end scenarios that every IMAP server brand and capability list must pass, through
// the real CLI: backup (byte-exact, flags, dates), re-backup copies nothing, two-way sync with
// changes on both sides, restore to an empty account (twice), migrate both ways with verify.
// A server is anything with a host, a plain port and users sharing one password; the caller
// fills the source account and says how to compare what a server keeps (see `canonical`).
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ImapFlow } from 'imapflow'
import { ImapRepository } from '../../src/repository/imap/imap-repository.js'
import { MaildirRepository } from '../../src/repository/maildir/maildir-repository.js'
import { snapshot, normalizeNames, type Snapshot } from './store-snapshot.js'
import { BIN } from '../e2e/cli-child.js'
import { imapRepository, maildirRepository, plainServer } from './config-text.js'

/** What the scenarios need to know of a server. */
export interface ScenarioServer {
  host: string
  port: number
  password: string
}

export interface RunDone { counts: Record<string, number>; exitCode: number }

export interface CliRun { code: number | null; stdout: string; stderr: string; done?: RunDone }

/** Runs the CLI (`--json` added) and returns its exit code and run-done event. */
export function cli(args: string[]): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 })
  let done: RunDone | undefined
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue
    const e = JSON.parse(line)
    if (e.type === 'run-done') done = e
  }
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, done }
}

/** Asserts a clean run and returns its counts. */
export function ok(r: CliRun, what: string): Record<string, number> {
  assert.equal(r.code, 0, `${what}: exit ${r.code}\n${r.stderr}\n${r.stdout.split('\n').filter((l) => /error|fail|warn/i.test(l)).join('\n')}`)
  assert.ok(r.done, `${what}: no run-done event`)
  return r.done.counts
}

export const repoSection = (name: string, srv: ScenarioServer, user: string): string =>
  imapRepository(name, { server: plainServer(srv), user, password: srv.password, extra: 'maxconnections = 2\n' })

export function imapRepo(srv: ScenarioServer, user: string): ImapRepository {
  return new ImapRepository({ name: user, host: srv.host, port: srv.port, user, password: srv.password, tls: { mode: 'none' }, maxConnections: 1 })
}

/** Per folder, sorted (hash, flags[, date]) with separators as '/', empty folders left out. */
export async function snap(repo: ImapRepository | MaildirRepository, opts: { dates?: boolean } = {}): Promise<Snapshot> {
  try {
    const s = normalizeNames(await snapshot(repo, { dates: opts.dates ?? true }))
    // servers' empty auto-created special folders are not part of the mail
    return Object.fromEntries(Object.entries(s).filter(([, v]) => v.length > 0).sort(([a], [b]) => (a < b ? -1 : 1)))
  } finally {
    await repo.close()
  }
}

export const count = (s: Snapshot): number => Object.values(s).flat().length

export async function imapSession<T>(srv: ScenarioServer, user: string, fn: (c: ImapFlow) => Promise<T>): Promise<T> {
  const c = new ImapFlow({ host: srv.host, port: srv.port, secure: false, doSTARTTLS: false, auth: { user, pass: srv.password }, logger: false })
  c.on('error', () => { /* surfaced by the failing command */ })
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.logout().catch(() => c.close())
  }
}

export const scenarioMessage = (id: string): Buffer =>
  Buffer.from(`From: scenario@example.org\r\nTo: you@example.org\r\nMessage-ID: <${id}@scenario.test>\r\nSubject: ${id}\r\nDate: Tue, 02 Jan 2024 10:00:00 +0000\r\n\r\nbody of ${id}\r\n`)

/** Files of a Maildir folder (cur and new) as [path, bytes]. */
function maildirFiles(folderDir: string): [string, string][] {
  const out: [string, string][] = []
  for (const sub of ['cur', 'new']) {
    for (const f of readdirSync(join(folderDir, sub))) out.push([join(folderDir, sub, f), readFileSync(join(folderDir, sub, f), 'latin1')])
  }
  return out
}

const messageId = (text: string): string | undefined => /^Message-ID:\s*(<[^>\r\n]+>)/im.exec(text.split(/\r?\n\r?\n/)[0] ?? '')?.[1]

/** The INBOX Message-IDs a server holds that are unique in INBOX, by UID (at least four). */
async function distinctInboxIds(srv: ScenarioServer, user: string): Promise<Map<string, { uid: number; flagged: boolean }>> {
  return imapSession(srv, user, async (c) => {
    const lock = await c.getMailboxLock('INBOX')
    try {
      const seen = new Map<string, { uid: number; flagged: boolean }[]>()
      for await (const m of c.fetch('1:*', { uid: true, envelope: true, flags: true })) {
        const id = m.envelope?.messageId
        if (id) seen.set(id, [...(seen.get(id) ?? []), { uid: m.uid, flagged: !!m.flags?.has('\\Flagged') }])
      }
      return new Map([...seen].filter(([, u]) => u.length === 1).map(([id, u]) => [id, u[0]!]))
    } finally {
      lock.release()
    }
  })
}

export interface SyncFigures { before: number; after: number; counts: Record<string, number> }

/**
 * Two-way sync of `user` with a Maildir at `local`: a first sync, then on each side one new
 * message, one flag change and one deletion (all on different messages), a sync that must carry
 * exactly those, both sides equal, and a third sync that changes nothing.
 */
export async function syncScenario(o: { srv: ScenarioServer; user: string; config: string; local: string; account: string }): Promise<SyncFigures> {
  const first = ok(cli(['sync', '-c', o.config, o.account]), 'first sync')
  const initial = await snap(imapRepo(o.srv, o.user))
  assert.equal(first.copiedAtoB, count(initial), 'first sync downloads everything')
  assert.deepEqual(await snap(new MaildirRepository({ name: 'l', root: o.local })), initial, 'first sync: Maildir equals server')

  const ids = [...(await distinctInboxIds(o.srv, o.user))]
  assert.ok(ids.length >= 4, 'INBOX holds four messages with distinct Message-IDs')
  type Pick = [string, { uid: number; flagged: boolean }]
  const [[flagOnServer, flagMsg], [delOnServer, delMsg], [flagLocally], [delLocally]] = ids as [Pick, Pick, Pick, Pick]
  await imapSession(o.srv, o.user, async (c) => {
    await c.append('INBOX', scenarioMessage('new-on-server'), ['\\Seen'])
    const lock = await c.getMailboxLock('INBOX')
    try {
      // toggle \Flagged
      if (flagMsg.flagged) await c.messageFlagsRemove(String(flagMsg.uid), ['\\Flagged'], { uid: true })
      else await c.messageFlagsAdd(String(flagMsg.uid), ['\\Flagged'], { uid: true })
      await c.messageDelete(String(delMsg.uid), { uid: true })
    } finally {
      lock.release()
    }
  })
  const inbox = join(o.local, 'INBOX')
  writeFileSync(join(inbox, 'new', '1700000000.M1P1.scenario'), scenarioMessage('new-locally').toString('latin1').replace(/\r\n/g, '\n'), 'latin1')
  let flagged = false
  let deleted = false
  for (const [path, text] of maildirFiles(inbox)) {
    const id = messageId(text)
    if (id === flagLocally) {
      // toggle \Seen: add it when absent, remove it when present
      const m = /^(.*:2,)([A-Za-z]*)$/.exec(path)!
      const letters = m[2]!.includes('S') ? m[2]!.replace('S', '') : [...m[2]!, 'S'].sort().join('')
      renameSync(path, join(inbox, 'cur', (m[1] + letters).split('/').pop()!))
      flagged = true
    } else if (id === delLocally) {
      unlinkSync(path)
      deleted = true
    }
  }
  assert.ok(flagged && deleted, `local changes made (${flagOnServer} ${delOnServer} ${flagLocally} ${delLocally})`)

  const counts = ok(cli(['sync', '-c', o.config, o.account]), 'sync after changes')
  assert.deepEqual(
    [counts.copiedAtoB, counts.copiedBtoA, counts.flagsAtoB, counts.flagsBtoA, counts.deletedA, counts.deletedB],
    [1, 1, 1, 1, 1, 1],
    `one of each change carried: ${JSON.stringify(counts)}`)
  const server = await snap(imapRepo(o.srv, o.user), { dates: false })
  const local = await snap(new MaildirRepository({ name: 'l', root: o.local }), { dates: false })
  assert.deepEqual(local, server, 'both sides equal after the sync')
  assert.equal(count(server), count(initial), 'two new, two deleted, no duplicate')
  const third = ok(cli(['sync', '-c', o.config, o.account]), 'third sync')
  const changes = ['copiedAtoB', 'copiedBtoA', 'flagsAtoB', 'flagsBtoA', 'deletedA', 'deletedB'].reduce((n, k) => n + (third[k] ?? 0), 0)
  assert.equal(changes, 0, `a sync after a sync changes nothing: ${JSON.stringify(third)}`)
  assert.deepEqual(await snap(imapRepo(o.srv, o.user), { dates: false }), server)
  return { before: count(initial), after: count(server), counts }
}

/** A config with account `arch` (`src` -> Maildir `backup`), account `two` (`sync` <-> Maildir `local`), and more sections. */
export function scenarioConfig(o: { dir: string; name: string; backup: string; local: string; sections: string[] }): string {
  const file = join(o.dir, `${o.name}.conf`)
  writeFileSync(file, `[general]\nmetadata = ${join(o.dir, `state-${o.name}`)}\n\n[Account arch]\nremoterepository = src\nlocalrepository = backup\n\n[Account two]\nremoterepository = sync\nlocalrepository = local\n\n${maildirRepository('backup', o.backup)}\n${maildirRepository('local', o.local)}\n${o.sections.join('\n')}`)
  return file
}

/** Backup of account `arch` twice: the first copies every message as the source holds it, the second nothing. */
export async function backupScenario(o: { srv: ScenarioServer; user: string; config: string; backup: string }): Promise<Snapshot> {
  const source = await snap(imapRepo(o.srv, o.user))
  const first = ok(cli(['backup', '-c', o.config, 'arch']), 'backup')
  assert.equal(first.copiedAtoB, count(source), 'backup copies every message')
  assert.deepEqual(await snap(new MaildirRepository({ name: 'b', root: o.backup })), source, 'backup holds the same bytes, flags and dates')
  const again = ok(cli(['backup', '-c', o.config, 'arch']), 'second backup')
  assert.equal(again.copiedAtoB, 0, 'a second backup copies nothing')
  return source
}

/** Restore of Maildir repository `backup` into repository `to` (an empty account) twice. */
export async function restoreScenario(o: { srv: ScenarioServer; user: string; repo: string; config: string; expected: Snapshot }): Promise<void> {
  const first = ok(cli(['restore', '-c', o.config, 'backup', o.repo]), 'restore')
  assert.equal(first.copiedBtoA, count(o.expected), 'restore copies every message')
  assert.deepEqual(await snap(imapRepo(o.srv, o.user)), o.expected, 'restored account holds the same bytes, flags and dates')
  const again = ok(cli(['restore', '-c', o.config, 'backup', o.repo]), 'second restore')
  assert.equal(again.copiedBtoA, 0, 'a second restore copies nothing')
  assert.deepEqual(await snap(imapRepo(o.srv, o.user)), o.expected, 'no duplicate after the second restore')
}

/** Migrate repository `from` to `to` (an empty account) with verify, then again: nothing copied. */
export async function migrateScenario(o: {
  config: string; from: string; to: string; source: () => Promise<Snapshot>; target: () => Promise<Snapshot>
}): Promise<number> {
  const source = await o.source()
  const first = ok(cli(['migrate', '-c', o.config, o.from, o.to]), `migrate ${o.from} -> ${o.to}`)
  assert.equal(first.copiedAtoB, count(source), 'migrate copies every message')
  assert.equal(first.verified, count(source), 'every copy verified')
  assert.deepEqual(await o.target(), source, `${o.to} holds what ${o.from} holds`)
  const again = ok(cli(['migrate', '-c', o.config, o.from, o.to]), `second migrate ${o.from} -> ${o.to}`)
  assert.equal(again.copiedAtoB, 0, 'a second migrate copies nothing')
  assert.deepEqual(await o.target(), source, 'no duplicate after the second migrate')
  return count(source)
}

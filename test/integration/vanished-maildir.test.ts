// The mass-deletion guard against a real Dovecot: a local Maildir folder whose directory was
// removed, a Maildir root that is missing or empty (an unmounted disk), and a folder whose files
// were all removed never make `sync` delete the server's mail (OfflineIMAP's infamous failure).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync, rmSync, readdirSync, renameSync, mkdirSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { ImapFlow } from 'imapflow'
import { startDovecot, type DovecotInstance, TEST_PASSWORD } from '../support/dovecot.js'
import { ImapRepository } from '../../src/repository/imap/imap-repository.js'
import { MaildirRepository } from '../../src/repository/maildir/maildir-repository.js'
import { snapshot } from '../support/store-snapshot.js'
import { BIN } from '../e2e/cli-child.js'
import { imapRepository, plainServer, maildirRepository, oneAccountConfig } from '../support/config-text.js'

let srv: DovecotInstance
let dir: string

before(async () => {
  srv = await startDovecot({ users: ['gone1', 'gone2', 'gone3'] })
  dir = mkdtempSync(join(tmpdir(), 'mailsync-vanished-'))
})
after(async () => {
  await srv?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const msg = (id: string) => Buffer.from(`From: t@example.org\r\nMessage-ID: <${id}@test>\r\nSubject: ${id}\r\n\r\nbody of ${id}\r\n`)

interface World { user: string; root: string; config: string }

/** `inbox` messages in INBOX and 3 in Work on the server, synced once into a fresh Maildir. */
async function synced(user: string, inbox: number): Promise<World> {
  const c = new ImapFlow({ host: '127.0.0.1', port: srv.port, secure: false, doSTARTTLS: false, auth: { user, pass: TEST_PASSWORD }, logger: false })
  await c.connect()
  for (let i = 0; i < inbox; i++) await c.append('INBOX', msg(`i${i}`), ['\\Seen'])
  await c.mailboxCreate('Work')
  for (let i = 0; i < 3; i++) await c.append('Work', msg(`w${i}`))
  await c.logout()
  const base = join(dir, user)
  mkdirSync(base)
  const w = { user, root: join(base, 'mail'), config: join(base, 'config') }
  writeFileSync(w.config, oneAccountConfig({ metadata: join(base, 'state'), remote: imapRepository('R', { server: plainServer(srv), user }), local: maildirRepository('L', w.root) }), { mode: 0o600 })
  const first = sync(w)
  assert.equal(first.code, 0, first.stderr)
  return w
}

interface Run { code: number | null; stdout: string; stderr: string; warnings: string[]; counts?: Record<string, number> }

function sync(w: World, json = true): Run {
  const r = spawnSync(process.execPath, [BIN, 'sync', '-c', w.config, ...(json ? ['--json'] : [])], { encoding: 'utf8', env: { ...process.env } })
  const out: Run = { code: r.status, stdout: r.stdout, stderr: r.stderr, warnings: [] }
  for (const line of json ? r.stdout.split('\n') : []) {
    if (!line.startsWith('{')) continue
    const e = JSON.parse(line)
    if (e.type === 'warning') out.warnings.push(e.message)
    if (e.type === 'run-done') out.counts = e.counts
  }
  return out
}

const server = (w: World) => new ImapRepository({ name: 's', host: '127.0.0.1', port: srv.port, user: w.user, password: TEST_PASSWORD, tls: { mode: 'none' }, maxConnections: 1 })
async function snap(repo: ImapRepository | MaildirRepository) {
  try {
    return Object.fromEntries(Object.entries(await snapshot(repo)).filter(([, v]) => v.length > 0))
  } finally {
    await repo.close()
  }
}

test("a local folder whose directory was removed: sync keeps the server's mail and brings the folder back, with a warning", async () => {
  // 8 messages: below the size where the deletion guard's 25% rule applies, so it is not what saves them
  const w = await synced('gone1', 8)
  const before = await snap(server(w))
  assert.equal(before.INBOX!.length, 8)
  rmSync(join(w.root, 'INBOX'), { recursive: true })
  const r = sync(w)
  assert.equal(r.code, 0, r.stderr)
  assert.ok(r.warnings.some((m) => /folder INBOX is gone from L though 8 of its messages were synced/.test(m)), r.warnings.join('\n'))
  assert.deepEqual([r.counts!.deletedA, r.counts!.deletedB, r.counts!.copiedBtoA, r.counts!.copiedAtoB], [0, 0, 0, 8])
  assert.deepEqual(await snap(server(w)), before, 'the server keeps all its mail')
  assert.deepEqual(await snap(new MaildirRepository({ name: 'l', root: w.root, readOnly: true })), before, 'the folder is back, each message once')
})

test('a Maildir root that is missing or empty (an unmounted disk): exit 74, nothing done on either side; mounted again, all is as before', async () => {
  const w = await synced('gone2', 5)
  const before = await snap(server(w))
  const away = `${w.root}.unmounted`
  renameSync(w.root, away)
  const missing = sync(w, false)
  assert.equal(missing.code, 74, missing.stdout + missing.stderr)
  const lines = missing.stderr.split('\n').filter((l) => l.trim() !== '')
  assert.deepEqual(lines, [
    `mailsync: Maildir root ${w.root} does not exist, but the status cache has 8 messages in 2 folders synced with L: nothing was done (is the disk not mounted?)`,
    `hint: mount it or fix the path and run again; to start L afresh on purpose, move the status cache ${join(dir, 'gone2', 'state', 't.sqlite')} aside first`,
  ])
  assert.ok(!existsSync(w.root), 'the root is not made afresh')
  // an empty mount point looks the same
  mkdirSync(w.root)
  const empty = sync(w, false)
  assert.equal(empty.code, 74, empty.stderr)
  assert.match(empty.stderr, new RegExp(`Maildir root ${w.root} holds no folder, but the status cache has 8 messages`))
  assert.deepEqual(readdirSync(w.root), [], 'nothing made in it')
  assert.deepEqual(await snap(server(w)), before, 'the server keeps all its mail')
  rmSync(w.root, { recursive: true })
  renameSync(away, w.root)
  const back = sync(w)
  assert.equal(back.code, 0, back.stderr)
  assert.equal(back.counts!.copiedAtoB + back.counts!.copiedBtoA + back.counts!.deletedA + back.counts!.deletedB, 0)
  assert.deepEqual(await snap(server(w)), before)
})

test("a folder whose message files were all removed (30 of them): the deletion guard holds the server's copies back (exit 75)", async () => {
  const w = await synced('gone3', 30)
  const before = await snap(server(w))
  for (const sub of ['cur', 'new']) for (const f of readdirSync(join(w.root, 'INBOX', sub))) rmSync(join(w.root, 'INBOX', sub, f))
  const r = sync(w, false)
  assert.equal(r.code, 75, r.stdout + r.stderr)
  assert.match(r.stderr, /deletion guard: 30 deletions on side A exceed the limit of 7; held back/)
  assert.deepEqual(await snap(server(w)), before, 'the server keeps all its mail')
})

// backup, restore and migrate through the real CLI against real Dovecot servers: bytes, flags
// and INTERNALDATE survive a backup and a restore to another server; re-runs copy nothing;
// migrate maps special-use folders and separators and verifies; a kill in the middle resumes
// without loss or duplicate; the deletion guard trips; a dry run's plan matches the real run.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { ImapFlow } from 'imapflow'
import { startDovecot, type DovecotInstance, TEST_PASSWORD } from '../support/dovecot.js'
import { generateCorpus, type Corpus } from '../support/corpus.js'
import { fillDovecotMaildir } from '../support/corpus-maildir.js'
import { ImapRepository } from '../../src/repository/imap/imap-repository.js'
import { MaildirRepository } from '../../src/repository/maildir/maildir-repository.js'
import { snapshot, normalizeNames, contentOnly, type Snapshot } from '../support/store-snapshot.js'
import { BIN } from '../e2e/cli-child.js'
import { bodyBytes } from '../support/message-body.js'
import { imapRepository, tlsServer } from '../support/config-text.js'

let oldSrv: DovecotInstance
let newSrv: DovecotInstance
let corpus: Corpus
let dir: string
const NEW_SPECIAL = { 'Sent Items': '\\Sent', 'Deleted Items': '\\Trash', Drafts: '\\Drafts', 'Junk E-mail': '\\Junk' }
const RENAMED = { 'Sent Items': 'Sent', 'Deleted Items': 'Trash', 'Junk E-mail': 'Junk' }

before(async () => {
  oldSrv = await startDovecot({ users: ['alice', 'guard'] })
  newSrv = await startDovecot({ users: ['bob', 'carol', 'dave', 'erin', 'kim1', 'kim2', 'kim3', 'kim4'], separator: '.', specialUse: NEW_SPECIAL })
  // one message above the 4 MiB stream threshold: streamed from IMAP and Maildir, spooled and
  // streamed into IMAP (restore, migrate), so those paths are checked byte for byte too
  corpus = generateCorpus({ seed: 7, messages: 80, largeMessageSize: 6 * 1024 * 1024 })
  await fillDovecotMaildir(corpus, oldSrv, 'alice')
  dir = mkdtempSync(join(tmpdir(), 'mailsync-oneway-'))
})
after(async () => {
  await oldSrv?.stop()
  await newSrv?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

function repoSection(name: string, srv: DovecotInstance, user: string): string {
  return imapRepository(name, { server: tlsServer(srv), user })
}

function config(name: string, extra = ''): string {
  const file = join(dir, `${name}.conf`)
  writeFileSync(file, `[general]\nmetadata = ${join(dir, `state-${name}`)}\n\n[Account arch]\nremoterepository = old\nlocalrepository = backup\n\n${repoSection('old', oldSrv, 'alice')}\n${repoSection('guardsrv', oldSrv, 'guard')}\n${['bob', 'carol', 'dave', 'erin', 'kim1', 'kim2', 'kim3', 'kim4'].map((u) => repoSection(u, newSrv, u)).join('\n')}\n[Repository backup]\ntype = Maildir\nlocalfolders = ${join(dir, `maildir-${name}`)}\n\n[Repository guardbackup]\ntype = Maildir\nlocalfolders = ${join(dir, `guard-${name}`)}\n${extra}`)
  return file
}

interface RunDone { counts: Record<string, number>; exitCode: number }

function cli(args: string[], env: Record<string, string> = {}): { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; done?: RunDone } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 })
  let done: RunDone | undefined
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue
    const e = JSON.parse(line)
    if (e.type === 'run-done') done = e
  }
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, done }
}

const imapRepo = (srv: DovecotInstance, user: string) => new ImapRepository({ name: user, host: '127.0.0.1', port: srv.port, user, password: TEST_PASSWORD, tls: { mode: 'none' }, maxConnections: 2 })

async function snap(repo: ImapRepository | MaildirRepository, rename: Record<string, string> = {}): Promise<Snapshot> {
  try {
    const s = normalizeNames(await snapshot(repo, { dates: true }), rename)
    // Dovecot's empty auto-created special folders are not part of the corpus.
    return Object.fromEntries(Object.entries(s).filter(([, v]) => v.length > 0))
  } finally {
    await repo.close()
  }
}

test('backup copies every message byte-exact with flags and INTERNALDATE; a re-run copies nothing', async () => {
  const cfg = config('b')
  const r = cli(['backup', '-c', cfg, 'arch', '--json'])
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.done!.counts.copiedAtoB, corpus.messages.length)
  const source = await snap(imapRepo(oldSrv, 'alice'))
  assert.deepEqual(await snap(new MaildirRepository({ name: 'b', root: join(dir, 'maildir-b') })), source)
  const again = cli(['backup', '-c', cfg, 'arch', '--json'])
  assert.equal(again.code, 0)
  assert.equal(again.done!.counts.copiedAtoB, 0)

  // restore to a new server with another separator and other special-use names
  const restore = cli(['restore', '-c', cfg, 'backup', 'bob', '--json'])
  assert.equal(restore.code, 0, restore.stderr)
  assert.equal(restore.done!.counts.copiedBtoA, corpus.messages.length)
  const restored = await snap(imapRepo(newSrv, 'bob'))
  assert.deepEqual(restored, source, 'restored server holds the same bytes, flags and dates')
  const again2 = cli(['restore', '-c', cfg, 'backup', 'bob', '--json'])
  assert.equal(again2.done!.counts.copiedBtoA, 0, 'a second restore copies nothing')
})

test('restore onto a server that already holds some of the messages creates no duplicate', async () => {
  const cfg = config('r')
  assert.equal(cli(['backup', '-c', cfg, 'arch', '--json']).code, 0)
  // carol already has three of the INBOX messages (same bytes), put there by another tool
  const src = imapRepo(oldSrv, 'alice')
  const s = await src.openFolder('INBOX', { readOnly: true })
  const { messages } = await s.list()
  const some: Buffer[] = []
  for await (const b of s.fetch(messages.slice(0, 3).map((m) => m.uid))) some.push(await bodyBytes(b))
  await s.close()
  await src.close()
  const c = new ImapFlow({ host: '127.0.0.1', port: newSrv.port, secure: false, doSTARTTLS: false, auth: { user: 'carol', pass: TEST_PASSWORD }, logger: false })
  await c.connect()
  for (const b of some) await c.append('INBOX', b)
  await c.logout()
  const r = cli(['restore', '-c', cfg, 'backup', 'carol', '--json'])
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.done!.counts.adopted, 3)
  assert.equal(r.done!.counts.copiedBtoA, corpus.messages.length - 3)
  const got = contentOnly(await snap(imapRepo(newSrv, 'carol')))
  assert.deepEqual(got, contentOnly(await snap(imapRepo(oldSrv, 'alice'))))
})

test('restore --folder and --since restore part of a backup', async () => {
  const cfg = config('p')
  assert.equal(cli(['backup', '-c', cfg, 'arch', '--json']).code, 0)
  const inbox = corpus.messages.filter((m) => m.folder === 'INBOX')
  const dates = inbox.map((m) => m.internalDate.getTime()).sort((a, b) => a - b)
  const cut = new Date(dates[Math.floor(dates.length / 2)]!)
  const r = cli(['restore', '-c', cfg, 'backup', 'dave', '--folder', 'INBOX', '--since', cut.toISOString().slice(0, 10), '--json'])
  assert.equal(r.code, 0, r.stderr)
  const day = Date.UTC(cut.getUTCFullYear(), cut.getUTCMonth(), cut.getUTCDate())
  const expected = inbox.filter((m) => m.internalDate.getTime() >= day).length
  assert.equal(r.done!.counts.copiedBtoA, expected)
  const got = await snap(imapRepo(newSrv, 'dave'))
  assert.deepEqual(Object.keys(got), ['INBOX'])
})

test('migrate maps separators and special-use folders, verifies, and a re-run copies nothing', async () => {
  const cfg = config('m')
  const plan = cli(['migrate', '-c', cfg, 'old', 'erin', '--dry-run', '--json'])
  assert.equal(plan.code, 0, plan.stderr)
  const planned = plan.stdout.split('\n').filter((l) => l.includes('"folder-plan"')).map((l) => JSON.parse(l)).reduce((n, e) => n + e.copyAtoB, 0)
  assert.equal(planned, corpus.messages.length)
  assert.equal(cli(['info', '-c', cfg]).code, 0)
  const report = join(dir, 'report.json')
  const r = cli(['migrate', '-c', cfg, 'old', 'erin', '--report', report])
  assert.equal(r.code, 0, r.stderr + r.stdout)
  assert.match(r.stdout, /source folder\s+target folder\s+source\s+target\s+copied\s+adopted\s+skipped\s+failed\s+verified/)
  assert.match(r.stdout, /^Sent\s+Sent Items\s/m)
  const rep = JSON.parse(readFileSync(report, 'utf8'))
  assert.equal(rep.counts.copiedAtoB, planned, 'the dry-run plan matches what the real run did')
  assert.equal(rep.counts.verified, corpus.messages.length)
  assert.deepEqual(await snap(imapRepo(newSrv, 'erin'), RENAMED), await snap(imapRepo(oldSrv, 'alice')))
  const again = cli(['migrate', '-c', cfg, 'old', 'erin', '--json'])
  assert.equal(again.done!.counts.copiedAtoB, 0)
})

test('migrate killed in the middle resumes with no loss and no duplicate', async () => {
  const cfg = config('k')
  const expected = await snap(imapRepo(oldSrv, 'alice'))
  for (const [i, n] of [1, 17, 60].entries()) {
    const user = `kim${i + 1}`
    const killed = cli(['migrate', '-c', cfg, 'old', user, '--json'], { MAILSYNC_TEST_KILL_AFTER: String(n) })
    assert.equal(killed.signal, 'SIGKILL', `run killed after side effect ${n}`)
    const resumed = cli(['migrate', '-c', cfg, 'old', user, '--json'])
    assert.equal(resumed.code, 0, resumed.stderr)
    assert.deepEqual(await snap(imapRepo(newSrv, user), RENAMED), expected, `after a kill at side effect ${n}`)
  }
})

test('the deletion guard holds back a mass deletion until --force', async () => {
  const cfg = config('g')
  const c = new ImapFlow({ host: '127.0.0.1', port: oldSrv.port, secure: false, doSTARTTLS: false, auth: { user: 'guard', pass: TEST_PASSWORD }, logger: false })
  await c.connect()
  for (let i = 0; i < 30; i++) await c.append('INBOX', Buffer.from(`Message-ID: <g${i}@t>\r\nSubject: g${i}\r\n\r\nguard ${i}\r\n`))
  const account = ['guardsrv', 'guardbackup']
  assert.equal(cli(['backup', '-c', cfg, ...account, '--mirror', '--json']).code, 0)
  const lock = await c.getMailboxLock('INBOX')
  await c.messageDelete('1:12')
  lock.release()
  await c.logout()
  // Let the Maildir's directories age past the change-token window, so that nothing but the
  // held-back work can make the next run look at the folder again.
  await new Promise((r) => setTimeout(r, 1200))
  const held = cli(['backup', '-c', cfg, ...account, '--mirror'])
  assert.equal(held.code, 75, held.stdout + held.stderr)
  assert.match(held.stdout + held.stderr, /deletion guard/)
  const local = await snap(new MaildirRepository({ name: 'g', root: join(dir, 'guard-g') }))
  assert.equal(local.INBOX!.length, 30, 'nothing deleted locally')
  const forced = cli(['backup', '-c', cfg, ...account, '--mirror', '--force', '--json'])
  assert.equal(forced.code, 0)
  assert.equal(forced.done!.counts.deletedB, 12)
})

test('migrate: a folder name the target cannot hold fails alone, with a clear error; the rest is copied', async () => {
  const fsSrv = await startDovecot({ users: ['fsuser'], layout: 'fs' })
  try {
    const c = new ImapFlow({ host: '127.0.0.1', port: fsSrv.port, secure: false, doSTARTTLS: false, auth: { user: 'fsuser', pass: TEST_PASSWORD }, logger: false })
    await c.connect()
    await c.mailboxCreate('v1.2')
    await c.append('v1.2', Buffer.from('Message-ID: <v@t>\r\nSubject: release\r\n\r\nnotes\r\n'))
    await c.append('INBOX', Buffer.from('Message-ID: <i@t>\r\nSubject: hi\r\n\r\nhi\r\n'))
    await c.logout()
    const cfg = config('n', `\n${repoSection('fsold', fsSrv, 'fsuser')}`)
    const r = cli(['migrate', '-c', cfg, 'fsold', 'bob'])
    assert.equal(r.code, 75, r.stdout + r.stderr)
    assert.match(r.stdout + r.stderr, /"v1\.2".*holds "\."/)
    const got = await snap(imapRepo(newSrv, 'bob'))
    assert.ok(got.INBOX!.length >= 1)
  } finally {
    await fsSrv.stop()
  }
})

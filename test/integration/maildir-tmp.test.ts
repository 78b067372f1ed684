// Files left in a Maildir folder's tmp/ by deliveries that never finished are removed by the next
// run that writes the folder: ours whose process is gone, and anything older than 36 hours;
// another program's fresh file stays. A backup killed (SIGKILL) in the middle leaves such files,
// and the next run removes them and ends with exactly the server's mail.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync, rmSync, readdirSync, utimesSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { ImapFlow } from 'imapflow'
import { startDovecot, type DovecotInstance, TEST_PASSWORD } from '../support/dovecot.js'
import { ImapRepository } from '../../src/repository/imap/imap-repository.js'
import { MaildirRepository } from '../../src/repository/maildir/maildir-repository.js'
import { uniqueName } from '../../src/repository/maildir/delivery.js'
import { loadConfig, accountsToSync } from '../../src/config/index.js'
import { runJob } from '../../src/jobs/run-job.js'
import { runJobChild } from '../support/job-child.js'
import { snapshot } from '../support/store-snapshot.js'
import { imapRepository, plainServer, maildirRepository, oneAccountConfig } from '../support/config-text.js'

let srv: DovecotInstance
let dir: string

before(async () => {
  srv = await startDovecot({ users: ['tmp1', 'tmp2'] })
  dir = mkdtempSync(join(tmpdir(), 'mailsync-tmpdir-'))
})
after(async () => {
  await srv?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const msg = (id: string) => Buffer.from(`From: t@example.org\r\nMessage-ID: <${id}@test>\r\nSubject: ${id}\r\n\r\nbody of ${id}\r\n`)

async function append(user: string, folder: string, ids: string[]): Promise<void> {
  const c = new ImapFlow({ host: '127.0.0.1', port: srv.port, secure: false, doSTARTTLS: false, auth: { user, pass: TEST_PASSWORD }, logger: false })
  await c.connect()
  try {
    for (const id of ids) await c.append(folder, msg(id))
  } finally {
    await c.logout()
  }
}

function world(user: string): { root: string; config: string } {
  const root = join(dir, user, 'mail')
  const config = join(dir, user, 'config')
  rmSync(join(dir, user), { recursive: true, force: true })
  spawnSync('mkdir', ['-p', join(dir, user)])
  writeFileSync(config, oneAccountConfig({ metadata: join(dir, user, 'state'), remote: imapRepository('R', { server: plainServer(srv), user }), local: maildirRepository('L', root) }), { mode: 0o600 })
  return { root, config }
}

async function backup(config: string) {
  const cfg = await loadConfig({ path: config })
  return runJob({ policy: 'backup', config: cfg, accounts: accountsToSync(cfg), dryRun: false }, () => undefined)
}

/** A pid no process has: one of a child that has ended. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', ''])
  assert.equal(r.status, 0)
  return r.pid!
}

const snap = async (repo: ImapRepository | MaildirRepository) => {
  try {
    return await snapshot(repo)
  } finally {
    await repo.close()
  }
}
const serverRepo = (user: string) => new ImapRepository({ name: 's', host: '127.0.0.1', port: srv.port, user, password: TEST_PASSWORD, tls: { mode: 'none' }, maxConnections: 1 })

test('a run that writes a folder removes its stale tmp/ files: ours of a dead process, any older than 36 hours; never a fresh foreign one', async () => {
  await append('tmp1', 'INBOX', ['a1', 'a2'])
  const w = world('tmp1')
  assert.equal((await backup(w.config)).exitCode, 0)
  const tmp = join(w.root, 'INBOX', 'tmp')
  const ours = uniqueName()
  const oursDead = ours.replace(`P${process.pid}Q`, `P${deadPid()}Q`)
  assert.notEqual(oursDead, ours)
  const oursLive = uniqueName() // this process runs: a delivery of ours in progress
  const oldForeign = '1600000000.M1P1.elsewhere'
  const freshForeign = `${Math.floor(Date.now() / 1000)}.M2P2.elsewhere`
  const oldDovecotLike = `${Math.floor(Date.now() / 1000) - 3 * 86400}.M3P3V1I2.${ours.split('.').slice(2).join('.')}`
  for (const name of [oursDead, oursLive, oldForeign, freshForeign, oldDovecotLike]) writeFileSync(join(tmp, name), 'partial message\n')
  const threeDaysAgo = new Date(Date.now() - 3 * 86400_000)
  utimesSync(join(tmp, oldForeign), threeDaysAgo, threeDaysAgo)
  utimesSync(join(tmp, oldDovecotLike), threeDaysAgo, threeDaysAgo)

  await append('tmp1', 'INBOX', ['a3']) // something to do, so the run opens the folder to write it
  const r = await backup(w.config)
  assert.equal(r.exitCode, 0, JSON.stringify(r.errors))
  assert.deepEqual(readdirSync(tmp).sort(), [oursLive, freshForeign].sort(), 'the dead process\'s and the old files are gone, the others stay')
  assert.deepEqual(await snap(new MaildirRepository({ name: 'l', root: w.root, readOnly: true })), await snap(serverRepo('tmp1')))
})

test('a dry run and a restore (Maildir read only) remove nothing from tmp/', async () => {
  const w = world('tmp1')
  assert.equal((await backup(w.config)).exitCode, 0)
  const tmp = join(w.root, 'INBOX', 'tmp')
  const name = uniqueName().replace(`P${process.pid}Q`, `P${deadPid()}Q`)
  writeFileSync(join(tmp, name), 'partial')
  await append('tmp1', 'INBOX', ['a4'])
  const cfg = await loadConfig({ path: w.config })
  const dry = await runJob({ policy: 'backup', config: cfg, accounts: accountsToSync(cfg), dryRun: true }, () => undefined)
  assert.equal(dry.exitCode, 0)
  assert.deepEqual(readdirSync(tmp), [name])
  const restore = await runJob({ policy: 'restore', config: cfg, accounts: accountsToSync(cfg), dryRun: false }, () => undefined)
  assert.equal(restore.exitCode, 0, JSON.stringify(restore.errors))
  assert.deepEqual(readdirSync(tmp), [name], 'a restore only reads the Maildir')
})

test('a backup killed (SIGKILL) after a few messages leaves files in tmp/; the next run removes them and ends with exactly the server\'s mail', async () => {
  await append('tmp2', 'INBOX', Array.from({ length: 12 }, (_, i) => `k${i}`))
  const w = world('tmp2')
  // killed once the third message is written into tmp/, before the group is renamed into cur/
  const killed = runJobChild(w.config, 'backup', { at: 'maildir-tmp-write:3' })
  assert.equal(killed.exitCode, undefined, 'the child was killed')
  const tmp = join(w.root, 'INBOX', 'tmp')
  const left = readdirSync(tmp)
  assert.ok(left.length > 0, 'the killed run left unfinished deliveries in tmp/')
  const resumed = runJobChild(w.config, 'backup')
  assert.equal(resumed.exitCode, 0, JSON.stringify(resumed))
  assert.deepEqual(readdirSync(tmp), [], 'the next run removed them')
  assert.deepEqual(await snap(new MaildirRepository({ name: 'l', root: w.root, readOnly: true })), await snap(serverRepo('tmp2')))
})

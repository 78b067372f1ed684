// A quick round (`quick = N` of a watcher) against a real Dovecot: with CONDSTORE it still sees a
// flag change made on the server (HIGHESTMODSEQ moved), which OfflineIMAP's quick mode misses;
// without mod-sequences it skips a folder whose UIDNEXT and message count are as recorded (that
// is what quick means there), and the next full round brings the flag change.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ImapFlow } from 'imapflow'
import { startDovecot, type DovecotInstance } from '../support/dovecot.js'
import { imapRepository, maildirRepository, oneAccountConfig, plainServer } from '../support/config-text.js'
import { loadConfig, accountsToSync } from '../../src/config/index.js'
import { runJob } from '../../src/jobs/run-job.js'

let condstore: DovecotInstance
let bare: DovecotInstance
let dir: string

before(async () => {
  condstore = await startDovecot({ users: ['q'] })
  bare = await startDovecot({ users: ['q'], capability: 'IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE NAMESPACE UIDPLUS LIST-STATUS' })
  dir = mkdtempSync(join(tmpdir(), 'mailsync-quick-'))
})
after(async () => {
  await condstore?.stop()
  await bare?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

async function seedAndFlagLater(d: DovecotInstance): Promise<() => Promise<void>> {
  const c = new ImapFlow({ host: '127.0.0.1', port: d.port, secure: false, doSTARTTLS: false, auth: { user: 'q', pass: d.password }, logger: false })
  await c.connect()
  for (let i = 0; i < 3; i++) await c.append('INBOX', Buffer.from(`Message-ID: <q${i}@t>\r\nSubject: q${i}\r\n\r\nquick ${i}\r\n`))
  return async () => {
    const lock = await c.getMailboxLock('INBOX')
    await c.messageFlagsAdd('2', ['\\Flagged'])
    lock.release()
    await c.logout()
  }
}

async function world(name: string, d: DovecotInstance) {
  const root = join(dir, name)
  mkdirSync(root)
  const file = join(root, 'config')
  writeFileSync(file, oneAccountConfig({ metadata: join(root, 'state'), remote: imapRepository('R', { server: plainServer(d), user: 'q' }), local: maildirRepository('L', join(root, 'mail')) }), { mode: 0o600 })
  const config = await loadConfig({ path: file })
  return (quick: boolean) => runJob({ policy: 'sync', config, accounts: accountsToSync(config), dryRun: false, quick }, () => undefined)
}

test('CONDSTORE: a quick round brings a flag changed on the server', async () => {
  const flagLater = await seedAndFlagLater(condstore)
  const round = await world('condstore', condstore)
  assert.equal((await round(false)).counts.copiedAtoB, 3)
  await new Promise((r) => setTimeout(r, 1200))
  await round(false)
  await flagLater()
  const quick = await round(true)
  assert.equal(quick.exitCode, 0)
  assert.equal(quick.counts.flagsAtoB, 1, 'the quick round saw the flag change')
})

test('no mod-sequences: a quick round skips an unchanged-looking folder; the full round brings the flag change', async () => {
  const flagLater = await seedAndFlagLater(bare)
  const round = await world('bare', bare)
  assert.equal((await round(false)).counts.copiedAtoB, 3)
  // the first full round wrote the Maildir: once its directories are older than the one-second
  // window of its change token, one more full round records a status a later round can skip by
  await new Promise((r) => setTimeout(r, 1200))
  await round(false)
  await flagLater()
  const quick = await round(true)
  assert.equal(quick.counts.flagsAtoB, 0, "quick: the folder looked unchanged (same UIDNEXT, same count)")
  assert.ok(quick.folders.some((f) => f.folderA === 'INBOX' && f.skipped === 'unchanged'))
  const fullRound = await round(false)
  assert.equal(fullRound.counts.flagsAtoB, 1, 'the full round lists the flags and brings the change')
})

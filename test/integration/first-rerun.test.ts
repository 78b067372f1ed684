// The run right after a pull: the Maildir it wrote vouches for its own writes (changeTokenNow),
// so a sync straight after takes the folder from the status cache instead of listing it again;
// a message another program delivers afterwards is still seen by the run after that.
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

let d: DovecotInstance
let dir: string

before(async () => {
  d = await startDovecot({ users: ['r'] })
  dir = mkdtempSync(join(tmpdir(), 'mailsync-rerun-'))
})
after(async () => {
  await d?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

test('a sync straight after a pull skips the folder; a later local delivery is still synced', async () => {
  const c = new ImapFlow({ host: '127.0.0.1', port: d.port, secure: false, doSTARTTLS: false, auth: { user: 'r', pass: d.password }, logger: false })
  await c.connect()
  for (let i = 0; i < 4; i++) await c.append('INBOX', Buffer.from(`Message-ID: <r${i}@t>\r\nSubject: r${i}\r\n\r\nrerun ${i}\r\n`))
  const file = join(dir, 'config')
  const mail = join(dir, 'mail')
  writeFileSync(file, oneAccountConfig({ metadata: join(dir, 'state'), remote: imapRepository('R', { server: plainServer(d), user: 'r' }), local: maildirRepository('L', mail) }), { mode: 0o600 })
  const config = await loadConfig({ path: file })
  const round = () => runJob({ policy: 'sync', config, accounts: accountsToSync(config), dryRun: false }, () => undefined)

  const pull = await round()
  assert.equal(pull.counts.copiedAtoB, 4)
  const inbox = (r: Awaited<ReturnType<typeof round>>) => r.folders.find((f) => f.folderA === 'INBOX')
  const rerun = await round()
  assert.equal(rerun.exitCode, 0)
  assert.equal(inbox(rerun)?.skipped, 'unchanged', 'no side listed again: the Maildir vouched for what the pull wrote')

  mkdirSync(join(mail, 'INBOX', 'new'), { recursive: true })
  writeFileSync(join(mail, 'INBOX', 'new', '1700000000.local.host'), 'Message-ID: <local@t>\nSubject: local\n\nlocal delivery\n')
  const after = await round()
  assert.equal(after.counts.copiedBtoA, 1, 'the local delivery changed the token: listed and uploaded')
  const status = await c.status('INBOX', { messages: true })
  assert.equal(status && status.messages, 5)
  await c.logout()
})

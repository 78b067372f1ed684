// Admin login against a real Dovecot with a master user: `authuser` authenticates as the admin
// and opens the mailbox of `remoteuser`, whose password the run never knows: by SASL PLAIN's
// authorization identity (with and without SASL-IR) or by Dovecot's user*master login name.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync, readdirSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ImapFlow } from 'imapflow'
import { startDovecot, type DovecotInstance } from '../support/dovecot.js'
import { maildirRepository, oneAccountConfig, plainServer } from '../support/config-text.js'
import { loadConfig, accountsToSync } from '../../src/config/index.js'
import { runJob } from '../../src/jobs/run-job.js'

const ALICE_SECRET = 'alice-only-knows-this'
const ADMIN_PASSWORD = 'master-key-42'
let withIr: DovecotInstance
let withoutIr: DovecotInstance
let dir: string
let n = 0

before(async () => {
  const opts = { users: [`alice:${ALICE_SECRET}`, 'admin'], masterUsers: [`admin:${ADMIN_PASSWORD}`] }
  withIr = await startDovecot(opts)
  withoutIr = await startDovecot({ ...opts, capability: 'IMAP4rev1 LITERAL+ ID ENABLE IDLE NAMESPACE UIDPLUS CONDSTORE QRESYNC LIST-STATUS' })
  for (const d of [withIr, withoutIr]) {
    const c = new ImapFlow({ host: '127.0.0.1', port: d.port, secure: false, doSTARTTLS: false, auth: { user: 'alice', pass: ALICE_SECRET }, logger: false })
    await c.connect()
    for (let i = 0; i < 3; i++) await c.append('INBOX', Buffer.from(`Message-ID: <alice${i}@t>\r\nSubject: alice ${i}\r\n\r\nfor alice ${i}\r\n`))
    await c.logout()
    const a = new ImapFlow({ host: '127.0.0.1', port: d.port, secure: false, doSTARTTLS: false, auth: { user: 'admin', pass: d.password }, logger: false })
    await a.connect()
    await a.append('INBOX', Buffer.from('Message-ID: <admin@t>\r\nSubject: admin own\r\n\r\nthe admin mailbox\r\n'))
    await a.logout()
  }
  dir = mkdtempSync(join(tmpdir(), 'mailsync-admin-'))
})
after(async () => {
  await withIr?.stop()
  await withoutIr?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

async function backupAs(d: DovecotInstance, lines: string) {
  const root = join(dir, `w${++n}`)
  const remote = `[Repository R]\ntype = IMAP\nremotehost = 127.0.0.1\n${plainServer(d)}\n${lines}\n`
  const file = join(dir, `config${n}`)
  writeFileSync(file, oneAccountConfig({ metadata: join(root, 'state'), remote, local: maildirRepository('L', join(root, 'mail')) }), { mode: 0o600 })
  const config = await loadConfig({ path: file })
  const log: string[] = []
  const result = await runJob({ policy: 'backup', config, accounts: accountsToSync(config), dryRun: false, imapLogger: (l) => log.push(l) }, () => undefined)
    .catch((e: { exitCode?: number; message: string }) => ({ exitCode: e.exitCode, message: e.message }))
  const cur = join(root, 'mail', 'INBOX', 'cur')
  const stored = existsSync(cur) ? readdirSync(cur).length : 0
  return { result, stored, log: log.join('\n') }
}

for (const [label, server, ir] of [['SASL-IR offered', () => withIr, true], ['no SASL-IR: the response after the continuation', () => withoutIr, false]] as const) {
  test(`authuser by authorization identity (${label}) backs up remoteuser's mailbox, not the admin's`, async () => {
    const { result, stored, log } = await backupAs(server(), `remoteuser = alice\nauthuser = admin\nremotepass = ${ADMIN_PASSWORD}`)
    assert.equal(result.exitCode, 0, JSON.stringify(result).slice(0, 400))
    assert.equal(stored, 3, "alice's three messages, not the admin's one")
    assert.ok(!log.includes(ADMIN_PASSWORD), 'the protocol log never shows the password')
    assert.ok(!log.includes(Buffer.from(`alice\0admin\0${ADMIN_PASSWORD}`).toString('base64')), 'nor the PLAIN response')
    assert.match(server().log(), /Login: user=<alice>/)
    assert.equal(/C: \d+ AUTHENTICATE PLAIN "\(\* value hidden \*\)"/.test(log), ir, ir ? 'the response on the command line' : 'no initial response: sent after the continuation')
  })
}

test("authuserseparator: Dovecot's alice*admin login name", async () => {
  const { result, stored } = await backupAs(withIr, `remoteuser = alice\nauthuser = admin\nauthuserseparator = *\nremotepass = ${ADMIN_PASSWORD}`)
  assert.equal(result.exitCode, 0)
  assert.equal(stored, 3)
})

test('a wrong admin password is an auth error (77) and stores nothing', async () => {
  const { result, stored } = await backupAs(withIr, 'remoteuser = alice\nauthuser = admin\nremotepass = not-the-key')
  assert.equal(result.exitCode, 77)
  assert.equal(stored, 0)
})

test('authuser with auth_mechanisms that exclude PLAIN is a config error naming the option', async () => {
  const { result } = await backupAs(withIr, `remoteuser = alice\nauthuser = admin\nremotepass = ${ADMIN_PASSWORD}\nauth_mechanisms = LOGIN`)
  assert.equal(result.exitCode, 78)
  assert.match((result as { message: string }).message, /authuser logs in with SASL PLAIN/)
})

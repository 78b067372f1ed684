// Round trips at the start and end of a session (issue 18: over a real link they, not CPU, decide
// a no-change run): against Dovecot, through a proxy that records what the client sends, a login
// is one AUTHENTICATE PLAIN carrying its initial response (SASL-IR), ID is sent once, after login,
// and LOGOUT is still sent (Dovecot logs "Logged out", not a dropped connection) though the run
// does not wait for its answer. A wrong password is still refused with the auth error.
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { startDovecot, TEST_PASSWORD, type DovecotInstance } from '../support/dovecot.js'
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js'
import { ImapRepository } from '../../src/repository/imap/imap-repository.js'
import { plainInitialResponse } from '../../src/repository/imap/lean-login.js'
import { MailsyncError } from '../../src/errors.js'

let d: DovecotInstance
let proxy: FaultProxy
before(async () => {
  d = await startDovecot({ users: ['alice'] })
  proxy = await startFaultProxy(d.port)
})
after(async () => {
  await proxy?.close()
  await d?.stop()
})

const repo = (password: string) => new ImapRepository({ name: 'Remote', host: '127.0.0.1', port: proxy.port, user: 'alice', maxConnections: 1, tls: { mode: 'none' }, password })
const commands = (text: string) => text.split('\r\n').filter(Boolean).map((l) => l.split(' ').slice(1).join(' '))
const loggedOut = () => d.log().split('\n').filter((l) => /imap\(alice\).*Disconnected: Logged out/.test(l)).length

it('a session logs in with one AUTHENTICATE PLAIN with initial response, sends ID once after it, and ends with LOGOUT', async () => {
  const first = proxy.sent.length
  const before = loggedOut()
  const r = repo(TEST_PASSWORD)
  const folders = await r.listFolders()
  assert.ok(folders.some((f) => f.name === 'INBOX'))
  await r.close()
  for (let i = 0; i < 50 && loggedOut() === before; i++) await new Promise((res) => setTimeout(res, 50))
  assert.equal(loggedOut() - before, 1, 'Dovecot saw the logout')
  const sent = proxy.sent.slice(first)
  assert.equal(sent.length, 1, 'one connection')
  const cmds = commands(sent[0]!)
  assert.equal(cmds[0], `AUTHENTICATE PLAIN ${plainInitialResponse('alice', TEST_PASSWORD)}`, 'the first command logs in, with its response on the line')
  assert.equal(cmds.filter((c) => /^ID /.test(c)).length, 1, 'ID once')
  assert.ok(cmds.indexOf(cmds.find((c) => /^ID /.test(c))!) > 0, 'ID after login')
  assert.ok(!cmds.some((c) => c === '' || /^AUTHENTICATE/.test(c) && c !== cmds[0]), 'no continuation answered, no second login')
  assert.equal(cmds.at(-1), 'LOGOUT', 'the session ends with LOGOUT')
})

it('a wrong password through the same login is refused with the auth error (exit 77)', async () => {
  const r = repo('wrong-pw')
  await assert.rejects(r.listFolders(), (e) => e instanceof MailsyncError && e.kind === 'auth' && e.exitCode === 77)
  await r.close()
})

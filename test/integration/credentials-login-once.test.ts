// A refused login is tried once per repository, however many connections the pool wanted at once,
// and every later call fails at once with the same error (no retry storm that locks accounts).
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { startDovecot, TEST_PASSWORD, type DovecotInstance } from '../support/dovecot.js'
import { ImapRepository } from '../../src/repository/imap/imap-repository.js'
import { MailsyncError } from '../../src/errors.js'

let d: DovecotInstance
before(async () => {
  d = await startDovecot({ users: ['alice', 'bob'] })
})
after(async () => {
  await d?.stop()
})

const failures = () => d.log().split('\n').filter((l) => /passwd-file\(alice,.*Password mismatch/.test(l)).length
const logins = () => d.log().split('\n').filter((l) => l.includes('imap-login: Info: Login: user=<bob>')).length

it('four parallel callers with a wrong password: one login attempt, four auth errors, later calls fail fast', async () => {
  let asked = 0
  const r = new ImapRepository({ name: 'Remote', host: d.host, port: d.port, user: 'alice', maxConnections: 4, tls: { mode: 'none' }, password: async () => { asked++; return 'wrong-pw' } })
  const before = failures()
  const results = await Promise.allSettled([r.openFolder('INBOX'), r.listFolders(), r.folderStatus('INBOX'), r.openFolder('INBOX')])
  for (const res of results) {
    assert.equal(res.status, 'rejected')
    const e = (res as PromiseRejectedResult).reason
    assert.ok(e instanceof MailsyncError && e.kind === 'auth', String(e))
    assert.match(e.message, /repository Remote: login as alice on 127\.0\.0\.1 refused/)
    assert.equal(e.exitCode, 77)
  }
  assert.equal(failures() - before, 1, 'the server saw one failed login')
  await assert.rejects(r.listFolders(), /refused/)
  assert.equal(failures() - before, 1, 'a later call does not try again')
  assert.equal(asked, 1, 'the password was asked once')
  await r.close()
})

it('with the right password, parallel callers wait for the first login and then connect in parallel', async () => {
  const r = new ImapRepository({ name: 'Remote', host: d.host, port: d.port, user: 'bob', maxConnections: 3, tls: { mode: 'none' }, password: TEST_PASSWORD })
  const before = logins()
  try {
    const sessions = await Promise.all([r.openFolder('INBOX'), r.openFolder('INBOX'), r.openFolder('INBOX')])
    assert.equal(logins() - before, 3)
    for (const s of sessions) await s.close()
  } finally {
    await r.close()
  }
})

// Password mechanisms against Dovecot: PLAIN, AUTHENTICATE LOGIN, CRAM-MD5 where offered (and
// refused where required but not offered), and the RFC 2195 example for the CRAM-MD5 answer.
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { startDovecot, TEST_PASSWORD, type DovecotInstance } from '../support/dovecot.js'
import { ImapRepository, type ImapRepositoryOptions } from '../../src/repository/imap/imap-repository.js'
import { cramMd5Response } from '../../src/repository/imap/sasl-cram-md5.js'
import { MailsyncError } from '../../src/errors.js'

let cram: DovecotInstance
let plainOnly: DovecotInstance

before(async () => {
  cram = await startDovecot({ users: ['alice', 'bob', 'carol', 'dave'], extraConfig: 'auth_mechanisms = plain login cram-md5\n' })
  plainOnly = await startDovecot({ users: ['alice'] })
})
after(async () => {
  await cram?.stop()
  await plainOnly?.stop()
})

function repo(inst: DovecotInstance, user: string, auth: ImapRepositoryOptions['auth'], password = TEST_PASSWORD): ImapRepository {
  return new ImapRepository({ name: 'R', host: inst.host, port: inst.port, user, password, auth, tls: { mode: 'none' } })
}

function method(inst: DovecotInstance, user: string): string | undefined {
  const line = inst.log().split('\n').reverse().find((l) => l.includes(`Login: user=<${user}>`))
  return line?.match(/method=([A-Z0-9-]+)/)?.[1]
}

async function opens(r: ImapRepository): Promise<void> {
  try {
    await r.open()
  } finally {
    await r.close()
  }
}

it('the CRAM-MD5 answer matches RFC 2195', () => {
  const challenge = Buffer.from('<1896.697170952@postoffice.reston.mci.net>').toString('base64')
  assert.equal(Buffer.from(cramMd5Response('tim', 'tanstaaftanstaaf', challenge), 'base64').toString(), 'tim b913a602c7eda7a495b4e6e7334d3890')
})

it('each configured mechanism is the one used', async () => {
  await opens(repo(cram, 'alice', {}))
  assert.equal(method(cram, 'alice'), 'PLAIN')
  await opens(repo(cram, 'bob', { loginMethod: 'AUTH=LOGIN' }))
  assert.equal(method(cram, 'bob'), 'LOGIN')
  await opens(repo(cram, 'carol', { cramMd5: 'prefer' }))
  assert.equal(method(cram, 'carol'), 'CRAM-MD5')
})

it('CRAM-MD5 with a wrong password is an auth error; CRAM-MD5 required but not offered is refused without a login', async () => {
  const wrong = repo(cram, 'dave', { cramMd5: 'only' }, 'wrong-password')
  await assert.rejects(wrong.open(), (e: unknown) => e instanceof MailsyncError && e.kind === 'auth' && /login as dave on 127\.0\.0\.1 refused/.test(e.message))
  await wrong.close()
  const missing = repo(plainOnly, 'alice', { cramMd5: 'only' })
  await assert.rejects(missing.open(), (e: unknown) => e instanceof MailsyncError && e.kind === 'auth' && /does not offer CRAM-MD5/.test(e.message))
  await missing.close()
  assert.equal(method(plainOnly, 'alice'), undefined, 'no login happened')
  await opens(repo(plainOnly, 'alice', { cramMd5: 'prefer' }))
  assert.equal(method(plainOnly, 'alice'), 'PLAIN', 'prefer falls back to PLAIN')
})

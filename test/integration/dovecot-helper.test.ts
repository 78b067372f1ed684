// The test Dovecot itself: the ground every IMAP test stands on.
import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import { ImapFlow } from 'imapflow'
import { startDovecot, type DovecotInstance, TEST_PASSWORD } from '../support/dovecot.js'

let d: DovecotInstance

before(async () => {
  d = await startDovecot({ capability: undefined })
})
after(async () => {
  await d.stop()
})

function client(inst: DovecotInstance, mode: 'imaps' | 'starttls' | 'plain', user = 'alice', pass = TEST_PASSWORD): ImapFlow {
  return new ImapFlow({
    host: inst.host,
    port: mode === 'imaps' ? inst.tlsPort : inst.port,
    secure: mode === 'imaps',
    doSTARTTLS: mode === 'starttls' ? true : mode === 'plain' ? false : undefined,
    tls: { ca: [inst.certPem], servername: 'localhost' },
    auth: { user, pass },
    logger: false,
  })
}

for (const mode of ['imaps', 'starttls', 'plain'] as const) {
  test(`logs in over ${mode} and sees the special-use folders`, async () => {
    const c = client(d, mode)
    await c.connect()
    try {
      assert.equal(c.authenticated !== false, true)
      const secure = (c as unknown as { secureConnection: boolean }).secureConnection
      assert.equal(Boolean(secure) || mode === 'starttls', mode !== 'plain')
      const list = await c.list()
      const sent = list.find((f) => f.specialUse === '\\Sent')
      assert.equal(sent?.path, 'Sent')
      assert.equal(list.find((f) => f.path === 'INBOX')?.delimiter, '/')
    } finally {
      await c.logout()
    }
  })
}

test('a wrong password is refused', async () => {
  const c = client(d, 'imaps', 'alice', 'wrong')
  await assert.rejects(() => c.connect())
  assert.match(d.log(), /auth/i)
})

test('the certificate is self-signed and refused without the CA', async () => {
  const c = new ImapFlow({ host: d.host, port: d.tlsPort, secure: true, auth: { user: 'alice', pass: TEST_PASSWORD }, logger: false })
  await assert.rejects(() => c.connect(), /certificate|self.signed/i)
})

test('two servers at once keep their own mail, and capabilities can be switched off', async () => {
  const other = await startDovecot({ separator: '.', capability: 'IMAP4rev1 LITERAL+ IDLE NAMESPACE' })
  try {
    assert.notEqual(other.port, d.port)
    const a = client(d, 'imaps')
    const b = client(other, 'imaps')
    await a.connect()
    await b.connect()
    try {
      await a.append('INBOX', Buffer.from('Subject: only on the first\r\n\r\nhello\r\n'))
      const sa = (await a.status('INBOX', { messages: true })) as { messages?: number }
      const sb = (await b.status('INBOX', { messages: true })) as { messages?: number }
      assert.equal(sa.messages, 1)
      assert.equal(sb.messages, 0)
      assert.equal(a.capabilities.has('UIDPLUS'), true)
      assert.equal(b.capabilities.has('UIDPLUS'), false)
      assert.equal(b.capabilities.has('CONDSTORE'), false)
      const folders = await b.list()
      assert.equal(folders.find((f) => f.path === 'INBOX')?.delimiter, '.')
    } finally {
      await a.logout()
      await b.logout()
    }
  } finally {
    await other.stop()
  }
})

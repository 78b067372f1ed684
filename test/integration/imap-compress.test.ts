// COMPRESS=DEFLATE against a Dovecot that offers it (imap_zlib): used when the repository says so,
// not otherwise, and the bytes come through the same either way. The `compression` option decides
// per server: auto compresses except to a loopback host.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { startDovecot, TEST_PASSWORD, type DovecotInstance } from '../support/dovecot.js'
import { ImapRepository } from '../../src/repository/imap/imap-repository.js'
import { useCompression } from '../../src/repository/factory.js'
import { parseConfigText } from '../../src/config/index.js'

let d: DovecotInstance
before(async () => {
  d = await startDovecot({ users: ['zed'], extraConfig: 'protocol imap {\n  mail_plugins = $mail_plugins imap_zlib\n}\n' })
})
after(async () => {
  await d?.stop()
})

async function roundTrip(compression: boolean, id: string): Promise<{ sent: string[]; back: Buffer; raw: Buffer }> {
  const sent: string[] = []
  const r = new ImapRepository({ name: 'z', host: d.host, port: d.port, user: 'zed', password: TEST_PASSWORD, tls: { mode: 'none' }, compression, logger: (l) => sent.push(l) })
  try {
    const s = await r.openFolder('INBOX')
    // Compressible text plus 8-bit bytes.
    const raw = Buffer.concat([Buffer.from(`Message-ID: <${id}@z.test>\r\nSubject: z\r\n\r\n${'all work and no play\r\n'.repeat(2000)}`), Buffer.from([0xe9, 0xff, 0x0d, 0x0a])])
    const { uid } = await s.append({ content: raw, size: raw.length, flags: [], internalDate: Date.UTC(2024, 1, 2) })
    let back: Buffer = Buffer.alloc(0)
    for await (const b of s.fetch([uid!])) back = b.content as Buffer
    await s.close()
    return { sent, back, raw }
  } finally {
    await r.close()
  }
}

test('with compression on, the session is compressed and the bytes are unchanged', async () => {
  const { sent, back, raw } = await roundTrip(true, 'on')
  assert.ok(sent.some((l) => /OK \[CAPABILITY .*COMPRESS=DEFLATE/.test(l)), 'the server offers COMPRESS=DEFLATE')
  assert.ok(sent.some((l) => / C: \S+ COMPRESS DEFLATE/.test(l)), 'the client asked for it')
  assert.ok(back.equals(raw))
})

test('with compression off, COMPRESS is never sent, though offered', async () => {
  const { sent, back, raw } = await roundTrip(false, 'off')
  assert.ok(sent.some((l) => /OK \[CAPABILITY .*COMPRESS=DEFLATE/.test(l)), 'the server offers COMPRESS=DEFLATE')
  assert.ok(!sent.some((l) => /COMPRESS DEFLATE/.test(l)))
  assert.ok(back.equals(raw))
})

test('compression = auto compresses except to loopback; yes and no are taken as said; bad values are refused', () => {
  assert.equal(useCompression('auto', '127.0.0.1'), false)
  assert.equal(useCompression('auto', '::1'), false)
  assert.equal(useCompression('auto', 'localhost'), false)
  assert.equal(useCompression('auto', 'imap.example.org'), true)
  assert.equal(useCompression('yes', '127.0.0.1'), true)
  assert.equal(useCompression('no', 'imap.example.org'), false)
  const cfg = (value: string) => parseConfigText(`[Repository r]\ntype = IMAP\nremotehost = h\ncompression = ${value}\n`, '/rc', { home: '/tmp', env: {} }).repositories.get('r')!
  assert.equal(cfg('off').get<string>('compression'), 'no')
  assert.equal(cfg('AUTO').get<string>('compression'), 'auto')
  assert.throws(() => cfg('maybe'), /compression/)
})

// TLS as a user configures it (repository config -> createRepository), against the test Dovecot
// and its self-signed certificate: refused by default with the line to add, sslcacertfile,
// pins (right, wrong, SHA-1 with a warning), STARTTLS required, plaintext only when asked.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls'
import { execFileSync } from 'node:child_process'
import { createHash, X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { startDovecot, TEST_PASSWORD, type DovecotInstance } from '../support/dovecot.js'
import { parseConfigText } from '../../src/config/index.js'
import { createRepository } from '../../src/repository/factory.js'
import { MailsyncError } from '../../src/errors.js'
import type { Repository } from '../../src/repository/types.js'

let d: DovecotInstance
let noStartTls: DovecotInstance
const warnings: string[] = []

function repo(lines: string, inst = d, host = '127.0.0.1'): Repository {
  const text = `[Repository R]\ntype = IMAP\nremotehost = ${host}\nremoteuser = alice\nremotepass = ${TEST_PASSWORD}\n${lines.replace(/TLSPORT/g, String(inst.tlsPort)).replace(/PORT/g, String(inst.port))}`
  const cfg = parseConfigText(text, '/rc', { home: tmpdir(), env: {} }).repositories.get('R')!
  return createRepository(cfg, { env: {}, warn: (m) => warnings.push(m) })
}

async function works(r: Repository): Promise<void> {
  try {
    assert.ok((await r.listFolders()).some((f) => f.name === 'INBOX'))
  } finally {
    await r.close()
  }
}

async function refused(r: Repository, kind = 'tls'): Promise<MailsyncError> {
  try {
    await r.open()
  } catch (err) {
    assert.ok(err instanceof MailsyncError, String(err))
    assert.equal(err.kind, kind, err.message)
    assert.ok(!err.message.includes(TEST_PASSWORD))
    return err
  } finally {
    await r.close()
  }
  assert.fail(`expected a ${kind} error`)
}

/** A TLS server with a certificate for another name (or limited to TLS 1.2): the handshake is all we need. */
async function otherTlsServer(opts: { name: string; maxVersion?: 'TLSv1.2' }): Promise<{ port: number; certFile: string; server: TlsServer }> {
  const dir = mkdtempSync(join(tmpdir(), 'mailsync-tls-'))
  const certFile = join(dir, 'cert.pem')
  const keyFile = join(dir, 'key.pem')
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${opts.name}`, '-addext', `subjectAltName=DNS:${opts.name}`, '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' })
  const server = createTlsServer({ cert: readFileSync(certFile), key: readFileSync(keyFile), maxVersion: opts.maxVersion }, (s) => s.end('* OK ready\r\n'))
  server.on('tlsClientError', () => undefined)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { port: (server.address() as AddressInfo).port, certFile, server }
}

describe('TLS settings against Dovecot', () => {
  before(async () => {
    d = await startDovecot({ users: ['alice'] })
    // no ssl at all: Dovecot then offers no STARTTLS (its imaps listener turns plain too)
    noStartTls = await startDovecot({ users: ['alice'], extraConfig: 'ssl = no\nservice imap-login {\n  inet_listener imaps {\n    ssl = no\n  }\n}\n' })
  })
  after(async () => {
    await d?.stop()
    await noStartTls?.stop()
  })

  it('by default (ssl = yes) an unknown certificate is refused with its SHA-256 fingerprint and the line to add', async () => {
    const err = await refused(repo('remoteport = TLSPORT\n'))
    const hex = d.certFingerprint256.replace(/:/g, '').toLowerCase()
    assert.ok(err.message.includes(d.certFingerprint256), err.message)
    assert.ok(err.message.includes(`add to [Repository R]: cert_fingerprint = ${hex}`), err.message)
    assert.equal(err.exitCode, 79)
  })

  it('sslcacertfile trusts the certificate; a bad file is a config error', async () => {
    await works(repo(`remoteport = TLSPORT\nsslcacertfile = ${d.certFile}\n`))
    assert.throws(() => repo(`remoteport = TLSPORT\nsslcacertfile = /etc/hostname\n`), /holds no PEM certificate/)
    assert.throws(() => repo(`remoteport = TLSPORT\nsslcacertfile = /nonexistent.pem\n`), /cannot read sslcacertfile \/nonexistent\.pem/)
  })

  it('the right pin (any spelling, among several) is accepted; a wrong one refused; SHA-1 accepted with a warning', async () => {
    const lowerNoColons = d.certFingerprint256.replace(/:/g, '').toLowerCase()
    await works(repo(`remoteport = TLSPORT\ncert_fingerprint = ${'ab'.repeat(32)}, ${d.certFingerprint256}\n`))
    await works(repo(`remoteport = TLSPORT\ncert_fingerprint = ${lowerNoColons}\n`))
    const err = await refused(repo(`remoteport = TLSPORT\ncert_fingerprint = ${'AB:'.repeat(31)}AB\n`))
    assert.ok(err.message.includes(d.certFingerprint256), err.message)
    const sha1 = createHash('sha1').update(new X509Certificate(d.certPem).raw).digest('hex')
    warnings.length = 0
    await works(repo(`remoteport = TLSPORT\ncert_fingerprint = ${sha1.toUpperCase()}\n`))
    assert.ok(warnings.some((w) => /SHA-1 fingerprint/.test(w)), warnings.join('\n'))
    assert.throws(() => repo('remoteport = TLSPORT\ncert_fingerprint = 12:34\n'), /is not a certificate fingerprint/)
  })

  it('the host name is checked: a trusted certificate for another name is refused', async () => {
    const other = await otherTlsServer({ name: 'other.example' })
    try {
      const err = await refused(repo(`remoteport = ${other.port}\nsslcacertfile = ${other.certFile}\n`))
      assert.match(err.message, /not accepted|altnames|does not match/i)
    } finally {
      other.server.close()
    }
  })

  it('tls_level / ssl_version set the minimum version', async () => {
    await works(repo(`remoteport = TLSPORT\nsslcacertfile = ${d.certFile}\nssl_version = tls1_3\n`))
    const old = await otherTlsServer({ name: 'localhost', maxVersion: 'TLSv1.2' })
    try {
      const r = repo(`remoteport = ${old.port}\nsslcacertfile = ${old.certFile}\nssl_version = tls1_3\n`, d, 'localhost')
      const err = await refused(r)
      assert.match(err.message, /version|protocol/i)
    } finally {
      old.server.close()
    }
  })

  it('starttls = yes (and ssl = no alone) requires STARTTLS: works with it, an error without it, no login sent', async () => {
    await works(repo(`ssl = no\nstarttls = yes\nremoteport = PORT\nsslcacertfile = ${d.certFile}\n`))
    await works(repo(`ssl = no\nremoteport = PORT\nsslcacertfile = ${d.certFile}\n`))
    const logins = () => noStartTls.log().split('\n').filter((l) => /Login: user=<alice>|auth failed|Aborted login/.test(l)).length
    const before = logins()
    const err = await refused(repo('ssl = no\nremoteport = PORT\n', noStartTls))
    assert.match(err.message, /STARTTLS/)
    assert.equal(logins(), before, 'no login was attempted in plaintext')
  })

  it('plaintext only with ssl = no and starttls = no: works on loopback without a warning', async () => {
    warnings.length = 0
    await works(repo('ssl = no\nstarttls = no\nremoteport = PORT\n', noStartTls))
    assert.equal(warnings.length, 0, warnings.join('\n'))
    await repo('ssl = no\nstarttls = no\n', d, 'mail.example.org').close()
    assert.ok(warnings.some((w) => /unencrypted/.test(w) && w.includes('mail.example.org')), warnings.join('\n'))
  })
})

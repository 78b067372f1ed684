// TLS settings from the config: which mode (STARTTLS required unless plaintext is asked for twice),
// minimum version, pins, and the warnings risky choices get.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseConfigText, repositoryFromUrl } from '../../src/config/index.js'
import { isLoopbackHost, minTlsVersion, tlsMode, tlsSettings } from '../../src/repository/imap/tls-settings.js'

function repo(lines: string, host = 'mail.example.org') {
  return parseConfigText(`[Repository R]\ntype = IMAP\nremotehost = ${host}\n${lines}`, '/rc', { home: '/tmp', env: {} }).repositories.get('R')!
}

test('mode: implicit by default; ssl = no means STARTTLS required; plaintext only with both set to no', () => {
  assert.equal(tlsMode(repo('')), 'implicit')
  assert.equal(tlsMode(repo('ssl = yes\nstarttls = yes\n')), 'implicit')
  assert.equal(tlsMode(repo('ssl = no\n')), 'starttls')
  assert.equal(tlsMode(repo('ssl = no\nstarttls = yes\n')), 'starttls')
  assert.equal(tlsMode(repo('ssl = no\nstarttls = no\n')), 'none')
  const url = repositoryFromUrl('imap://alice@mail.example.org', { home: '/tmp', env: {}, warnings: [] })!
  assert.equal(tlsMode(url), 'starttls')
  assert.equal(repo('ssl = no\n').get('remoteport'), 143)
})

test('minimum version from ssl_version, else tls_level', () => {
  assert.equal(minTlsVersion(repo('')), 'TLSv1.2')
  assert.equal(minTlsVersion(repo('ssl_version = tls1_3\n')), 'TLSv1.3')
  assert.equal(minTlsVersion(repo('ssl_version = ssl23\n')), 'TLSv1.2')
  assert.equal(minTlsVersion(repo('tls_level = tls_compat\n')), 'TLSv1')
})

test('loopback hosts', () => {
  for (const h of ['127.0.0.1', '127.5.0.1', '::1', '[::1]', 'localhost', 'LOCALHOST', 'imap.localhost']) assert.ok(isLoopbackHost(h), h)
  for (const h of ['128.0.0.1', 'mail.example.org', 'localhost.example.org', '::2']) assert.ok(!isLoopbackHost(h), h)
})

test('warnings: plaintext to a remote host, SHA-1 pins; bad pins refused', () => {
  const warnings: string[] = []
  const warn = (m: string) => warnings.push(m)
  tlsSettings(repo('ssl = no\nstarttls = no\n', '127.0.0.1'), warn)
  assert.deepEqual(warnings, [])
  const plain = tlsSettings(repo('ssl = no\nstarttls = no\n'), warn)
  assert.equal(plain.mode, 'none')
  assert.match(warnings.join('\n'), /repository R: ssl = no and starttls = no: the password and all mail travel to mail\.example\.org unencrypted/)
  warnings.length = 0
  const sha1 = 'AB:'.repeat(19) + 'AB'
  const sha256 = 'cd'.repeat(32)
  const pinned = tlsSettings(repo(`cert_fingerprint = ${sha1}, ${sha256}\n`), warn)
  assert.deepEqual(pinned.fingerprints, [sha1, sha256])
  assert.equal(warnings.length, 1)
  assert.match(warnings[0]!, /SHA-1 fingerprint/)
  assert.throws(() => tlsSettings(repo('cert_fingerprint = not-a-fingerprint\n'), warn), /is not a (certificate|hexadecimal) fingerprint/)
  assert.throws(() => tlsSettings(repo(`cert_fingerprint = ${'ab'.repeat(31)}\n`), warn), /is not a certificate fingerprint/)
})

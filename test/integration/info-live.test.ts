// `mailsync info` against a real Dovecot: certificate fingerprint, capabilities, separator, the
// folder mapping both ways with the classic nametrans trap flagged, status cache figures after a
// backup; read-only (creates no Maildir and no status cache); --offline and an unreachable server.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ImapFlow } from 'imapflow'
import { startDovecot, TEST_PASSWORD, freePort, type DovecotInstance } from '../support/dovecot.js'
import { runCli, sandbox, type Sandbox } from '../e2e/cli-child.js'
import { imapRepository, maildirRepository, oneAccountConfig, tlsServer } from '../support/config-text.js'
import type { InfoData } from '../../src/cli/info-data.js'

let d: DovecotInstance
before(async () => {
  d = await startDovecot({ users: ['alice'], layout: 'fs', specialUse: { Sent: '\\Sent' } })
  const c = new ImapFlow({ host: '127.0.0.1', port: d.port, secure: false, doSTARTTLS: false, auth: { user: 'alice', pass: TEST_PASSWORD }, logger: false })
  await c.connect()
  await c.append('INBOX', Buffer.from('From: a@example.org\r\nMessage-ID: <1@t>\r\nSubject: one\r\n\r\nbody\r\n'))
  await c.mailboxCreate('Lists/rust.users')
  await c.logout()
})
after(async () => d?.stop())

function config(box: Sandbox, port: number, remoteExtra = ''): Promise<string> {
  return box.writeConfig(oneAccountConfig({
    metadata: join(box.dir, 'state'),
    remote: imapRepository('R', { server: tlsServer({ tlsPort: port, certFile: d.certFile }), user: 'alice', extra: remoteExtra }),
    local: maildirRepository('L', join(box.dir, 'mail'), 'sep = /\n'),
  }))
}

test('info ACCOUNT connects read-only and reports server, mapping problems and an unsynced cache', async () => {
  const box = await sandbox()
  const file = await config(box, d.tlsPort, `nametrans = lambda f: 'Archive/' + f if f.startswith('Lists') else f\n`)
  const r = await runCli(['info', 't', '-c', file, '--json'], box.env)
  assert.equal(r.code, 0, r.stderr)
  assert.ok(!r.stdout.includes(TEST_PASSWORD) && !r.stderr.includes(TEST_PASSWORD))
  const data = JSON.parse(r.stdout) as InfoData
  const remote = data.live!.repositories.find((x) => x.name === 'R')!
  assert.equal(remote.connected, true, remote.error)
  assert.equal(remote.certificateSha256, d.certFingerprint256)
  assert.equal(remote.tls, 'implicit')
  assert.equal(remote.user, 'alice')
  assert.ok(remote.capabilities!.includes('UIDPLUS') && remote.capabilities!.includes('CONDSTORE'))
  assert.equal(remote.separator, '/')
  const acct = data.live!.accounts[0]!
  assert.equal(acct.status.exists, false)
  const rows = acct.mapping!.rows
  const lists = rows.find((x) => x.side === 'remote' && x.name === 'Lists/rust.users')!
  assert.equal(lists.target, 'Archive/Lists/rust.users')
  assert.equal(lists.roundTrips, false, 'the local side has no inverse nametrans')
  assert.ok(acct.mapping!.problems.some((p) => p.includes('translates back to "Archive/Lists/rust.users"')))
  assert.equal(rows.find((x) => x.side === 'remote' && x.name === 'Sent')!.specialUse, '\\Sent')
  // read-only: neither the Maildir nor the status cache was created
  assert.equal(existsSync(join(box.dir, 'mail')), false)
  assert.equal(existsSync(acct.status.file), false)

  const text = await runCli(['info', 't', '-c', file], box.env)
  assert.equal(text.code, 0, text.stderr)
  assert.match(text.stdout, new RegExp(`^  certificate SHA-256: ${d.certFingerprint256}$`, 'm'))
  assert.match(text.stdout, /^  Lists\/rust\.users\s+yes\s+Archive\/Lists\/rust\.users \(new\)\s+NO: "Archive\/Lists\/rust\.users"\s+PROBLEM/m)
  assert.match(text.stdout, /\(never synced\)$/m)
})

test('after a backup, info shows messages paired, last sync and UIDVALIDITYs per folder pair', async () => {
  const box = await sandbox()
  const file = await config(box, d.tlsPort, `folderfilter = lambda f: not f.startswith('Lists')\n`)
  const b = await runCli(['backup', 't', '-c', file, '-q'], box.env)
  assert.equal(b.code, 0, b.stderr)
  const r = await runCli(['info', 't', '-c', file, '--json'], box.env)
  assert.equal(r.code, 0, r.stderr)
  const acct = (JSON.parse(r.stdout) as InfoData).live!.accounts[0]!
  assert.equal(acct.status.exists, true)
  const inbox = acct.status.pairs.find((p) => p.remote === 'INBOX')!
  assert.equal(inbox.messagesPaired, 1)
  assert.ok(inbox.lastSync && !Number.isNaN(Date.parse(inbox.lastSync)))
  assert.ok(inbox.uidValidityRemote! > 0 && inbox.uidValidityLocal! > 0)
  assert.deepEqual(acct.mapping!.problems, [])
  assert.equal(acct.mapping!.rows.find((x) => x.name === 'Lists/rust.users')!.kept, false)
})

test('--offline contacts no server; an unreachable server is one line and the rest is still shown', async () => {
  const box = await sandbox()
  const off = await runCli(['info', 't', '-c', await config(box, d.tlsPort), '--json', '--offline'], box.env)
  assert.equal(off.code, 0, off.stderr)
  const offData = JSON.parse(off.stdout) as InfoData
  const remote = offData.live!.repositories.find((x) => x.name === 'R')!
  assert.equal(remote.connected, false)
  assert.equal(remote.error, undefined)
  assert.equal(remote.certificateSha256, undefined)
  assert.match(offData.live!.accounts[0]!.mappingUnavailable!, /--offline/)

  const closed = await freePort()
  const r = await runCli(['info', 't', '-c', await config(box, closed)], box.env)
  assert.equal(r.code, 0, r.stderr)
  const line = r.stdout.split('\n').find((l) => l.startsWith('  not connected: '))
  assert.ok(line, r.stdout)
  assert.match(line!, /127\.0\.0\.1/)
  assert.match(r.stdout, /^\s+remotehost\s+= 127\.0\.0\.1/m, 'the config part is still shown')
})

// ImapRepository against a real Dovecot: TLS modes, certificate checks and pinning, auth errors,
// and the hard bound on open connections.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { startDovecot, TEST_PASSWORD, type DovecotInstance } from '../support/dovecot.js'
import { ImapRepository, type ImapRepositoryOptions } from '../../src/repository/imap/imap-repository.js'
import { MailsyncError } from '../../src/errors.js'
import { createServer, type AddressInfo } from 'node:net'

let d: DovecotInstance

/**
 * Dovecot always offers STARTTLS while it has a certificate, so a server without it is played by a
 * few lines of fake IMAP (what Dovecot cannot do): it records every command it receives.
 */
async function serverWithoutStartTls(): Promise<{ port: number; commands: string[]; close(): void }> {
  const commands: string[] = []
  const srv = createServer((sock) => {
    sock.write('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake ready\r\n')
    let buf = ''
    sock.on('error', () => undefined)
    sock.on('data', (b) => {
      buf += b.toString('latin1')
      for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
        const line = buf.slice(0, i)
        buf = buf.slice(i + 2)
        commands.push(line)
        const [tag, cmd] = line.split(' ')
        if (/^CAPABILITY$/i.test(cmd ?? '')) sock.write(`* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n${tag} OK done\r\n`)
        else if (/^LOGOUT$/i.test(cmd ?? '')) sock.end(`* BYE\r\n${tag} OK bye\r\n`)
        else sock.write(`${tag} BAD not here\r\n`)
      }
    })
  })
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  const port = (srv.address() as AddressInfo).port
  return { port, commands, close: () => srv.close() }
}

function repo(over: Partial<ImapRepositoryOptions> & { tls: ImapRepositoryOptions['tls'] }, inst = d): ImapRepository {
  return new ImapRepository({
    name: 'remote',
    host: inst.host,
    port: over.tls.mode === 'implicit' ? inst.tlsPort : inst.port,
    user: 'alice',
    password: TEST_PASSWORD,
    ...over,
  })
}

async function rejectsWith(p: Promise<unknown>, kind: string): Promise<MailsyncError> {
  try {
    await p
  } catch (err) {
    assert.ok(err instanceof MailsyncError, `expected MailsyncError, got ${String(err)}`)
    assert.equal(err.kind, kind, err.message)
    return err
  }
  assert.fail(`expected a ${kind} error`)
}

function logins(inst: DovecotInstance, user: string): number {
  return inst.log().split('\n').filter((l) => l.includes('imap-login: Login:') && l.includes(`user=<${user}>`)).length
}

describe('ImapRepository connections', () => {
  before(async () => {
    d = await startDovecot()
  })
  after(async () => {
    await d?.stop()
  })

  it('connects over implicit TLS trusting the given CA, and reports capabilities', async () => {
    const r = repo({ tls: { mode: 'implicit', ca: d.certPem } })
    try {
      const caps = await r.capabilities()
      for (const c of ['UIDPLUS', 'CONDSTORE', 'QRESYNC', 'IDLE', 'SPECIAL-USE', 'NAMESPACE'] as const) assert.ok(caps.has(c), c)
      assert.equal(await r.separator(), '/')
    } finally {
      await r.close()
    }
  })

  it('connects with STARTTLS and in plain mode', async () => {
    const lines: string[] = []
    for (const mode of ['starttls', 'none'] as const) {
      const r = repo({ tls: { mode, ca: d.certPem }, logger: (l) => lines.push(l) })
      try {
        const names = (await r.listFolders()).map((f) => f.name)
        assert.ok(names.includes('INBOX'))
      } finally {
        await r.close()
      }
    }
    assert.ok(lines.some((l) => /STARTTLS/.test(l)), 'the STARTTLS exchange is in the protocol log')
    assert.ok(lines.length > 0)
    assert.ok(!lines.some((l) => l.includes(TEST_PASSWORD)), 'the password never reaches the log')
  })

  it('refuses an untrusted certificate with kind tls, naming its fingerprint and the config line', async () => {
    const r = repo({ tls: { mode: 'implicit' } })
    const err = await rejectsWith(r.open(), 'tls')
    const hex = d.certFingerprint256.replace(/:/g, '').toLowerCase()
    assert.ok(err.message.includes(d.certFingerprint256), err.message)
    assert.ok(err.message.includes(`cert_fingerprint = ${hex}`), err.message)
    await r.close()
  })

  it('accepts the pinned fingerprint (any spelling) and refuses a wrong one before logging in', async () => {
    const spelled = d.certFingerprint256.toLowerCase()
    for (const mode of ['implicit', 'starttls'] as const) {
      const ok = repo({ user: 'bob', tls: { mode, fingerprints: ['0000', spelled] } })
      try {
        await ok.open()
      } finally {
        await ok.close()
      }
    }
    const before = logins(d, 'carol')
    const wrong = repo({ user: 'carol', tls: { mode: 'implicit', fingerprints: ['AB:'.repeat(31) + 'AB'] } })
    const err = await rejectsWith(wrong.open(), 'tls')
    assert.ok(err.message.includes(d.certFingerprint256), err.message)
    assert.equal(logins(d, 'carol'), before, 'no login was attempted')
    await wrong.close()
  })

  it('with starttls required, refuses a server that does not offer STARTTLS and never logs in', async () => {
    const fake = await serverWithoutStartTls()
    try {
      const r = new ImapRepository({ name: 'remote', host: '127.0.0.1', port: fake.port, user: 'alice', password: TEST_PASSWORD, tls: { mode: 'starttls' } })
      const err = await rejectsWith(r.open(), 'tls')
      assert.match(err.message, /STARTTLS/i)
      assert.ok(fake.commands.length > 0, 'the client did talk to the server')
      assert.ok(!fake.commands.some((c) => /LOGIN|AUTHENTICATE/i.test(c)), fake.commands.join(' | '))
      await r.close()
    } finally {
      fake.close()
    }
  })

  it('a closed port is tried again with back-off, then kind network', async () => {
    const retries: string[] = []
    const r = new ImapRepository({ name: 'remote', host: '127.0.0.1', port: 1, user: 'alice', password: 'x', tls: { mode: 'none' }, connectRetryDelaysMs: [10, 20], onRetry: (m) => retries.push(m) })
    await rejectsWith(r.open(), 'network')
    assert.equal(retries.length, 2, 'one connection attempt more than there are waits')
    assert.match(retries[1]!, /ECONNREFUSED.*trying again in 0\.02 s \(attempt 3 of 3\)/)
    await r.close()
  })

  it('never has more than maxConnections open, however many sessions are asked for', async () => {
    const max = 2
    const r = repo({ user: 'carol', maxConnections: max, tls: { mode: 'none' } })
    const before = logins(d, 'carol')
    try {
      await r.createFolder('Pool')
      const held: Array<Promise<unknown>> = []
      const sessions = Array.from({ length: 6 }, (_, i) => r.openFolder(i % 2 ? 'INBOX' : 'Pool'))
      // folder-level calls compete for the same connections
      held.push(r.listFolders(), r.folderStatus('Pool'))
      const first = await Promise.race(sessions)
      // while the first sessions hold their connections, everybody else waits
      const who = d.doveadm(['who', '-1', 'carol']).split('\n').filter((l) => l.includes('carol')).length
      assert.ok(who <= max, `dovecot saw ${who} connections`)
      assert.ok(r.poolStats().open <= max)
      assert.ok(r.poolStats().waiting > 0, 'callers beyond the bound wait')
      await first.close()
      for (const p of sessions) {
        const s = await p
        if (s === first) continue
        await s.list()
        await s.close()
      }
      await Promise.all(held)
      const stats = r.poolStats()
      assert.ok(stats.peakOpen <= max, `peak ${stats.peakOpen}`)
      assert.ok(stats.created <= max, `created ${stats.created}`)
      assert.ok(logins(d, 'carol') - before <= max, 'idle connections were reused, not re-opened')
    } finally {
      await r.close()
    }
    assert.equal(r.poolStats().open, 0, 'close() logs every connection out')
  })
  // Last: Dovecot's anvil slows down logins from an address after a failed one.
  it('a wrong password is kind auth naming user and host, tried once', async () => {
    // Only bob's login-process lines: logouts of earlier tests' sessions may reach the log now.
    const bobs = () => d.log().split('\n').filter((l) => l.includes('user=<bob>') && (l.includes('auth failed') || l.includes('Disconnected'))).length
    const before = bobs()
    const r = repo({ user: 'bob', password: async () => 'wrong-password', tls: { mode: 'none' } })
    const err = await rejectsWith(r.open(), 'auth')
    assert.ok(err.message.includes('bob') && err.message.includes(d.host) && err.message.includes('remote'), err.message)
    assert.ok(!err.message.includes('wrong-password'))
    const failures = bobs()
    assert.ok(failures - before <= 2, 'one login attempt, not a retry loop')
    await r.close()
  })

})

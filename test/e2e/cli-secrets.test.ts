// Secrets never reach any output: every command (sync, backup, restore, migrate, info), plain,
// --json and -d all, with a known password from each kind of source, and with a wrong one.
// Also: a wrong password is exit 77 after one login attempt; a refused certificate is exit 79.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync, chmodSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { startDovecot, type DovecotInstance } from '../support/dovecot.js'
import { runCli, sandbox, type CliResult, type Sandbox } from './cli-child.js'

const SECRET = 'Kx7-e2e-secret-pass'
const NEW_SECRET = 'Nw4-e2e-other-secret'
const WRONG = 'Wr0ng-e2e-secret-pass'

let d: DovecotInstance
let box: Sandbox
let config: string
let logfile: string

function message(i: number): string {
  return `From: a@example.org\r\nTo: alice@example.org\r\nSubject: secrets test ${i}\r\nMessage-ID: <secret-test-${i}@example.org>\r\nDate: Mon, 2 Jan 2023 10:00:00 +0000\r\n\r\nbody ${i}\r\n`
}

function save(user: string, folder: string, text: string): void {
  execFileSync('doveadm', ['-c', d.configFile, 'save', '-u', user, '-m', folder], { input: text })
}

function assertClean(r: CliResult, secrets: string[], what: string): void {
  for (const s of secrets) {
    assert.ok(!r.stdout.includes(s), `${what}: secret in stdout\n${r.stdout}`)
    assert.ok(!r.stderr.includes(s), `${what}: secret in stderr\n${r.stderr}`)
  }
}

function authFailures(): number {
  return d.log().split('\n').filter((l) => /auth failed|Authentication failed|password mismatch/i.test(l) && l.includes('user=<alice>')).length
}

describe('secrets in output, auth and TLS exit codes (CLI)', () => {
  before(async () => {
    d = await startDovecot({ users: [`alice:${SECRET}`, `bob:${NEW_SECRET}`] })
    execFileSync('doveadm', ['-c', d.configFile, 'mailbox', 'create', '-u', 'alice', 'Work'])
    for (let i = 0; i < 3; i++) save('alice', i === 2 ? 'Work' : 'INBOX', message(i))
    box = await sandbox()
    const passFile = join(box.dir, 'old-pass')
    writeFileSync(passFile, `${SECRET}\n`)
    chmodSync(passFile, 0o600)
    logfile = join(box.dir, 'run.log')
    config = await box.writeConfig(`[general]
accounts = work

[Account work]
localrepository = Local
remoterepository = Remote

[Repository Local]
type = Maildir
localfolders = ${join(box.dir, 'mail')}
sep = /

[Repository Remote]
type = IMAP
remotehost = 127.0.0.1
remoteport = ${d.tlsPort}
remoteuser = alice
remotepass = ${SECRET}
sslcacertfile = ${d.certFile}

[Repository Old]
type = IMAP
remotehost = 127.0.0.1
remoteport = ${d.tlsPort}
remoteuser = alice
remotepassfile = ${passFile}
sslcacertfile = ${d.certFile}

[Repository New]
type = IMAP
remotehost = 127.0.0.1
remoteport = ${d.port}
ssl = no
starttls = yes
remoteuser = bob
cert_fingerprint = ${d.certFingerprint256}
`)
  })
  after(async () => {
    await d?.stop()
  })

  it('every command, plain, --json and -d all, never prints the password', async () => {
    const env = { ...box.env, MAILSYNC_PASS_NEW: NEW_SECRET }
    const runs: [string[], number][] = [
      [['sync', '-c', config], 0],
      [['sync', 'work', '-c', config, '--json', '-d', 'all', '--logfile', logfile], 0],
      [['backup', 'work', '-c', config, '-d', 'all'], 0],
      [['backup', 'work', '-c', config, '--json'], 0],
      [['restore', 'work', '-c', config, '-d', 'all', '--json'], 0],
      [['migrate', 'Old', 'New', '-c', config, '-d', 'all'], 0],
      [['migrate', 'Old', 'New', '-c', config, '--json'], 0],
      [['info', '-c', config], 0],
      [['info', '-c', config, '--json', '-d', 'all'], 0],
      [['info', 'Remote', '-c', config, '-d', 'all'], 0],
    ]
    let debugLines = 0
    for (const [args, code] of runs) {
      const r = await runCli(args, env)
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`)
      assertClean(r, [SECRET, NEW_SECRET, Buffer.from(`\0alice\0${SECRET}`).toString('base64')], args.join(' '))
      if (args.includes('all') && args[0] !== 'info') debugLines += r.stderr.split('\n').filter((l) => l.startsWith('imap: ')).length
    }
    assert.ok(debugLines > 50, 'the debug runs did print the IMAP protocol')
    assert.ok(existsSync(join(box.dir, 'mail', 'INBOX')), 'the sync did copy mail')
    const log = readFileSync(logfile, 'utf8')
    assert.ok(log.length > 0 && !log.includes(SECRET), 'log file is clean')
    assert.ok(execFileSync('doveadm', ['-c', d.configFile, 'search', '-u', 'bob', 'ALL'], { encoding: 'utf8' }).trim().split('\n').length >= 3, 'migrate copied to bob')
  })

  it('a wrong password: exit 77, one line naming repository, user and host, one login attempt, never the password', async () => {
    const wrong = await box.writeConfig(readFileSync(config, 'utf8').replace(`remotepass = ${SECRET}`, `remotepass = ${WRONG}\nmaxconnections = 4`), 'wrong')
    for (const extra of [[], ['--json', '-d', 'all']]) {
      const before = authFailures()
      const r = await runCli(['sync', '-c', wrong, ...extra], box.env)
      assert.equal(r.code, 77, r.stderr)
      assertClean(r, [WRONG, SECRET], `wrong password ${extra.join(' ')}`)
      const errLines = r.stderr.split('\n').filter((l) => l.startsWith('mailsync: '))
      assert.equal(errLines.length, 1, r.stderr)
      assert.match(errLines[0]!, /repository Remote: login as alice on 127\.0\.0\.1 refused/)
      assert.equal(authFailures() - before, 1, 'exactly one login attempt')
    }
  })

  it('a certificate that is not trusted: exit 79 with the fingerprint line to add', async () => {
    const untrusted = await box.writeConfig(readFileSync(config, 'utf8').replace(`remotepass = ${SECRET}\nsslcacertfile = ${d.certFile}`, `remotepass = ${SECRET}`), 'untrusted')
    const r = await runCli(['sync', '-c', untrusted], box.env)
    assert.equal(r.code, 79, r.stderr)
    assert.ok(r.stderr.includes(`cert_fingerprint = ${d.certFingerprint256.replace(/:/g, '').toLowerCase()}`), r.stderr)
    assertClean(r, [SECRET], 'tls failure')
  })
})

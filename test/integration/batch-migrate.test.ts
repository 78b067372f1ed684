// `mailsync migrate --batch` with the real binary, between two source and two target Dovecots:
// 50 mailboxes (those of one source server reached only through its master user, their own
// passwords unknown) plus three bad rows. Every good mailbox ends byte-identical; the bad rows fail
// with their reason and stop nothing; no server ever has more logged-in sessions of ours at once
// than the budget (counted in its log); a re-run copies nothing; a batch killed half-way and run
// again ends exact, nothing lost or doubled.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync, readFileSync, chmodSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { startDovecot, TEST_PASSWORD, type DovecotInstance } from '../support/dovecot.js'
import { withImapClient } from '../support/imap-client.js'
import { startCli } from '../support/cli-process.js'

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'run.js')
const N = 50
const PER_SERVER = 4
const UNKNOWN = 'nobody-knows-this'
const ADMIN = 'admin-secret-7'
const users = Array.from({ length: N }, (_, i) => `m${String(i + 1).padStart(2, '0')}`)
let s1: DovecotInstance, s2: DovecotInstance, t1: DovecotInstance, t2: DovecotInstance
let dir: string

/** Mailbox i: source S1 for the first half (password known), S2 for the rest (admin only); target alternates. */
const sourceOf = (i: number) => (i < N / 2 ? s1 : s2)
const targetOf = (i: number) => (i % 2 ? t1 : t2)
const sourcePassword = (i: number) => (i < N / 2 ? TEST_PASSWORD : UNKNOWN)

before(async () => {
  ;[s1, s2, t1, t2] = await Promise.all([
    startDovecot({ users }),
    startDovecot({ users: users.map((u) => `${u}:${UNKNOWN}`), masterUsers: [`admin:${ADMIN}`] }),
    startDovecot({ users }),
    startDovecot({ users }),
  ])
  // a few mailboxes at a time: the suite's other servers (Cyrus) run beside this file
  const seed = (u: string, i: number) => withImapClient(sourceOf(i).port, u, async (c) => {
    await c.mailboxCreate('Work')
    for (let k = 0; k < 3; k++) await c.append('INBOX', Buffer.from(`Message-ID: <${u}.${k}@batch>\r\nSubject: ${u} ${k}\r\n\r\nmail ${k} of ${u}\r\n`), k ? ['\\Seen'] : [])
    await c.append('Work', Buffer.from(`Message-ID: <${u}.w@batch>\r\nSubject: work\r\n\r\nwork of ${u}\r\n`))
  }, sourcePassword(i))
  for (let i = 0; i < N; i += 5) await Promise.all(users.slice(i, i + 5).map((u, k) => seed(u, i + k)))
  dir = mkdtempSync(join(tmpdir(), 'mailsync-batch-'))
  // the admin login of S2, as a per-host template: its rows leave password1 empty
  writeFileSync(join(dir, 'config'), `[general]\nmetadata = ${join(dir, 'state')}\n\n[Repository OldAdmin]\ntype = IMAP\nremotehost = 127.0.0.1\nremoteport = ${s2.port}\nssl = no\nstarttls = no\nauthuser = admin\nremotepass = ${ADMIN}\n`, { mode: 0o600 })
})
after(async () => {
  await Promise.all([s1, s2, t1, t2].map((d) => d?.stop()))
  if (dir) rmSync(dir, { recursive: true, force: true })
})

function batchFile(name: string, extra: string[] = [], targets?: [DovecotInstance, DovecotInstance]): string {
  const target = (i: number) => (targets ? targets[i % 2]! : targetOf(i))
  const lines = ['host1;user1;password1;port1;tls1;host2;user2;password2;port2;tls2']
  users.forEach((u, i) => lines.push(`127.0.0.1;${u};${i < N / 2 ? TEST_PASSWORD : ''};${sourceOf(i).port};none;127.0.0.1;${u};${TEST_PASSWORD};${target(i).port};none`))
  lines.push(...extra)
  const file = join(dir, name)
  writeFileSync(file, lines.join('\n') + '\n', { mode: 0o600 })
  return file
}

const run = (file: string, more: string[] = []) => spawnSync(process.execPath, [BIN, 'migrate', '--batch', file, '-c', join(dir, 'config'), '--max-connections-per-server', String(PER_SERVER), '--parallel-mailboxes', '6', '--json', ...more], { encoding: 'utf8', timeout: 300_000 })
const events = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, any>)

/** sha256 of every message per folder, sorted: what "byte-identical" compares. */
async function contents(port: number, user: string, password: string): Promise<Record<string, string[]>> {
  return withImapClient(port, user, async (c) => {
    const out: Record<string, string[]> = {}
    for (const f of ['INBOX', 'Work']) {
      const lock = await c.getMailboxLock(f)
      try {
        const hashes: string[] = []
        for await (const m of c.fetch('1:*', { source: true }, { uid: true })) hashes.push(createHash('sha256').update(m.source!).digest('hex'))
        out[f] = hashes.sort()
      } catch {
        out[f] = []
      } finally {
        lock.release()
      }
    }
    return out
  }, password)
}

async function assertAllExact(what: string, targets?: [DovecotInstance, DovecotInstance]): Promise<void> {
  for (let i = 0; i < N; i++) {
    const src = await contents(sourceOf(i).port, users[i]!, sourcePassword(i))
    const dst = await contents((targets ? targets[i % 2]! : targetOf(i)).port, users[i]!, TEST_PASSWORD)
    assert.equal(src.INBOX!.length, 3)
    assert.deepEqual(dst, src, `${what}: ${users[i]} byte-identical, nothing lost or doubled`)
  }
}

/** The most sessions of `users` logged in at once, in the order the server logged logins and ends. */
function peakSessions(d: DovecotInstance, from: number, to: number): number {
  const open = new Set<string>()
  let peak = 0
  for (const line of d.log().slice(from, to).split('\n')) {
    const login = /imap-login: Info: Login: user=<(m\d\d)>.*session=<([^>]+)>/.exec(line)
    if (login) {
      open.add(login[2]!)
      peak = Math.max(peak, open.size)
      continue
    }
    const end = /imap\(m\d\d\)<\d+><([^>]+)>: Info: Disconnected/.exec(line)
    if (end) open.delete(end[1]!)
  }
  return peak
}

test('a batch of 50 mailboxes across 2+2 servers: exact, bad rows fail alone, the per-server budget holds, a re-run copies nothing', async () => {
  const file = batchFile('fleet.csv', [
    `no-such-host.invalid;m01;${TEST_PASSWORD};143;none;127.0.0.1;m01;${TEST_PASSWORD};${t1.port};none`,
    `127.0.0.1;m02;wrong-password;${s1.port};none;127.0.0.1;m02;${TEST_PASSWORD};${t2.port};none`,
    'just one field',
  ])
  const servers = [s1, s2, t1, t2]
  const logFrom = servers.map((d) => d.log().length)
  const first = run(file, ['--report', join(dir, 'report.json')])
  const logTo = servers.map((d) => d.log().length)
  assert.equal(first.status, 75, 'some mailboxes need attention')
  const done = events(first.stdout).filter((e) => e.type === 'mailbox-done')
  assert.equal(done.filter((e) => e.outcome.state === 'done').length, N, first.stderr.slice(-2000))
  const failed = done.filter((e) => e.outcome.state === 'failed')
  assert.equal(failed.length, 3)
  assert.ok(failed.some((e) => /no-such-host/.test(e.source) && e.outcome.errorKind === 'network'), JSON.stringify(failed))
  assert.ok(failed.some((e) => /m02/.test(e.source) && e.outcome.errorKind === 'auth'))
  assert.ok(failed.some((e) => e.key === `line ${N + 4}` && /1 field/.test(e.outcome.error)))
  const report = readFileSync(join(dir, 'report.json'), 'utf8')
  for (const secret of [TEST_PASSWORD, ADMIN, 'wrong-password']) {
    assert.ok(!report.includes(secret) && !first.stdout.includes(secret) && !first.stderr.includes(secret), 'no password in the report or the output')
  }
  assert.equal(JSON.parse(report).mailboxes.length, N + 3)
  await assertAllExact('first run')
  servers.forEach((d, k) => {
    const peak = peakSessions(d, logFrom[k]!, logTo[k]!)
    assert.ok(peak >= 1 && peak <= PER_SERVER, `at most ${PER_SERVER} of our sessions at once on server ${k + 1} (saw ${peak})`)
  })
  assert.match(s2.log(), /Login: user=<m26>/, 'the admin opened the users of S2')

  const again = run(batchFile('fleet.csv'))
  assert.equal(again.status, 0, again.stderr.slice(-2000))
  const redone = events(again.stdout).filter((e) => e.type === 'mailbox-done')
  assert.equal(redone.length, N)
  assert.ok(redone.every((e) => e.outcome.state === 'done' && e.outcome.copied === 0), 'nothing copied twice')
  await assertAllExact('re-run')

  const status = spawnSync(process.execPath, [BIN, 'batch', 'status', file, '-c', join(dir, 'config')], { encoding: 'utf8' })
  assert.equal(status.status, 0, status.stdout + status.stderr)
  assert.match(status.stdout, new RegExp(`\\n${N} done of ${N} mailboxes`), 'the file is the batch: rows it no longer lists are dropped')
})

test('a CSV with passwords that others can read is refused, and nothing is migrated', async () => {
  const file = batchFile('open.csv')
  chmodSync(file, 0o644)
  const r = run(file)
  assert.equal(r.status, 78)
  assert.match(r.stderr, /0600/)
  assert.ok(!r.stderr.includes(TEST_PASSWORD))
  assert.equal(events(r.stdout).filter((e) => e.type === 'mailbox-start').length, 0)
})

test('a batch killed half-way (SIGKILL) and run again ends exact', async () => {
  // new, empty targets and a ledger and status caches of their own
  const [k1, k2] = await Promise.all([startDovecot({ users }), startDovecot({ users })])
  try {
    const file = batchFile('killed.csv', [], [k1, k2])
    const child = startCli(['migrate', '--batch', file, '-c', join(dir, 'config'), '--max-connections-per-server', String(PER_SERVER), '--parallel-mailboxes', '6', '--json'])
    await child.waitForEvent((e) => e.type === 'mailbox-done' && e.outcome.copied > 0, 'a first mailbox done')
    child.child.kill('SIGKILL')
    const end = await child.ended
    assert.equal(end.signal, 'SIGKILL')
    assert.ok(child.events.filter((e) => e.type === 'mailbox-done').length < N, 'killed before the end')
    const rerun = run(file)
    assert.equal(rerun.status, 0, rerun.stderr.slice(-2000))
    await assertAllExact('after the kill and a re-run', [k1, k2])
  } finally {
    await Promise.all([k1.stop(), k2.stop()])
  }
})

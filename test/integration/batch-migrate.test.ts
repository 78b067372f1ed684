// `mailsync migrate --batch` with the real binary, between two source and two target Dovecots:
// 50 mailboxes (those of one source server reached only through its master user, their own
// passwords unknown) plus three bad rows. Every good mailbox ends byte-identical; the bad rows fail
// with their reason and stop nothing; no server ever has more logged-in sessions of ours at once
// than the budget (counted in its log); a re-run copies nothing; a batch killed half-way and run
// again ends exact, nothing lost or doubled.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, chmodSync, writeFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { startDovecot, TEST_PASSWORD, type DovecotInstance } from '../support/dovecot.js'
import { startCli } from '../support/cli-process.js'
import { withImapClient } from '../support/imap-client.js'
import { ADMIN, peakSessions, startFleetWorld, type FleetWorld } from '../support/fleet-world.js'

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'run.js')
const N = 50
const PER_SERVER = 4
let w: FleetWorld
let s1: DovecotInstance, s2: DovecotInstance, t1: DovecotInstance, t2: DovecotInstance
let dir: string
let config: string

before(async () => {
  w = await startFleetWorld(N, 'mailsync-batch-')
  ;({ s1, s2, t1, t2, dir } = w)
  config = w.config()
})
after(async () => { await w?.stop() })

const batchFile = (name: string, extra: string[] = [], targets?: [DovecotInstance, DovecotInstance]) => w.batchFile(name, extra, targets)
const assertAllExact = (what: string, targets?: [DovecotInstance, DovecotInstance]) => w.assertAllExact(what, targets)
const run = (file: string, more: string[] = []) => spawnSync(process.execPath, [BIN, 'migrate', '--batch', file, '-c', config, '--max-connections-per-server', String(PER_SERVER), '--parallel-mailboxes', '6', '--json', ...more], { encoding: 'utf8', timeout: 300_000 })
const events = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, any>)

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

  const status = spawnSync(process.execPath, [BIN, 'batch', 'status', file, '-c', config], { encoding: 'utf8' })
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
  const [k1, k2] = await Promise.all([startDovecot({ users: w.users }), startDovecot({ users: w.users })])
  try {
    const file = batchFile('killed.csv', [], [k1, k2])
    const child = startCli(['migrate', '--batch', file, '-c', config, '--max-connections-per-server', String(PER_SERVER), '--parallel-mailboxes', '6', '--json'])
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

test('a row with a prefix: the mailbox lands under that folder on the target, the target\'s own folders untouched, and a re-run copies nothing', async () => {
  // m01 goes to t2 in the other tests; here to its (empty) mailbox on t1, under Old/Home
  await withImapClient(t1.port, 'm01', async (c) => {
    await c.append('INBOX', Buffer.from('Message-ID: <own@t1>\r\nSubject: own\r\n\r\nthe target\'s own mail\r\n'))
  })
  const file = join(dir, 'prefix.csv')
  writeFileSync(file, `host1;user1;password1;port1;tls1;host2;user2;password2;port2;tls2;prefix\n127.0.0.1;m01;${TEST_PASSWORD};${s1.port};none;127.0.0.1;m01;${TEST_PASSWORD};${t1.port};none;Old/Home\n`, { mode: 0o600 })
  const first = run(file)
  assert.equal(first.status, 0, first.stderr.slice(-2000))
  const folders = await withImapClient(t1.port, 'm01', async (c) => (await c.list()).map((f) => f.path).sort())
  const sourceFolders = await withImapClient(s1.port, 'm01', async (c) => (await c.list()).map((f) => f.path))
  assert.ok(sourceFolders.includes('Sent') && sourceFolders.includes('Work'))
  assert.deepEqual(folders.filter((f) => f.startsWith('Old')), ['Old', 'Old/Home', ...sourceFolders.map((f) => `Old/Home/${f}`)].sort(), 'every source folder under the prefix, the special ones too (by name, not into the target\'s own)')
  const hashes = (port: number, folder: string) => withImapClient(port, 'm01', async (c) => {
    const lock = await c.getMailboxLock(folder)
    try {
      const out: string[] = []
      for await (const m of c.fetch('1:*', { source: true }, { uid: true })) out.push(createHash('sha256').update(m.source!).digest('hex'))
      return out.sort()
    } finally {
      lock.release()
    }
  })
  assert.deepEqual(await hashes(t1.port, 'Old/Home/INBOX'), await hashes(s1.port, 'INBOX'), 'byte-identical under the prefix')
  assert.deepEqual(await hashes(t1.port, 'Old/Home/Work'), await hashes(s1.port, 'Work'))
  assert.equal((await hashes(t1.port, 'INBOX')).length, 1, 'the target\'s own INBOX keeps its one message, and gets none')
  const again = run(file)
  assert.equal(again.status, 0)
  assert.ok(events(again.stdout).filter((e) => e.type === 'mailbox-done').every((e) => e.outcome.copied === 0), 'nothing copied twice')
})

// The fleet on Redis with the real binary: `batch enqueue` puts 50 mailboxes (two source and two
// target Dovecots, half the sources reachable only through a master user) and three bad rows on a
// queue in a real redis-server; three `mailsync worker` processes, each with its own config and
// state (as on three machines), take them. Every good mailbox ends byte-identical; no server ever
// has more of our sessions at once than the budget, across all three workers (counted in its
// log); no password is anywhere in Redis; the bad rows fail alone with their reason (a wrong
// password without retries, an unknown host after its bounded retries); enqueuing again re-checks
// everything and copies nothing. A worker killed mid-job (SIGKILL) has its mailboxes taken over
// by another worker once its lock runs out, and every mailbox still ends exact.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { startDovecot, TEST_PASSWORD, type DovecotInstance } from '../support/dovecot.js'
import { startCli, type CliProcess } from '../support/cli-process.js'
import { ADMIN, peakSessions, startFleetWorld, type FleetWorld } from '../support/fleet-world.js'
import { startRedis, type RedisInstance } from '../support/redis.js'

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'run.js')
const N = 50
const PER_SERVER = 4
let w: FleetWorld
let redis: RedisInstance

before(async () => {
  ;[w, redis] = await Promise.all([startFleetWorld(N, 'mailsync-fleet-'), startRedis()])
})
after(async () => {
  await Promise.all([w?.stop(), redis?.stop()])
})

const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 300_000 })
const enqueue = (file: string, queue: string, more: string[] = []) => cli(['batch', 'enqueue', file, '--redis', redis.url, '--queue', queue, '--max-connections-per-server', String(PER_SERVER), '--json', ...more])
const status = (queue: string) => {
  const r = cli(['batch', 'status', '--redis', redis.url, '--queue', queue, '--json'])
  return { code: r.status, stderr: r.stderr, mailboxes: (r.stdout ? JSON.parse(r.stdout).mailboxes : []) as Record<string, any>[] }
}
/** A worker as on its own machine: its own config and state directory, passwords from its copy of the file. */
const worker = (name: string, queue: string, file: string, more: string[] = []): CliProcess =>
  startCli(['worker', '--redis', redis.url, '--queue', queue, '-c', w.config(name), '--passwords', file, '--concurrency', '3', '--lock-seconds', '3', '--json', ...more])
const done = (p: CliProcess) => p.events.filter((e) => e.type === 'mailbox-done')

/** Every value of every key in Redis, as text: what "no password in Redis" searches. */
async function everythingInRedis(): Promise<string> {
  const c = new Redis(redis.url)
  try {
    const out: string[] = []
    for (const key of await c.keys('*')) {
      const type = await c.type(key)
      if (type === 'string') out.push(key, (await c.get(key)) ?? '')
      else if (type === 'hash') out.push(key, JSON.stringify(await c.hgetall(key)))
      else if (type === 'list') out.push(key, ...(await c.lrange(key, 0, -1)))
      else if (type === 'zset') out.push(key, ...(await c.zrange(key, 0, -1)))
      else if (type === 'set') out.push(key, ...(await c.smembers(key)))
      else if (type === 'stream') out.push(key, JSON.stringify(await c.xrange(key, '-', '+')))
    }
    return out.join('\n')
  } finally {
    c.disconnect()
  }
}

test('three workers on Redis: 50 mailboxes exact, the budget holds across them, no password in Redis, bad rows fail alone, a re-enqueue copies nothing', async () => {
  const file = w.batchFile('fleet.csv', [
    `no-such-host.invalid;m01;${TEST_PASSWORD};143;none;127.0.0.1;m01;${TEST_PASSWORD};${w.t1.port};none`,
    `127.0.0.1;m02;wrong-password;${w.s1.port};none;127.0.0.1;m02;${TEST_PASSWORD};${w.t2.port};none`,
    'just one field',
  ])
  const q = enqueue(file, 'fleet', ['--attempts', '2', '--backoff-seconds', '1'])
  assert.equal(q.status, 75, `a line could not be queued: ${q.stderr}`)
  assert.deepEqual({ ...JSON.parse(q.stdout), redis: undefined }, { queue: 'fleet', redis: undefined, added: N + 2, requeued: 0, alreadyQueued: 0, rowErrors: 1, passwordsLeftOut: true })
  const before = status('fleet')
  assert.equal(before.mailboxes.filter((m) => m.state === 'pending').length, N + 2, 'queued, not started')

  const servers = [w.s1, w.s2, w.t1, w.t2]
  const logFrom = servers.map((d) => d.log().length)
  const workers = ['w1', 'w2', 'w3'].map((name) => worker(name, 'fleet', file, ['--until-empty']))
  const ends = await Promise.all(workers.map((p) => p.ended))
  const logTo = servers.map((d) => d.log().length)
  ends.forEach((e, k) => assert.equal(e.code, 0, `worker ${k + 1}: ${e.stderr.slice(-2000)}`))
  const byWorker = workers.map((p) => done(p).filter((e) => e.outcome.state === 'done').length)
  assert.equal(byWorker.reduce((a, b) => a + b, 0), N, 'each good mailbox done once')
  assert.ok(byWorker.filter((n) => n > 0).length >= 2, `the work was shared (${byWorker})`)

  const s = status('fleet')
  assert.equal(s.code, 75, 'some mailboxes need attention')
  assert.equal(s.mailboxes.filter((m) => m.state === 'done').length, N)
  const failed = s.mailboxes.filter((m) => m.state === 'failed')
  assert.equal(failed.length, 3, JSON.stringify(failed))
  const unknownHost = failed.find((m) => /no-such-host/.test(m.source))
  assert.equal(unknownHost?.errorKind, 'network')
  assert.equal(unknownHost?.attempts, 2, 'a network failure is retried, up to --attempts')
  const wrongPassword = failed.find((m) => /m02@127\.0\.0\.1/.test(m.source) && m.errorKind === 'auth')
  assert.ok(wrongPassword, JSON.stringify(failed))
  assert.equal(wrongPassword.attempts, 1, 'a wrong password is not tried again')
  assert.ok(failed.some((m) => m.key === `line ${N + 4}` && /1 field/.test(m.error)))

  await w.assertAllExact('three workers')
  servers.forEach((d, k) => {
    const peak = peakSessions(d, logFrom[k]!, logTo[k]!)
    assert.ok(peak >= 1 && peak <= PER_SERVER, `at most ${PER_SERVER} of our sessions at once on server ${k + 1} across three workers (saw ${peak})`)
  })
  assert.match(w.s2.log(), /Login: user=<m26>/, 'the admin opened the users of S2')

  const inRedis = await everythingInRedis()
  assert.ok(inRedis.includes('m26'), 'the search sees the jobs')
  for (const secret of [TEST_PASSWORD, ADMIN, 'wrong-password']) assert.ok(!inRedis.includes(secret), 'no password anywhere in Redis')
  for (const p of workers) for (const secret of [TEST_PASSWORD, ADMIN]) assert.ok(!p.stderr().includes(secret), 'nor in a worker\'s output')

  const again = enqueue(file, 'fleet', ['--attempts', '2', '--backoff-seconds', '1'])
  assert.equal(JSON.parse(again.stdout).requeued, N + 2, 'every ended mailbox queued again')
  const one = worker('w1', 'fleet', file, ['--until-empty'])
  assert.equal((await one.ended).code, 0)
  const redone = done(one).filter((e) => e.outcome.state === 'done')
  assert.equal(redone.length, N)
  assert.ok(redone.every((e) => e.outcome.copied === 0), 'nothing copied twice')
  await w.assertAllExact('re-enqueued')
  const after = status('fleet')
  assert.equal(after.mailboxes.filter((m) => m.state === 'done').length, N)
  assert.ok(after.mailboxes.filter((m) => m.state === 'done').every((m) => m.copied === 4), 'status sums copies over both jobs: 4 each')
})

test('a worker killed mid-job: another takes its mailboxes over after the lock runs out, and every mailbox ends exact', async () => {
  const [k1, k2] = await Promise.all([startDovecot({ users: w.users }), startDovecot({ users: w.users })])
  try {
    const file = w.batchFile('killed.csv', [], [k1, k2])
    assert.equal(enqueue(file, 'killed').status, 0)
    const victim = worker('victim', 'killed', file)
    // killed while it has mailboxes started and not ended
    await victim.waitForEvent((e) => e.type === 'mailbox-done' && e.outcome.copied > 0, 'a first mailbox done')
    const started = () => new Set(victim.events.filter((e) => e.type === 'mailbox-start').map((e) => e.key))
    const ended = () => new Set(done(victim).map((e) => e.key))
    await victim.waitForEvent(() => [...started()].some((k) => !ended().has(k)), 'a mailbox in flight')
    victim.child.kill('SIGKILL')
    assert.equal((await victim.ended).signal, 'SIGKILL')
    const inFlight = [...started()].filter((k) => !ended().has(k))
    assert.ok(inFlight.length >= 1)
    assert.ok(ended().size < N, 'killed before the end')
    const mid = status('killed')
    assert.ok(mid.mailboxes.filter((m) => inFlight.includes(m.key)).every((m) => m.state === 'running'), 'its mailboxes still look running, until the lock runs out')

    const heirs = ['h1', 'h2'].map((name) => worker(name, 'killed', file, ['--until-empty']))
    const ends = await Promise.all(heirs.map((p) => p.ended))
    ends.forEach((e) => assert.equal(e.code, 0, e.stderr.slice(-2000)))
    const heirsDone = new Set(heirs.flatMap((p) => done(p).filter((e) => e.outcome.state === 'done').map((e) => e.key)))
    for (const k of inFlight) assert.ok(heirsDone.has(k), `${k}: taken over and finished by another worker`)
    const s = status('killed')
    assert.equal(s.code, 0, JSON.stringify(s.mailboxes.filter((m) => m.state !== 'done')))
    assert.equal(s.mailboxes.filter((m) => m.state === 'done').length, N)
    await w.assertAllExact('after the kill and the takeover', [k1, k2])
  } finally {
    await Promise.all([k1.stop(), k2.stop()])
  }
})

test('bad input to the fleet commands: a clear error, nothing queued', () => {
  const file = w.batchFile('bad-input.csv')
  const noRedis = cli(['batch', 'enqueue', file, '--redis', 'redis://127.0.0.1:1'])
  assert.equal(noRedis.status, 69)
  assert.match(noRedis.stderr, /cannot reach Redis at redis:\/\/127\.0\.0\.1:1/)
  const notUrl = cli(['batch', 'enqueue', file, '--redis', 'localhost'])
  assert.equal(notUrl.status, 64)
  assert.match(notUrl.stderr, /is not a URL/)
  const badQueue = cli(['batch', 'enqueue', file, '--redis', redis.url, '--queue', 'a:b'])
  assert.equal(badQueue.status, 64)
  const empty = status('never-used')
  assert.equal(empty.code, 64)
  assert.match(empty.stderr, /nothing was queued on never-used/)
})

// The Redis-backed per-server connection budget against a real redis-server: several budgets on
// separate connections (as separate workers are) never grant more than the budget on a server
// together, admission is all-or-nothing across servers, a holder that stops renewing (a killed
// worker) loses its share when the lease runs out, and a holder whose lease ran out is told.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Redis } from 'ioredis'
import { RedisBudget } from '../../src/batch/redis-budget.js'
import { startRedis, type RedisInstance } from '../support/redis.js'
import { SeededRandom } from '../support/seeded-random.js'

let redis: RedisInstance
const clients: Redis[] = []
const client = () => {
  const c = new Redis(redis.url, { maxRetriesPerRequest: 1 })
  clients.push(c)
  return c
}
let n = 0
const prefix = () => `test:budget:${++n}`

before(async () => { redis = await startRedis() })
after(async () => {
  for (const c of clients) c.disconnect()
  await redis?.stop()
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

test('five budgets on five connections never hold more than the budget on any server together', async () => {
  const p = prefix()
  const budgets = Array.from({ length: 5 }, () => new RedisBudget(client(), { perServer: 4, pollMs: 5, prefix: p }))
  const servers = ['a:143', 'b:143', 'c:993']
  const held = new Map(servers.map((s) => [s, 0]))
  const peak = new Map(servers.map((s) => [s, 0]))
  const random = new SeededRandom(20261207)
  const rnd = () => random.next()
  const tasks = Array.from({ length: 60 }, async (_, i) => {
    const demand = new Map<string, number>()
    demand.set(servers[i % 3]!, 1 + Math.floor(rnd() * 2))
    demand.set(servers[(i + 1) % 3]!, 1 + Math.floor(rnd() * 2))
    const giveBack = await budgets[i % 5]!.acquire(demand)
    for (const [s, k] of demand) {
      held.set(s, held.get(s)! + k)
      peak.set(s, Math.max(peak.get(s)!, held.get(s)!))
    }
    assert.ok(await budgets[0]!.inUse(servers[i % 3]!) <= 4, 'Redis itself never counts more than the budget')
    await sleep(2 + Math.floor(rnd() * 10))
    for (const [s, k] of demand) held.set(s, held.get(s)! - k)
    await giveBack()
  })
  await Promise.all(tasks)
  for (const s of servers) {
    assert.ok(peak.get(s)! <= 4, `${s}: at most 4 at once (saw ${peak.get(s)})`)
    assert.ok(peak.get(s)! >= 3, `${s}: the budget was used, not serialised (saw ${peak.get(s)})`)
    assert.equal(await budgets[0]!.inUse(s), 0, `${s}: everything given back`)
  }
})

test('a demand on two servers waits whole: it takes nothing on the free one while the other is full', async () => {
  const p = prefix()
  const a = new RedisBudget(client(), { perServer: 3, pollMs: 5, prefix: p })
  const b = new RedisBudget(client(), { perServer: 3, pollMs: 5, prefix: p })
  const giveA = await a.acquire(new Map([['s1:1', 2]]))
  let admitted = false
  const waiting = b.acquire(new Map([['s1:1', 2], ['s2:1', 1]])).then((g) => { admitted = true; return g })
  await sleep(100)
  assert.equal(admitted, false, 's1 has room for 1, not 2: the demand waits')
  assert.equal(await a.inUse('s2:1'), 0, 'and holds nothing on s2 meanwhile')
  await giveA()
  const giveB = await waiting
  assert.equal(await a.inUse('s1:1'), 2)
  assert.equal(await a.inUse('s2:1'), 1)
  await giveB()
  assert.equal(await a.inUse('s1:1'), 0)
})

test('a holder that stops renewing (a killed worker) loses its share when its lease runs out', async () => {
  const p = prefix()
  const dying = client()
  const gone = new RedisBudget(dying, { perServer: 2, leaseMs: 300, pollMs: 20, prefix: p })
  await gone.acquire(new Map([['s:1', 2]]))
  dying.disconnect() // no renewal, no give-back: as if the process had been killed
  const other = new RedisBudget(client(), { perServer: 2, pollMs: 20, prefix: p })
  assert.equal(await other.inUse('s:1'), 2, 'held while the lease lasts')
  const t0 = Date.now()
  const give = await other.acquire(new Map([['s:1', 2]]))
  assert.ok(Date.now() - t0 >= 150, 'admitted only after the dead lease ran out')
  assert.equal(await other.inUse('s:1'), 2)
  await give()
})

test('a live holder keeps its lease past its length by renewing it; one whose lease is gone is told', async () => {
  const p = prefix()
  const lost: string[] = []
  const holder = new RedisBudget(client(), { perServer: 1, leaseMs: 150, pollMs: 10, prefix: p, onLost: (id) => lost.push(id) })
  const give = await holder.acquire(new Map([['s:1', 1]]))
  await sleep(400)
  assert.equal(await holder.inUse('s:1'), 1, 'renewed: still held after more than two lease lengths')
  assert.deepEqual(lost, [])
  await redis.command(['DEL', `${p}:s:1`]) // the lease vanishes (as when a stalled process misses its renewals)
  await sleep(200)
  assert.equal(lost.length, 1, 'the holder was told its lease is gone')
  await give()
})

test('a demand larger than the budget is refused at once, and waiting ends when aborted', async () => {
  const p = prefix()
  const b = new RedisBudget(client(), { perServer: 2, pollMs: 10, prefix: p })
  await assert.rejects(b.acquire(new Map([['s:1', 3]])), /can never fit a budget of 2/)
  const give = await b.acquire(new Map([['s:1', 2]]))
  const ac = new AbortController()
  const waiting = b.acquire(new Map([['s:1', 1]]), ac.signal)
  setTimeout(() => ac.abort(new Error('stop now')), 50)
  await assert.rejects(waiting, /stop now/)
  await give()
  assert.equal(await b.inUse('s:1'), 0, 'the aborted demand took nothing')
})

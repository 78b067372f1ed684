// LocalBudget: the per-server connection budget of a batch. A demand is admitted only when every
// server it names has room for all of it (taken at once, nothing held while waiting), a later
// small demand may pass an earlier big one, giving back is idempotent, an abort takes a waiting
// demand out of the queue, and no server ever has more than perServer in use.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { LocalBudget, addDemand, serverKey } from '../../src/batch/connection-budget.js'

type GiveBack = () => Promise<void>

/** Lets every pending promise callback (and the budget's admissions) run. */
async function ticks(n = 1): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise(setImmediate)
}

function demand(entries: Record<string, number>): Map<string, number> {
  return new Map(Object.entries(entries))
}

/** An acquire whose admission (or rejection) is observable as a flag. */
function track(p: Promise<GiveBack>): { admitted: boolean; rejected: unknown; giveBack: GiveBack | undefined; promise: Promise<GiveBack> } {
  const t = { admitted: false, rejected: undefined as unknown, giveBack: undefined as GiveBack | undefined, promise: p }
  p.then(
    (g) => {
      t.admitted = true
      t.giveBack = g
    },
    (e: unknown) => {
      t.rejected = e ?? new Error('rejected with nothing')
    },
  )
  return t
}

test('serverKey lower-cases the host and appends the port', () => {
  assert.equal(serverKey('Mail.Example.ORG', 993), 'mail.example.org:993')
  assert.equal(serverKey('mail.example.org', 143), 'mail.example.org:143')
  assert.notEqual(serverKey('a', 993), serverKey('a', 143), 'the port is part of the key')
})

test('addDemand adds to what the demand already wants on that server and returns the same map', () => {
  const d = new Map<string, number>()
  const r = addDemand(d, 'a:993', 2)
  assert.equal(r, d)
  addDemand(d, 'a:993', 3)
  addDemand(d, 'b:993', 1)
  assert.deepEqual([...d], [['a:993', 5], ['b:993', 1]])
})

test('the constructor rejects a perServer that is not a positive integer', () => {
  assert.throws(() => new LocalBudget(0), RangeError)
  assert.throws(() => new LocalBudget(1.5), RangeError)
  assert.throws(() => new LocalBudget(-1), RangeError)
  assert.equal(new LocalBudget(1).perServer, 1)
})

test('demands that fit are admitted at once', async () => {
  const b = new LocalBudget(3)
  const x = track(b.acquire(demand({ 'a:993': 2 })))
  const y = track(b.acquire(demand({ 'a:993': 1, 'b:993': 3 })))
  await ticks()
  assert.equal(x.admitted, true)
  assert.equal(y.admitted, true)
  assert.equal(b.peak.get('a:993'), 3)
  assert.equal(b.peak.get('b:993'), 3)
})

test('a demand that does not fit waits until enough is given back', async () => {
  const b = new LocalBudget(3)
  const first = await b.acquire(demand({ 'a:993': 2 }))
  const second = await b.acquire(demand({ 'a:993': 1 }))
  const waiter = track(b.acquire(demand({ 'a:993': 2 })))
  await ticks(3)
  assert.equal(waiter.admitted, false, '2 more do not fit while 3 of 3 are in use')
  await second()
  await ticks(3)
  assert.equal(waiter.admitted, false, 'only 1 free: still does not fit')
  await first()
  await ticks()
  assert.equal(waiter.admitted, true, 'admitted once 3 are free')
  assert.equal(b.peak.get('a:993'), 3)
})

test('a multi-server demand is admitted only when all its servers have room, and holds nothing while it waits', async () => {
  const b = new LocalBudget(2)
  const onA = await b.acquire(demand({ 'a:993': 2 }))
  const both = track(b.acquire(demand({ 'a:993': 1, 'b:993': 2 })))
  await ticks(3)
  assert.equal(both.admitted, false, 'a is full, so the demand waits even though b has room')

  // Had the waiting demand taken its 2 on b, this would not fit.
  const onB = track(b.acquire(demand({ 'b:993': 2 })))
  await ticks()
  assert.equal(onB.admitted, true, 'nothing was taken from b while the multi-server demand waited')
  assert.equal(b.peak.get('b:993'), 2)

  await onA()
  await ticks(3)
  assert.equal(both.admitted, false, 'a has room now but b does not: still waits')

  await onB.giveBack!()
  await ticks()
  assert.equal(both.admitted, true, 'admitted once both servers have room')
  assert.equal(b.peak.get('a:993'), 2)
  assert.equal(b.peak.get('b:993'), 2)

  // It really holds 1 on a and 2 on b now.
  const moreA = track(b.acquire(demand({ 'a:993': 2 })))
  const oneA = track(b.acquire(demand({ 'a:993': 1 })))
  const oneB = track(b.acquire(demand({ 'b:993': 1 })))
  await ticks()
  assert.equal(moreA.admitted, false)
  assert.equal(oneA.admitted, true)
  assert.equal(oneB.admitted, false)
  await both.giveBack!()
  await ticks()
  assert.equal(oneB.admitted, true)
  assert.equal(moreA.admitted, false, 'a still has the 1 of oneA')
  await oneA.giveBack!()
  await ticks()
  assert.equal(moreA.admitted, true)
})

test('a later small demand may pass an earlier big one that is waiting', async () => {
  const b = new LocalBudget(3)
  const held = await b.acquire(demand({ 'a:993': 2 }))
  const big = track(b.acquire(demand({ 'a:993': 3 })))
  const small = track(b.acquire(demand({ 'a:993': 1 })))
  await ticks()
  assert.equal(big.admitted, false)
  assert.equal(small.admitted, true, 'the small one fits and is not held up by the big one')
  await held()
  await ticks(3)
  assert.equal(big.admitted, false, 'the small one still holds 1')
  await small.giveBack!()
  await ticks()
  assert.equal(big.admitted, true)
})

test('giving back twice counts once', async () => {
  const b = new LocalBudget(2)
  const first = await b.acquire(demand({ 'a:993': 2 }))
  await first()
  await first()
  const second = track(b.acquire(demand({ 'a:993': 2 })))
  await ticks()
  assert.equal(second.admitted, true)
  const third = track(b.acquire(demand({ 'a:993': 1 })))
  await ticks(3)
  assert.equal(third.admitted, false, 'the second give-back of the first must not free room')
  assert.equal(b.peak.get('a:993'), 2)
  await second.giveBack!()
  await ticks()
  assert.equal(third.admitted, true)
})

test('an abort removes a waiting demand: it rejects, takes nothing, and later ones are still admitted', async () => {
  const b = new LocalBudget(1)
  const held = await b.acquire(demand({ 'a:993': 1 }))
  const ac = new AbortController()
  const aborted = track(b.acquire(demand({ 'a:993': 1 }), ac.signal))
  const later = track(b.acquire(demand({ 'a:993': 1 })))
  await ticks()
  assert.equal(aborted.admitted, false)
  assert.equal(later.admitted, false)

  const reason = new Error('stop waiting')
  ac.abort(reason)
  await ticks()
  assert.equal(aborted.rejected, reason, 'rejects with the signal reason')
  assert.equal(aborted.admitted, false)

  await held()
  await ticks()
  // Were the aborted demand still queued ahead, it would take the one free connection.
  assert.equal(later.admitted, true, 'the next waiting demand gets the room')
  assert.equal(aborted.admitted, false, 'the aborted demand never takes anything')

  const extra = track(b.acquire(demand({ 'a:993': 1 })))
  await ticks(3)
  assert.equal(extra.admitted, false, 'exactly one connection in use: the later one')
  await later.giveBack!()
  await ticks()
  assert.equal(extra.admitted, true)
  assert.equal(b.peak.get('a:993'), 1)
})

test('a signal aborted before acquire rejects without taking anything', async () => {
  const b = new LocalBudget(1)
  const reason = new Error('already stopped')
  const t = track(b.acquire(demand({ 'a:993': 1 }), AbortSignal.abort(reason)))
  await ticks()
  assert.equal(t.rejected, reason)
  assert.equal(t.admitted, false)
  const next = track(b.acquire(demand({ 'a:993': 1 })))
  await ticks()
  assert.equal(next.admitted, true, 'the budget is untouched')
})

test('aborting after admission changes nothing', async () => {
  const b = new LocalBudget(1)
  const ac = new AbortController()
  const t = track(b.acquire(demand({ 'a:993': 1 }), ac.signal))
  await ticks()
  assert.equal(t.admitted, true)
  ac.abort()
  await ticks()
  assert.equal(t.rejected, undefined)
  const next = track(b.acquire(demand({ 'a:993': 1 })))
  await ticks(3)
  assert.equal(next.admitted, false, 'the admitted demand still holds its connection')
  await t.giveBack!()
  await ticks()
  assert.equal(next.admitted, true)
})

test('a demand larger than perServer rejects at once with a RangeError and takes nothing', async () => {
  const b = new LocalBudget(5)
  const t = track(b.acquire(demand({ 'b:993': 1, 'a:993': 6 })))
  await ticks()
  assert.ok(t.rejected instanceof RangeError, `expected a RangeError, got ${String(t.rejected)}`)
  assert.equal(t.admitted, false)
  await assert.rejects(b.acquire(demand({ 'a:993': 6 })), RangeError)
  const full = track(b.acquire(demand({ 'a:993': 5, 'b:993': 5 })))
  await ticks()
  assert.equal(full.admitted, true, 'nothing was taken by the rejected demands')
  assert.equal(b.peak.get('a:993'), 5)
  assert.equal(b.peak.get('b:993'), 5)
})

/** mulberry32: a small seeded PRNG, so the stress run is the same every time. */
function prng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

test('stress: 200 random acquirers over 3 servers never exceed perServer and all finish', async () => {
  const perServer = 5
  const servers = ['s1:993', 's2:993', 's3:993']
  const rand = prng(20240611)
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1))
  const b = new LocalBudget(perServer)
  const inUse = new Map(servers.map((s) => [s, 0]))
  const maxSeen = new Map(servers.map((s) => [s, 0]))
  let over = 0
  let finished = 0
  let waitedAtLeastOnce = 0

  const acquirers = Array.from({ length: 200 }, async () => {
    const d = new Map<string, number>()
    const pool = [...servers]
    for (let k = int(1, 2); k > 0; k--) {
      const [server] = pool.splice(int(0, pool.length - 1), 1)
      d.set(server!, int(1, 3))
    }
    const startAfter = int(0, 5)
    const holdFor = int(1, 4)
    await ticks(startAfter)
    let admittedYet = false
    const p = b.acquire(d).then((giveBack) => {
      admittedYet = true
      for (const [s, n] of d) {
        const now = inUse.get(s)! + n
        inUse.set(s, now)
        if (now > perServer) over++
        maxSeen.set(s, Math.max(maxSeen.get(s)!, now))
      }
      return giveBack
    })
    await ticks()
    if (!admittedYet) waitedAtLeastOnce++
    const giveBack = await p
    await ticks(holdFor)
    for (const [s, n] of d) inUse.set(s, inUse.get(s)! - n)
    await giveBack()
    finished++
  })
  await Promise.all(acquirers)

  assert.equal(finished, 200)
  assert.equal(over, 0, 'no server ever had more than perServer in use')
  assert.ok(waitedAtLeastOnce > 0, 'the run had contention (some acquirers had to wait)')
  for (const s of servers) {
    assert.equal(inUse.get(s), 0)
    const peak = b.peak.get(s)
    assert.ok(peak !== undefined && peak <= perServer, `peak of ${s} is ${peak}`)
    assert.equal(peak, maxSeen.get(s), `peak of ${s} is the most observed in use`)
  }
  assert.ok(servers.some((s) => maxSeen.get(s) === perServer), 'some server was filled to the budget')

  // Everything was given back: a full demand on every server fits at once.
  const all = track(b.acquire(new Map(servers.map((s) => [s, perServer]))))
  await ticks()
  assert.equal(all.admitted, true)
})

// The transfer limiter's schedule on a fake clock: the first message goes at once, each next one
// when those before it are paid for (bytes / rate, 1 / rate), also when several connections ask
// at the same time; without a rate nothing waits.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { TransferRate } from '../../src/repository/imap/transfer-rate.js'

function clocked(o: { bytesPerSecond?: number; messagesPerSecond?: number }) {
  let now = 0
  const starts: number[] = []
  const rate = new TransferRate({ ...o, now: () => now, sleep: async (ms) => void (now += ms) })
  const send = async (bytes: number) => {
    await rate.take(bytes)
    starts.push(now)
  }
  return { rate, send, starts, at: () => now }
}

test('bytes per second: each message starts when the bytes before it are paid for', async () => {
  const c = clocked({ bytesPerSecond: 1000 })
  for (const n of [500, 2000, 100, 100]) await c.send(n)
  assert.deepEqual(c.starts, [0, 500, 2500, 2600])
  assert.equal(c.rate.waitedMs, 2600)
})

test('messages per second, and both rates: the stricter one holds', async () => {
  const m = clocked({ messagesPerSecond: 4 })
  for (let i = 0; i < 5; i++) await m.send(1)
  assert.deepEqual(m.starts, [0, 250, 500, 750, 1000])
  const both = clocked({ bytesPerSecond: 1000, messagesPerSecond: 2 })
  for (const n of [100, 100, 3000, 100]) await both.send(n)
  assert.deepEqual(both.starts, [0, 500, 1000, 4000])
})

test('shared by connections: callers at the same moment queue one behind the other', async () => {
  let now = 0
  const timers: { at: number; done: () => void }[] = []
  const rate = new TransferRate({ bytesPerSecond: 1000, now: () => now, sleep: (ms) => new Promise<void>((done) => timers.push({ at: now + ms, done })) })
  const starts: number[] = []
  const all = [300, 300, 300].map((n) => rate.take(n).then(() => starts.push(now)))
  // run the fake timers in order
  await Promise.resolve()
  while (timers.length) {
    timers.sort((a, b) => a.at - b.at)
    const t = timers.shift()!
    now = t.at
    t.done()
    await new Promise((r) => setImmediate(r))
  }
  await Promise.all(all)
  assert.deepEqual(starts.sort((a, b) => a - b), [0, 300, 600])
  assert.equal(TransferRate.of({}), undefined, 'no rate: no limiter, nothing waits')
})

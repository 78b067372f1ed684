// The watcher's schedule: which rounds are quick, what a push or a signal does while a round runs,
// back-off after failures, SIGUSR2 and the stop signal; and the clock-jump arithmetic.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { WatchLoop, type RoundRequest } from '../../src/watch/watch-loop.js'
import { jumpBetween } from '../../src/watch/clock-jump.js'
import { watchArgv, watchMode } from '../../src/cli/watch-flags.js'

const account = (name: string, o: { autorefresh?: number; quick?: number } = {}) => ({ name, get: (k: string) => (k === 'autorefresh' ? o.autorefresh : k === 'quick' ? o.quick : undefined) }) as never

test('quick = 2: two quick rounds between full ones; a signal makes the next round full', async () => {
  const stop = new AbortController()
  const seen: RoundRequest[] = []
  const loop = new WatchLoop({
    accounts: [{ name: 'a', intervalMs: 1, quick: 2 }],
    stop: stop.signal,
    maxRounds: 7,
    round: async (r) => {
      seen.push(r)
      if (seen.length === 4) loop.trigger('signal', { full: true })
      return { exitCode: 0 }
    },
  })
  assert.equal(await loop.run(), 0)
  assert.deepEqual(seen.map((r) => (r.quick ? 'q' : 'F')).join(''), 'FqqFFqF')
})

test('a push during a round makes one more round right after it; pushes close together make one', async () => {
  const stop = new AbortController()
  const seen: RoundRequest[] = []
  const loop = new WatchLoop({
    accounts: [{ name: 'a', intervalMs: 3_600_000, quick: 0 }],
    stop: stop.signal,
    onWait: () => {
      if (seen.length === 2) stop.abort()
    },
    round: async (r) => {
      seen.push(r)
      if (seen.length === 1) for (let i = 0; i < 5; i++) loop.trigger('push', { accounts: ['a'], settleMs: 10 })
      return { exitCode: 0 }
    },
  })
  assert.equal(await loop.run(), 0)
  assert.deepEqual(seen.map((r) => r.reason), ['start', 'push'])
})

test('failed rounds are tried again with growing waits, never longer than the interval; success resets', async () => {
  const stop = new AbortController()
  const waits: number[] = []
  let n = 0
  const loop = new WatchLoop({
    accounts: [{ name: 'a', intervalMs: 200, quick: 0 }],
    stop: stop.signal,
    retryDelaysMs: [20, 60, 500],
    maxRounds: 5,
    onWait: (ms) => void waits.push(ms),
    round: async () => ({ exitCode: ++n <= 3 ? 69 : 0 }),
  })
  assert.equal(await loop.run(), 0)
  const rounded = waits.map((w) => Math.round(w / 20) * 20)
  assert.deepEqual(rounded, [20, 60, 200, 200], 'after 1, 2, 3 failures, then the interval again')
})

test('a round the provider throttled to the end (80) or that reached a daily limit (81) is not retried quickly: the next waits the interval', async () => {
  for (const code of [80, 81]) {
    const stop = new AbortController()
    const waits: number[] = []
    let n = 0
    const loop = new WatchLoop({
      accounts: [{ name: 'a', intervalMs: 200, quick: 0 }],
      stop: stop.signal,
      retryDelaysMs: [20, 60, 500],
      maxRounds: 3,
      onWait: (ms) => void waits.push(ms),
      round: async () => ({ exitCode: ++n <= 2 ? code : 0 }),
    })
    assert.equal(await loop.run(), 0)
    assert.deepEqual(waits.map((w) => Math.round(w / 20) * 20), [200, 200], `exit ${code}`)
  }
})

test('SIGUSR2 (finish) ends after the round in flight with its exit code; the stop signal ends between rounds', async () => {
  const stop = new AbortController()
  let rounds = 0
  const loop = new WatchLoop({
    accounts: [{ name: 'a', intervalMs: 1, quick: 0 }],
    stop: stop.signal,
    round: async () => {
      rounds++
      loop.finish()
      return { exitCode: 75 }
    },
  })
  assert.equal(await loop.run(), 75)
  assert.equal(rounds, 1)
  const stop2 = new AbortController()
  const idle = new WatchLoop({ accounts: [{ name: 'a', intervalMs: 3_600_000, quick: 0 }], stop: stop2.signal, onWait: () => stop2.abort(), round: async () => ({ exitCode: 0 }) })
  assert.equal(await idle.run(), 0)
})

test('a round stopped by the stop signal ends the loop with its code', async () => {
  const stop = new AbortController()
  const loop = new WatchLoop({ accounts: [{ name: 'a', intervalMs: 1, quick: 0 }], stop: stop.signal, round: async () => ({ exitCode: 143, stopped: true }) })
  assert.equal(await loop.run(), 143)
})

test('two accounts with their own intervals: each round runs the accounts that are due', async () => {
  const stop = new AbortController()
  const seen: string[] = []
  const loop = new WatchLoop({
    accounts: [{ name: 'fast', intervalMs: 30, quick: 0 }, { name: 'slow', intervalMs: 3_600_000, quick: 0 }],
    stop: stop.signal,
    maxRounds: 3,
    round: async (r) => {
      seen.push(r.accounts.join('+'))
      return { exitCode: 0 }
    },
  })
  await loop.run()
  assert.deepEqual(seen, ['fast+slow', 'fast', 'fast'])
})

test('clock jumps: a suspend moves the wall clock past the monotonic one; a frozen process makes the tick late', () => {
  assert.equal(jumpBetween({ wall: 0, mono: 0 }, { wall: 5_000, mono: 5_000 }, 5_000), 0)
  assert.equal(jumpBetween({ wall: 0, mono: 0 }, { wall: 3_605_000, mono: 5_000 }, 5_000), 3_600_000)
  assert.equal(jumpBetween({ wall: 0, mono: 0 }, { wall: 65_000, mono: 65_000 }, 5_000), 60_000)
})

test('--watch with and without minutes, --once, and autorefresh (sync only)', () => {
  assert.deepEqual(watchArgv(['-c', 'x', '--watch', 'work']), ['-c', 'x', '--watch=auto', 'work'])
  assert.deepEqual(watchArgv(['--', '--watch']), ['--', '--watch'])
  const plain = [account('a')]
  const refreshing = [account('a', { autorefresh: 5 })]
  assert.deepEqual(watchMode({ watch: 'auto', once: false }, plain, true), { watch: true })
  assert.deepEqual(watchMode({ watch: '0.5', once: false }, plain, true), { watch: true, minutes: 0.5 })
  assert.deepEqual(watchMode({ once: false }, refreshing, true), { watch: true })
  assert.deepEqual(watchMode({ once: true }, refreshing, true), { watch: false })
  assert.deepEqual(watchMode({ once: false }, refreshing, false), { watch: false }, 'backup: autorefresh alone does not keep it running')
  assert.throws(() => watchMode({ watch: 'soon', once: false }, plain, true), /--watch=soon: give the minutes between rounds/)
  assert.throws(() => watchMode({ watch: '0', once: false }, plain, true), /positive number/)
})

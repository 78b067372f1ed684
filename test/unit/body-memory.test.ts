// BodyMemory: a full GC after every few MB of message bodies, only while more than the limit is
// held outside V8's heap, and the real gc() is reachable in this runtime (without it the bodies
// already written pile up until V8's own, much later, full GC).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import v8 from 'node:v8'
import { BodyMemory } from '../../src/engine/body-memory.js'

test('checks after every `everyBytes` of bodies and collects only above the limit', () => {
  let external = 10
  let collected = 0
  const m = new BodyMemory({ everyBytes: 100, limitBytes: 50, external: () => external, collect: () => { collected++; external = 5 } })
  m.handled(60)
  m.handled(30)
  assert.equal(collected, 0, 'no check before 100 bytes')
  m.handled(20) // 110: check, 10 <= 50
  assert.equal(collected, 0, 'below the limit: no GC')
  external = 80
  m.handled(99)
  assert.equal(collected, 0, 'the count restarted after the last check')
  m.handled(1)
  assert.equal(collected, 1)
  assert.equal(m.collections, 1)
  m.handled(100) // external is 5 again
  assert.equal(collected, 1)
})

test('without a way to collect it only counts', () => {
  const m = new BodyMemory({ everyBytes: 1, limitBytes: 0, external: () => 1, collect: undefined })
  m.handled(10)
  assert.equal(m.collections, 0)
})

test('the real full GC runs and frees Buffers that are no longer referenced', () => {
  const m = new BodyMemory({ everyBytes: 1, limitBytes: 0 })
  const external = () => v8.getHeapStatistics().external_memory
  const MiB = 1024 * 1024
  const baseline = external()
  // garbage outside the heap: 64 buffers of 1 MiB, dropped at once
  let held: Buffer[] | undefined = Array.from({ length: 64 }, () => Buffer.alloc(MiB, 1))
  assert.equal(held.length, 64)
  held = undefined
  assert.ok(external() >= baseline + 60 * MiB, 'the dropped buffers are still counted before the GC')
  m.handled(1)
  assert.equal(m.collections, 1, 'gc() was found and called')
  assert.ok(external() <= baseline + 8 * MiB, `freed: ${((external() - baseline) / MiB).toFixed(1)} MiB left`)
})

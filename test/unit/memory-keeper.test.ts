// MemoryKeeper: a full GC after every few MB of message bodies, only while more than the limit is
// held outside V8's heap, and after a folder, only while more than the heap limit is in use; and
// the real gc() is reachable in this runtime (without it the bodies already written, and a large
// folder's listings, pile up until V8's own, much later, full GC).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import v8 from 'node:v8'
import { MemoryKeeper } from '../../src/engine/memory-keeper.js'

test('checks after every `everyBytes` of bodies and collects only above the limit', () => {
  let external = 10
  let collected = 0
  const m = new MemoryKeeper({ everyBytes: 100, limitBytes: 50, external: () => external, collect: () => { collected++; external = 5 } })
  m.bodyHandled(60)
  m.bodyHandled(30)
  assert.equal(collected, 0, 'no check before 100 bytes')
  m.bodyHandled(20) // 110: check, 10 <= 50
  assert.equal(collected, 0, 'below the limit: no GC')
  external = 80
  m.bodyHandled(99)
  assert.equal(collected, 0, 'the count restarted after the last check')
  m.bodyHandled(1)
  assert.equal(collected, 1)
  assert.equal(m.collections, 1)
  m.bodyHandled(100) // external is 5 again
  assert.equal(collected, 1)
})

test('without a way to collect it only counts', () => {
  const m = new MemoryKeeper({ everyBytes: 1, limitBytes: 0, external: () => 1, collect: undefined })
  m.bodyHandled(10)
  assert.equal(m.collections, 0)
})

test('the real full GC runs and frees Buffers that are no longer referenced', () => {
  const m = new MemoryKeeper({ everyBytes: 1, limitBytes: 0 })
  const external = () => v8.getHeapStatistics().external_memory
  const MiB = 1024 * 1024
  const baseline = external()
  // garbage outside the heap: 64 buffers of 1 MiB, dropped at once
  let held: Buffer[] | undefined = Array.from({ length: 64 }, () => Buffer.alloc(MiB, 1))
  assert.equal(held.length, 64)
  held = undefined
  assert.ok(external() >= baseline + 60 * MiB, 'the dropped buffers are still counted before the GC')
  m.bodyHandled(1)
  assert.equal(m.collections, 1, 'gc() was found and called')
  assert.ok(external() <= baseline + 8 * MiB, `freed: ${((external() - baseline) / MiB).toFixed(1)} MiB left`)
})

test('after a folder it collects only while more than the heap limit is in use', () => {
  let used = 40
  let collected = 0
  const m = new MemoryKeeper({ heapLimitBytes: 50, heapUsed: () => used, external: () => 0, collect: () => { collected++; used = 20 } })
  m.folderDone()
  assert.equal(collected, 0, 'below the heap limit: no GC')
  used = 51
  m.folderDone()
  assert.equal(collected, 1)
  m.folderDone() // 20 after the GC
  assert.equal(collected, 1)
  assert.equal(m.collections, 1)
})

test('the real full GC after a folder frees the dead objects its listing left in the heap', () => {
  const MiB = 1024 * 1024
  const used = () => v8.getHeapStatistics().used_heap_size
  const m = new MemoryKeeper({ heapLimitBytes: 0 })
  m.folderDone() // settle the heap first
  const baseline = used()
  // old-generation garbage like a listing's: objects that outlived two minor GCs, then dropped
  let listing: Map<number, { uid: number; name: string }> | undefined = new Map()
  for (let i = 0; i < 200_000; i++) listing.set(i, { uid: i, name: `1700000000.M${i}P1.host,U=${i}:2,S` })
  assert.equal(listing.size, 200_000)
  listing = undefined
  assert.ok(used() >= baseline + 16 * MiB, `the dropped listing is still in the heap: ${((used() - baseline) / MiB).toFixed(1)} MiB`)
  m.folderDone()
  assert.equal(m.collections, 2)
  assert.ok(used() <= baseline + 4 * MiB, `freed: ${((used() - baseline) / MiB).toFixed(1)} MiB left`)
})

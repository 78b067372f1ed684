// After a UIDVALIDITY change, a side's messages are found again among the records by
// fingerprint; unmatched records are forgotten (copied again) or kept, by policy.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { repairAfterUidValidityChange } from '../../src/engine/uidvalidity-repair.js'
import { makePolicy } from '../../src/engine/policy.js'
import type { MessagePairRow } from '../../src/state/rows.js'

const row = (uidA: number, uidB: number, messageId: string | null, size: number, sha256: string | null = null): MessagePairRow =>
  ({ folderPairId: 1, uidA, uidB, flags: ['\\Seen'], size, internalDate: 0, messageId, sha256 })

const noHash = async () => new Map<number, string>()

test('messages are re-paired by Message-ID and size; the new UIDs replace the old ones', async () => {
  const known = [row(1, 11, '<a@x>', 100), row(2, 12, '<b@x>', 200)]
  const listing = [{ uid: 501, flags: [], size: 200, internalDate: 0, messageId: '<b@x>' }, { uid: 500, flags: [], size: 100, internalDate: 0, messageId: '<a@x>' }]
  const r = await repairAfterUidValidityChange('A', listing, known, noHash, makePolicy('sync'))
  assert.deepEqual(r.rows.map((x) => [x.uidA, x.uidB]), [[500, 11], [501, 12]])
  assert.deepEqual(r.forget, [])
})

test('equal Message-IDs are told apart by the recorded SHA-256', async () => {
  const known = [row(1, 11, '<d@x>', 100, 'h1'), row(2, 12, '<d@x>', 100, 'h2')]
  const listing = [{ uid: 7, flags: [], size: 100, internalDate: 0, messageId: '<d@x>' }, { uid: 8, flags: [], size: 100, internalDate: 0, messageId: '<d@x>' }]
  const hashes = new Map([[7, 'h2'], [8, 'h1']])
  const r = await repairAfterUidValidityChange('A', listing, known, async (_s, uids) => new Map(uids.map((u) => [u, hashes.get(u)!])), makePolicy('sync'))
  assert.deepEqual(r.rows.map((x) => [x.uidA, x.uidB]).sort(), [[7, 12], [8, 11]])
})

test('unmatched records: forgotten where the other side copies back (sync), kept one-sided in a backup', async () => {
  const known = [row(1, 11, '<gone@x>', 100)]
  const sync = await repairAfterUidValidityChange('A', [], known, noHash, makePolicy('sync'))
  assert.equal(sync.forget.length, 1)
  assert.equal(sync.forget[0]!.uidA, null)
  const backup = await repairAfterUidValidityChange('A', [], known, noHash, makePolicy('backup'))
  assert.equal(backup.forget.length, 0)
  assert.deepEqual(backup.orphaned.map((x) => [x.uidA, x.uidB]), [[null, 11]])
})

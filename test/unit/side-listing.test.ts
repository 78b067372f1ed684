// When the records may stand in for a side's listing, and how changes are laid over them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { recordsDescribe, applyChanges } from '../../src/engine/side-listing.js'
import { makePolicy } from '../../src/engine/policy.js'

test('records describe a side after a two-way run, or after a run that had the side as source', () => {
  const sync = makePolicy('sync')
  assert.equal(recordsDescribe('A', 'sync', sync), true)
  assert.equal(recordsDescribe('B', 'sync', sync), true)
  assert.equal(recordsDescribe('A', 'backup', sync), true, 'backup recorded the server\'s flags')
  assert.equal(recordsDescribe('B', 'backup', sync), false, 'a backup may keep local-only flags the records do not know')
  assert.equal(recordsDescribe('B', 'restore', sync), true)
  assert.equal(recordsDescribe('A', null, sync), false)
})

test('a side whose new messages are not copied has unrecorded messages: never from the records', () => {
  const backup = makePolicy('backup')
  assert.equal(recordsDescribe('B', 'backup', backup), false)
  assert.equal(recordsDescribe('A', 'backup', backup), true)
})

test('changes replace, add and remove', () => {
  const m = (uid: number, flags: string[] = []) => ({ uid, flags, size: 1, internalDate: 0 })
  assert.deepEqual(applyChanges([m(1), m(2), m(3)], [m(2, ['\\Seen']), m(9)], [3]), [m(1), m(2, ['\\Seen']), m(9)])
})

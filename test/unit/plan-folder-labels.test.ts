// Labels in the planner, as tables: base / A / B -> the label changes and the new label base,
// per policy; a relabel copies no body; adoption; ignorelabels; the deletion guard.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { planFolderSync, type FlagChange, type FolderPlan, type KnownPair } from '../../src/engine/plan-folder.js'
import { makePolicy, type Policy } from '../../src/engine/policy.js'
import { ignoreSet, type LabelRules } from '../../src/engine/label-merge.js'
import { matchByGlobalId } from '../../src/engine/adopt.js'
import type { MessageMeta } from '../../src/repository/types.js'

const m = (uid: number, labels: string[] | undefined, flags: string[] = []): MessageMeta => ({ uid, flags, size: 100, internalDate: 0, ...(labels ? { labels: [...labels].sort() } : {}) })
const k = (uidA: number | null, uidB: number | null, labels: string[] | null, flags: string[] = []): KnownPair => ({ uidA, uidB, flags, labels: labels && [...labels].sort() })

const sync = makePolicy('sync', { syncLabels: true })
const backup = makePolicy('backup')
const restore = makePolicy('restore')
const migrate = makePolicy('migrate')

/** Labels in play as the policy moves them; `ignore`: ignorelabels. */
const rules = (p: Policy, ignore: string[] = []): LabelRules => ({ aToB: p.labelsAtoB, bToA: p.labelsBtoA, ignore: ignoreSet(ignore) })

interface Row {
  name: string
  policy?: Policy
  ignore?: string[]
  a: MessageMeta[]
  b: MessageMeta[]
  known?: KnownPair[]
  matches?: { uidA: number; uidB: number }[]
  expect: {
    labelsA: FlagChange[]
    labelsB: FlagChange[]
    /** The label base each update records (undefined: the record keeps its own). */
    update?: FolderPlan['update']
    adopt?: { uidA: number; uidB: number; labels?: string[]; labelsBefore?: string[] }[]
    copyAtoB?: number[]
    copyBtoA?: number[]
  }
}

const rows: Row[] = [
  {
    name: 'unchanged labels: nothing to do, nothing recorded',
    a: [m(1, ['Work'])], b: [m(5, ['Work'])], known: [k(1, 5, ['Work'])],
    expect: { labelsA: [], labelsB: [], update: [] },
  },
  {
    name: 'two-way: a label added on A reaches B',
    a: [m(1, ['Work', '\\Inbox'])], b: [m(5, ['\\Inbox'])], known: [k(1, 5, ['\\Inbox'])],
    expect: { labelsA: [], labelsB: [{ uid: 5, add: ['Work'], remove: [] }], update: [{ uidA: 1, uidB: 5, flags: [], labels: ['Work', '\\Inbox'] }] },
  },
  {
    name: 'two-way: a label removed on B is removed on A',
    a: [m(1, ['Work', '\\Inbox'])], b: [m(5, ['Work'])], known: [k(1, 5, ['Work', '\\Inbox'])],
    expect: { labelsA: [{ uid: 1, add: [], remove: ['\\Inbox'] }], labelsB: [], update: [{ uidA: 1, uidB: 5, flags: [], labels: ['Work'] }] },
  },
  {
    name: 'two-way, conflict-free: A adds one label while B removes another, both survive',
    a: [m(1, ['Lists/Debian', 'Work', '\\Inbox'])], b: [m(5, ['Work'])], known: [k(1, 5, ['Work', '\\Inbox'])],
    expect: {
      labelsA: [{ uid: 1, add: [], remove: ['\\Inbox'] }],
      labelsB: [{ uid: 5, add: ['Lists/Debian'], remove: [] }],
      update: [{ uidA: 1, uidB: 5, flags: [], labels: ['Lists/Debian', 'Work'] }],
    },
  },
  {
    name: 'two-way: the same label added on both sides moves only the base',
    a: [m(1, ['My Label'])], b: [m(5, ['My Label'])], known: [k(1, 5, [])],
    expect: { labelsA: [], labelsB: [], update: [{ uidA: 1, uidB: 5, flags: [], labels: ['My Label'] }] },
  },
  {
    name: 'a relabel copies no body, and a flag change beside it stays a flag change',
    a: [m(1, ['Work'], ['\\Seen'])], b: [m(5, [])], known: [k(1, 5, [])],
    expect: { labelsA: [], labelsB: [{ uid: 5, add: ['Work'], remove: [] }], update: [{ uidA: 1, uidB: 5, flags: ['\\Seen'], labels: ['Work'] }], copyAtoB: [], copyBtoA: [] },
  },
  {
    name: 'no label base yet (labels just came into play): two-way takes the union',
    a: [m(1, ['Work'])], b: [m(5, ['Home'])], known: [k(1, 5, null)],
    expect: { labelsA: [{ uid: 1, add: ['Home'], remove: [] }], labelsB: [{ uid: 5, add: ['Work'], remove: [] }], update: [{ uidA: 1, uidB: 5, flags: [], labels: ['Home', 'Work'] }] },
  },
  {
    name: 'no label base yet and the same labels on both sides: only the base is recorded',
    a: [m(1, [])], b: [m(5, [])], known: [k(1, 5, null)],
    expect: { labelsA: [], labelsB: [], update: [{ uidA: 1, uidB: 5, flags: [], labels: [] }] },
  },
  {
    name: 'backup: the backup follows the server, labels added there and removed there',
    policy: backup,
    a: [m(1, ['Lists/Debian'])], b: [m(5, ['Work'])], known: [k(1, 5, ['Work'])],
    expect: { labelsA: [], labelsB: [{ uid: 5, add: ['Lists/Debian'], remove: ['Work'] }], update: [{ uidA: 1, uidB: 5, flags: [], labels: ['Lists/Debian'] }] },
  },
  {
    name: 'backup: a label changed in the backup never reaches the server',
    policy: backup,
    a: [m(1, ['Work'])], b: [m(5, ['Local', 'Work'])], known: [k(1, 5, ['Work'])],
    expect: { labelsA: [], labelsB: [], update: [] },
  },
  {
    name: 'backup without a label base: the backup takes the server\'s labels',
    policy: backup,
    a: [m(1, ['Work'])], b: [m(5, ['Old'])], known: [k(1, 5, null)],
    expect: { labelsA: [], labelsB: [{ uid: 5, add: ['Work'], remove: ['Old'] }], update: [{ uidA: 1, uidB: 5, flags: [], labels: ['Work'] }] },
  },
  {
    name: 'restore: the server follows the backup',
    policy: restore,
    a: [m(1, ['Gone'])], b: [m(5, ['Work'])], known: [k(1, 5, ['Gone'])],
    expect: { labelsA: [{ uid: 1, add: ['Work'], remove: ['Gone'] }], labelsB: [], update: [{ uidA: 1, uidB: 5, flags: [], labels: ['Work'] }] },
  },
  {
    name: 'migrate: the target follows the source, the source is never written',
    policy: migrate,
    a: [m(1, ['Work'])], b: [m(5, [])], known: [k(1, 5, [])],
    expect: { labelsA: [], labelsB: [{ uid: 5, add: ['Work'], remove: [] }], update: [{ uidA: 1, uidB: 5, flags: [], labels: ['Work'] }] },
  },
  {
    name: 'ignorelabels: an ignored label is never added or removed, and stays out of the base',
    ignore: ['\\important'],
    a: [m(1, ['Work', '\\Important'])], b: [m(5, [])], known: [k(1, 5, [])],
    expect: { labelsA: [], labelsB: [{ uid: 5, add: ['Work'], remove: [] }], update: [{ uidA: 1, uidB: 5, flags: [], labels: ['Work'] }] },
  },
  {
    name: 'ignorelabels: an ignored label in an old base is not taken as removed',
    ignore: ['\\Important'],
    a: [m(1, [])], b: [m(5, ['\\Important'])], known: [k(1, 5, ['\\Important'])],
    expect: { labelsA: [], labelsB: [], update: [{ uidA: 1, uidB: 5, flags: [], labels: [] }] },
  },
  {
    name: 'adoption (sync): union of the labels, the base recorded until the changes are made is empty',
    a: [m(1, ['Work'])], b: [m(5, ['Home'])], matches: [{ uidA: 1, uidB: 5 }],
    expect: { labelsA: [{ uid: 1, add: ['Home'], remove: [] }], labelsB: [{ uid: 5, add: ['Work'], remove: [] }], adopt: [{ uidA: 1, uidB: 5, labels: ['Home', 'Work'], labelsBefore: [] }] },
  },
  {
    name: 'adoption (migrate): the target takes the source\'s labels',
    policy: migrate,
    a: [m(1, ['Work'])], b: [m(5, ['Home'])], matches: [{ uidA: 1, uidB: 5 }],
    expect: { labelsA: [], labelsB: [{ uid: 5, add: ['Work'], remove: ['Home'] }], adopt: [{ uidA: 1, uidB: 5, labels: ['Work'], labelsBefore: ['Home'] }] },
  },
  {
    name: 'a message listed without labels counts as having none',
    a: [m(1, undefined)], b: [m(5, ['Work'])], known: [k(1, 5, ['Work'])],
    expect: { labelsA: [], labelsB: [{ uid: 5, add: [], remove: ['Work'] }], update: [{ uidA: 1, uidB: 5, flags: [], labels: [] }] },
  },
]

for (const row of rows) {
  test(`labels: ${row.name}`, () => {
    const policy = row.policy ?? sync
    const plan = planFolderSync({ a: row.a, b: row.b, known: row.known ?? [], policy, matches: row.matches, labels: rules(policy, row.ignore) })
    assert.deepEqual(plan.labelsA, row.expect.labelsA, 'labelsA')
    assert.deepEqual(plan.labelsB, row.expect.labelsB, 'labelsB')
    if (row.expect.update) assert.deepEqual(plan.update, row.expect.update, 'update')
    if (row.expect.adopt) assert.deepEqual(plan.adopt.map((x) => ({ uidA: x.a.uid, uidB: x.b.uid, labels: x.labels, labelsBefore: x.labelsBefore })), row.expect.adopt, 'adopt')
    assert.deepEqual(plan.copyAtoB.map((x) => x.uid), row.expect.copyAtoB ?? [], 'copyAtoB')
    assert.deepEqual(plan.copyBtoA.map((x) => x.uid), row.expect.copyBtoA ?? [], 'copyBtoA')
  })
}

test('labels not in play (no PlanInput.labels): label differences plan nothing and records keep their label base', () => {
  const plan = planFolderSync({ a: [m(1, ['Work'])], b: [m(5, [])], known: [k(1, 5, [])], policy: sync })
  assert.deepEqual([plan.labelsA, plan.labelsB, plan.update], [[], [], []])
})

test('policy: labels travel in one-way jobs always, in sync only with synclabels, never into a read-only side', () => {
  const dirs = (p: Policy) => [p.labelsAtoB, p.labelsBtoA]
  assert.deepEqual(dirs(makePolicy('sync')), [false, false])
  assert.deepEqual(dirs(makePolicy('sync', { syncLabels: true })), [true, true])
  assert.deepEqual(dirs(makePolicy('backup')), [true, false])
  assert.deepEqual(dirs(makePolicy('migrate')), [true, false])
  assert.deepEqual(dirs(makePolicy('restore')), [false, true])
  assert.deepEqual(dirs(makePolicy('sync', { syncLabels: true, readOnlyA: true })), [true, false])
  assert.deepEqual(dirs(makePolicy('backup', { readOnlyB: true })), [false, false])
})

test('new copies: listed with their labels, for the copy to carry', () => {
  const plan = planFolderSync({ a: [m(1, ['Work'])], b: [m(5, ['Home'])], known: [], policy: sync, labels: rules(sync) })
  assert.deepEqual(plan.copyAtoB.map((x) => x.labels), [['Work']])
  assert.deepEqual(plan.copyBtoA.map((x) => x.labels), [['Home']])
})

test('deletion guard: label removals count alongside deletions; held back, their pairs keep the label base', () => {
  // 40 paired messages; 6 deleted on A and 6 losing a label on A: 12 > 10 (25% of 40) on side B
  const a = Array.from({ length: 40 }, (_, i) => m(i + 1, i < 6 ? [] : ['Work']))
  const b = Array.from({ length: 40 }, (_, i) => m(i + 101, ['Work']))
  const known = b.map((x, i) => k(i + 1, x.uid, ['Work']))
  const aAfter = a.slice(0, 34) // messages 35..40 are gone on A
  const plan = planFolderSync({ a: aAfter, b, known, policy: sync, labels: rules(sync) })
  assert.deepEqual(plan.guard, [{ side: 'B', wanted: 12, limit: 10, labelRemovals: 6 }])
  assert.deepEqual(plan.deleteB, [])
  assert.deepEqual(plan.labelsB, [])
  // the pairs whose removal was held back record no new label base: the next run plans it again
  assert.ok(plan.update.every((u) => u.labels === undefined), 'no held pair moves its label base')
  // labels alone count too: 11 removals on a folder of 40 exceed the limit
  const a2 = Array.from({ length: 40 }, (_, i) => m(i + 1, i < 11 ? [] : ['Work']))
  const held = planFolderSync({ a: a2, b, known, policy: sync, labels: rules(sync) })
  assert.deepEqual(held.guard, [{ side: 'B', wanted: 11, limit: 10, labelRemovals: 11 }])
  assert.deepEqual(held.labelsB, [])
  // additions are no loss: they go on whatever the guard holds back
  const a3 = Array.from({ length: 40 }, (_, i) => m(i + 1, ['Home', 'Work']))
  const adds = planFolderSync({ a: a3, b, known, policy: sync, labels: rules(sync) })
  assert.equal(adds.guard, undefined)
  assert.equal(adds.labelsB.length, 40)
  // forced, or under a raised limit, the removals go
  const forced = planFolderSync({ a: a2, b, known, policy: sync, labels: rules(sync), force: true })
  assert.equal(forced.labelsB.length, 11)
  const raised = planFolderSync({ a: a2, b, known, policy: sync, labels: rules(sync), maxDelete: 11 })
  assert.equal(raised.labelsB.length, 11)
})

test('adoption by global identity: one-to-one on equal ids, an id twice on a side pairs nothing', () => {
  const g = (uid: number, globalId?: string) => ({ uid, ...(globalId ? { globalId } : {}) })
  assert.deepEqual(
    matchByGlobalId([g(1, '1001'), g(2, '1002'), g(3, '1003'), g(4, '1003'), g(5)], [g(11, '1002'), g(12, '1001'), g(13, '1003'), g(14)]),
    [{ uidA: 1, uidB: 12 }, { uidA: 2, uidB: 11 }],
  )
})

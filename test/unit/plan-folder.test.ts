// The three-way merge as tables: one row per message case, per policy.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { planFolderSync, type KnownPair, type FolderPlan } from '../../src/engine/plan-folder.js'
import { makePolicy, type Policy } from '../../src/engine/policy.js'
import { matchCandidates } from '../../src/engine/adopt.js'
import { mergeFlags } from '../../src/engine/flag-merge.js'
import type { MessageMeta } from '../../src/repository/types.js'

const m = (uid: number, flags: string[] = [], size = 100, internalDate = 0): MessageMeta => ({ uid, flags: [...flags].sort(), size, internalDate })
const k = (uidA: number | null, uidB: number | null, flags: string[] = []): KnownPair => ({ uidA, uidB, flags: [...flags].sort() })

interface Row {
  name: string
  policy?: Policy
  a: MessageMeta[]
  b: MessageMeta[]
  known?: KnownPair[]
  matches?: { uidA: number; uidB: number }[]
  expect: Partial<{
    copyAtoB: number[]
    copyBtoA: number[]
    flagsA: FolderPlan['flagsA']
    flagsB: FolderPlan['flagsB']
    deleteA: number[]
    deleteB: number[]
    update: FolderPlan['update']
    drop: FolderPlan['drop']
    adopt: { uidA: number; uidB: number; flags: string[] }[]
    skipped: number
  }>
}

const sync = makePolicy('sync')
const noDeletes = makePolicy('sync', { syncDeletes: false })
const backup = makePolicy('backup')
const mirror = makePolicy('backup', { mirror: true })
const restore = makePolicy('restore')
const migrate = makePolicy('migrate')
const migrateDelete = makePolicy('migrate', { delete: true })
const readOnlyLocal = makePolicy('sync', { readOnlyB: true })
const readOnlyRemote = makePolicy('sync', { readOnlyA: true })

const rows: Row[] = [
  { name: 'new on A is copied to B', a: [m(1)], b: [], expect: { copyAtoB: [1], copyBtoA: [] } },
  { name: 'new on B is copied to A', a: [], b: [m(7)], expect: { copyBtoA: [7], copyAtoB: [] } },
  { name: 'new on both sides travels both ways', a: [m(1), m(2)], b: [m(5)], known: [k(1, 5)], expect: { copyAtoB: [2], copyBtoA: [] } },
  { name: 'paired and unchanged: nothing to do', a: [m(1, ['\\Seen'])], b: [m(5, ['\\Seen'])], known: [k(1, 5, ['\\Seen'])], expect: { copyAtoB: [], copyBtoA: [], flagsA: [], flagsB: [], update: [], drop: [] } },
  { name: 'flag added on A goes to B', a: [m(1, ['\\Seen'])], b: [m(5)], known: [k(1, 5)], expect: { flagsB: [{ uid: 5, add: ['\\Seen'], remove: [] }], flagsA: [], update: [{ uidA: 1, uidB: 5, flags: ['\\Seen'] }] } },
  { name: 'flag removed on B goes to A', a: [m(1, ['\\Flagged', '\\Seen'])], b: [m(5, ['\\Seen'])], known: [k(1, 5, ['\\Flagged', '\\Seen'])], expect: { flagsA: [{ uid: 1, add: [], remove: ['\\Flagged'] }], flagsB: [] } },
  { name: 'flag removed on A goes to B', a: [m(1)], b: [m(5, ['\\Seen'])], known: [k(1, 5, ['\\Seen'])], expect: { flagsB: [{ uid: 5, add: [], remove: ['\\Seen'] }], update: [{ uidA: 1, uidB: 5, flags: [] }] } },
  { name: '\\Seen on A and \\Flagged on B both survive', a: [m(1, ['\\Seen'])], b: [m(5, ['\\Flagged'])], known: [k(1, 5)], expect: { flagsA: [{ uid: 1, add: ['\\Flagged'], remove: [] }], flagsB: [{ uid: 5, add: ['\\Seen'], remove: [] }], update: [{ uidA: 1, uidB: 5, flags: ['\\Flagged', '\\Seen'] }] } },
  { name: 'same change on both sides: only the record moves', a: [m(1, ['\\Seen'])], b: [m(5, ['\\Seen'])], known: [k(1, 5)], expect: { flagsA: [], flagsB: [], update: [{ uidA: 1, uidB: 5, flags: ['\\Seen'] }] } },
  { name: 'keywords travel like flags', a: [m(1, ['$Forwarded', 'Work'])], b: [m(5, ['Work'])], known: [k(1, 5, ['Work'])], expect: { flagsB: [{ uid: 5, add: ['$Forwarded'], remove: [] }] } },
  { name: 'deleted on A and flagged on B: the deletion wins', a: [], b: [m(5, ['\\Flagged'])], known: [k(1, 5)], expect: { deleteB: [5], flagsB: [], drop: [{ uidA: 1, uidB: 5 }] } },
  { name: 'deleted on B travels to A', a: [m(1, ['\\Seen'])], b: [], known: [k(1, 5, ['\\Seen'])], expect: { deleteA: [1], drop: [{ uidA: 1, uidB: 5 }] } },
  { name: 'deleted on both sides: the record goes', a: [], b: [], known: [k(1, 5)], expect: { deleteA: [], deleteB: [], drop: [{ uidA: 1, uidB: 5 }] } },
  { name: 'expunged but still in status as one-sided: record goes', a: [], b: [], known: [k(3, null)], expect: { drop: [{ uidA: 3, uidB: null }], copyAtoB: [] } },
  { name: 'sync_deletes = no: deletion on A keeps B and is remembered', policy: noDeletes, a: [], b: [m(5)], known: [k(1, 5)], expect: { deleteB: [], update: [{ uidA: null, uidB: 5, flags: [] }] } },
  { name: 'sync_deletes = no: a remembered B-only message is not copied back', policy: noDeletes, a: [], b: [m(5)], known: [k(null, 5)], expect: { copyBtoA: [], deleteB: [] } },
  { name: 'backup: new on A is copied, new on B is not', policy: backup, a: [m(1)], b: [m(9)], expect: { copyAtoB: [1], copyBtoA: [] } },
  { name: 'backup: local flag change does not travel to the server', policy: backup, a: [m(1)], b: [m(5, ['\\Flagged'])], known: [k(1, 5)], expect: { flagsA: [], flagsB: [], update: [] } },
  { name: 'backup: server flag change reaches the backup', policy: backup, a: [m(1, ['\\Seen'])], b: [m(5)], known: [k(1, 5)], expect: { flagsB: [{ uid: 5, add: ['\\Seen'], remove: [] }], update: [{ uidA: 1, uidB: 5, flags: ['\\Seen'] }] } },
  { name: 'backup: server deletion keeps the local copy', policy: backup, a: [], b: [m(5)], known: [k(1, 5)], expect: { deleteB: [], update: [{ uidA: null, uidB: 5, flags: [] }] } },
  { name: 'backup --mirror: server deletion removes the local copy', policy: mirror, a: [], b: [m(5)], known: [k(1, 5)], expect: { deleteB: [5] } },
  { name: 'backup: local deletion is not pushed to the server', policy: backup, a: [m(1)], b: [], known: [k(1, 5)], expect: { deleteA: [], copyAtoB: [], update: [{ uidA: 1, uidB: null, flags: [] }] } },
  { name: 'restore: backup messages go to the server', policy: restore, a: [m(1)], b: [m(5), m(6)], known: [k(1, 5)], expect: { copyBtoA: [6], copyAtoB: [] } },
  { name: 'migrate: never writes the source', policy: migrate, a: [m(1, ['\\Seen'])], b: [m(5, ['\\Flagged']), m(6)], known: [k(1, 5)], expect: { flagsA: [], deleteA: [], copyBtoA: [], flagsB: [{ uid: 5, add: ['\\Seen'], remove: [] }] } },
  { name: 'migrate: what left OLD stays on NEW by default', policy: migrate, a: [], b: [m(5)], known: [k(1, 5)], expect: { deleteB: [], update: [{ uidA: null, uidB: 5, flags: [] }] } },
  { name: 'migrate --delete: what left OLD is removed from NEW', policy: migrateDelete, a: [], b: [m(5)], known: [k(1, 5)], expect: { deleteB: [5], drop: [{ uidA: 1, uidB: 5 }] } },
  { name: 'read-only local repository is never written', policy: readOnlyLocal, a: [m(1), m(2, ['\\Seen'])], b: [m(5)], known: [k(2, 5)], expect: { copyAtoB: [], flagsB: [], deleteB: [], copyBtoA: [] } },
  { name: 'read-only remote repository is never written', policy: readOnlyRemote, a: [m(1)], b: [m(5), m(6, ['\\Seen'])], known: [k(1, 6)], expect: { copyBtoA: [], flagsA: [], flagsB: [] } },
  { name: 'adopted pair (sync): union of flags, no copy', a: [m(1, ['\\Seen'])], b: [m(5, ['\\Flagged'])], matches: [{ uidA: 1, uidB: 5 }], expect: { copyAtoB: [], copyBtoA: [], adopt: [{ uidA: 1, uidB: 5, flags: ['\\Flagged', '\\Seen'] }], flagsA: [{ uid: 1, add: ['\\Flagged'], remove: [] }] } },
  { name: 'adopted pair (migrate): the target takes the source flags', policy: migrate, a: [m(1, ['\\Seen'])], b: [m(5, ['\\Flagged'])], matches: [{ uidA: 1, uidB: 5 }], expect: { adopt: [{ uidA: 1, uidB: 5, flags: ['\\Seen'] }], flagsB: [{ uid: 5, add: ['\\Seen'], remove: ['\\Flagged'] }], flagsA: [] } },
  { name: 'flag removed on A while another is added on B: both changes survive', a: [m(1, [])], b: [m(5, ['\\Flagged', '\\Seen'])], known: [k(1, 5, ['\\Seen'])], expect: { flagsA: [{ uid: 1, add: ['\\Flagged'], remove: [] }], flagsB: [{ uid: 5, add: [], remove: ['\\Seen'] }], update: [{ uidA: 1, uidB: 5, flags: ['\\Flagged'] }] } },
  { name: '\\Deleted travels as a flag, not as a deletion', a: [m(1, ['\\Deleted'])], b: [m(5)], known: [k(1, 5)], expect: { flagsB: [{ uid: 5, add: ['\\Deleted'], remove: [] }], deleteB: [] } },
  { name: 'new on both sides, different messages: each is copied', a: [m(1)], b: [m(5)], expect: { copyAtoB: [1], copyBtoA: [5], adopt: [] } },
  { name: 'sync_deletes = no: deletion on B keeps A and is not copied back', policy: noDeletes, a: [m(1)], b: [], known: [k(1, 5)], expect: { deleteA: [], copyAtoB: [], update: [{ uidA: 1, uidB: null, flags: [] }] } },
  { name: 'one-sided record: flag changes on the remaining side go nowhere', a: [m(1, ['\\Seen'])], b: [], known: [k(1, null)], expect: { flagsA: [], flagsB: [], copyAtoB: [], update: [], drop: [] } },
  { name: 'restore: a message deleted on the server after a restore is not uploaded again', policy: restore, a: [], b: [m(5)], known: [k(1, 5)], expect: { copyBtoA: [], deleteB: [], update: [{ uidA: null, uidB: 5, flags: [] }] } },
  { name: 'backup: a flag removed on the server is removed from the backup, local-only flags stay', policy: backup, a: [m(1, [])], b: [m(5, ['\\Seen', 'Local'])], known: [k(1, 5, ['\\Seen'])], expect: { flagsB: [{ uid: 5, add: [], remove: ['\\Seen'] }], update: [{ uidA: 1, uidB: 5, flags: [] }] } },
  { name: 'a match naming an already recorded uid is ignored', a: [m(1), m(2)], b: [m(5)], known: [k(1, 5)], matches: [{ uidA: 2, uidB: 5 }], expect: { adopt: [], copyAtoB: [2] } },
]

for (const row of rows) {
  test(`planner: ${row.name}`, () => {
    const plan = planFolderSync({ a: row.a, b: row.b, known: row.known ?? [], policy: row.policy ?? sync, matches: row.matches })
    const e = row.expect
    if (e.copyAtoB) assert.deepEqual(plan.copyAtoB.map((x) => x.uid), e.copyAtoB, 'copyAtoB')
    if (e.copyBtoA) assert.deepEqual(plan.copyBtoA.map((x) => x.uid), e.copyBtoA, 'copyBtoA')
    if (e.flagsA) assert.deepEqual(plan.flagsA, e.flagsA, 'flagsA')
    if (e.flagsB) assert.deepEqual(plan.flagsB, e.flagsB, 'flagsB')
    if (e.deleteA) assert.deepEqual(plan.deleteA, e.deleteA, 'deleteA')
    if (e.deleteB) assert.deepEqual(plan.deleteB, e.deleteB, 'deleteB')
    if (e.update) assert.deepEqual(plan.update, e.update, 'update')
    if (e.drop) assert.deepEqual(plan.drop, e.drop, 'drop')
    if (e.adopt) assert.deepEqual(plan.adopt.map((x) => ({ uidA: x.a.uid, uidB: x.b.uid, flags: x.flags })), e.adopt, 'adopt')
    if (e.skipped !== undefined) assert.equal(plan.skipped, e.skipped, 'skipped')
  })
}

test('planner: filters leave messages out and count them as skipped', () => {
  const plan = planFolderSync({ a: [m(1, [], 10), m(2, [], 5000)], b: [], known: [], policy: sync, eligible: (x) => x.size < 1000 })
  assert.deepEqual(plan.copyAtoB.map((x) => x.uid), [1])
  assert.equal(plan.skipped, 1)
})

test('deletion guard: more than 25% of a folder over 20 messages is held back', () => {
  const a = Array.from({ length: 25 }, (_, i) => m(i + 1))
  const b = Array.from({ length: 40 }, (_, i) => m(i + 101))
  const known = b.map((x, i) => k(i + 1, x.uid))
  const plan = planFolderSync({ a, b, known, policy: mirror })
  assert.deepEqual(plan.deleteB, [])
  assert.deepEqual(plan.guard, [{ side: 'B', wanted: 15, limit: 10 }])
  // The held-back records stay, so a forced run can still delete them.
  assert.equal(plan.drop.length, 0)
  const forced = planFolderSync({ a, b, known, policy: mirror, force: true })
  assert.equal(forced.deleteB.length, 15)
  const raised = planFolderSync({ a, b, known, policy: mirror, maxDelete: 15 })
  assert.equal(raised.deleteB.length, 15)
  assert.equal(raised.guard, undefined)
})

test('deletion guard: small folders are not guarded', () => {
  const plan = planFolderSync({ a: [], b: [m(5), m(6)], known: [k(1, 5), k(2, 6)], policy: sync })
  assert.deepEqual(plan.deleteB, [5, 6])
})

test('flag merge is symmetric for two-way sync', () => {
  const r1 = mergeFlags(['\\Seen'], ['\\Seen', 'Work'], [], { aToB: true, bToA: true })
  assert.deepEqual(r1.base, ['Work'])
  assert.deepEqual(r1.newA, r1.newB)
})

test('flag merge: unchanged flags give no changes and a sorted, duplicate-free result, in order or not', () => {
  const dirs = [{ aToB: true, bToA: true }, { aToB: true, bToA: false }, { aToB: false, bToA: true }]
  for (const dir of dirs) {
    const same = mergeFlags(['$Label1', '\\Flagged', '\\Seen'], ['$Label1', '\\Flagged', '\\Seen'], ['$Label1', '\\Flagged', '\\Seen'], dir)
    assert.deepEqual(same, { newA: ['$Label1', '\\Flagged', '\\Seen'], newB: ['$Label1', '\\Flagged', '\\Seen'], addA: [], removeA: [], addB: [], removeB: [], base: ['$Label1', '\\Flagged', '\\Seen'] })
    // Same flags listed in another order (or twice): the same answer.
    assert.deepEqual(mergeFlags(['\\Seen', '\\Flagged'], ['\\Flagged', '\\Seen', '\\Seen'], ['\\Seen', '\\Flagged'], dir), {
      newA: ['\\Flagged', '\\Seen'], newB: ['\\Flagged', '\\Seen'], addA: [], removeA: [], addB: [], removeB: [], base: ['\\Flagged', '\\Seen'],
    })
    assert.deepEqual(mergeFlags([], [], [], dir).base, [])
  }
  // One change still goes through.
  assert.deepEqual(mergeFlags(['\\Seen'], ['\\Seen'], ['\\Flagged', '\\Seen'], { aToB: true, bToA: true }).addA, ['\\Flagged'])
})

test('adoption: unique Message-ID + size pairs without hashing', async () => {
  let hashed = 0
  const matches = await matchCandidates(
    [{ uid: 1, size: 10, messageId: '<a@x>' }, { uid: 2, size: 20, messageId: '<b@x>' }],
    [{ uid: 9, size: 20, messageId: '<b@x>' }, { uid: 8, size: 11, messageId: '<a@x>' }],
    async () => { hashed++; return new Map() },
  )
  assert.deepEqual(matches, [{ uidA: 2, uidB: 9 }])
  assert.equal(hashed, 0)
})

test('adoption: equal Message-IDs and missing Message-IDs are settled by SHA-256', async () => {
  const hashes: Record<string, string> = { A1: 'h1', A2: 'h2', A3: 'h3', B7: 'h2', B8: 'h1', B9: 'hX' }
  const matches = await matchCandidates(
    [{ uid: 1, size: 10, messageId: '<d@x>' }, { uid: 2, size: 10, messageId: '<d@x>' }, { uid: 3, size: 50 }],
    [{ uid: 7, size: 10, messageId: '<d@x>' }, { uid: 8, size: 10, messageId: '<d@x>' }, { uid: 9, size: 50 }],
    async (side, uids) => new Map(uids.map((u) => [u, hashes[`${side}${u}`]!])),
  )
  assert.deepEqual(matches.sort((x, y) => x.uidA - y.uidA), [{ uidA: 1, uidB: 8 }, { uidA: 2, uidB: 7 }])
})

test('policy: sync_deletes said of one repository stops only the deletions that would reach it', () => {
  const p = makePolicy('sync', { syncDeletesB: false })
  assert.deepEqual([p.deleteAtoB, p.deleteBtoA], [false, true])
  assert.deepEqual([makePolicy('backup', { syncDeletesB: false, mirror: true }).deleteAtoB], [true], 'sync_deletes is a sync option')
})

test('first-sync guard: unmatched mail both ways on a first sync is held back; adopted mail, one-way fills and --force are not', () => {
  const a = Array.from({ length: 12 }, (_, i) => m(i + 1, [], 100 + i))
  const b = Array.from({ length: 12 }, (_, i) => m(i + 1, [], 500 + i))
  const held = planFolderSync({ a, b, known: [], policy: sync })
  assert.deepEqual([held.copyAtoB.length, held.copyBtoA.length], [0, 0])
  assert.deepEqual(held.copyGuard, { copyAtoB: 12, copyBtoA: 12, limit: 10 })
  const forced = planFolderSync({ a, b, known: [], policy: sync, force: true })
  assert.deepEqual([forced.copyAtoB.length, forced.copyBtoA.length, forced.copyGuard], [12, 12, undefined])
  // the same stores once matched: nothing to copy, nothing held
  const matched = planFolderSync({ a, b, known: [], policy: sync, matches: a.map((x, i) => ({ uidA: x.uid, uidB: b[i]!.uid })) })
  assert.deepEqual([matched.adopt.length, matched.copyAtoB.length, matched.copyGuard], [12, 0, undefined])
  // a first sync that fills one side, or copies only a few the other way, goes ahead
  assert.equal(planFolderSync({ a, b: [], known: [], policy: sync }).copyAtoB.length, 12)
  const few = planFolderSync({ a, b: b.slice(0, 9), known: [], policy: sync })
  assert.deepEqual([few.copyAtoB.length, few.copyBtoA.length, few.copyGuard], [12, 9, undefined])
  // with records (not a first sync) it never applies
  const later = planFolderSync({ a: [...a, m(99)], b: [...b, m(98)], known: [k(99, 98)], policy: sync })
  assert.deepEqual([later.copyAtoB.length, later.copyBtoA.length], [12, 12])
})

test('an adopted pair recorded with its `before` flags plans the same flag changes again (a run killed after the adoption commit)', () => {
  for (const name of ['sync', 'backup', 'restore', 'migrate'] as const) {
    const policy = makePolicy(name)
    const a = [m(1, ['\\Seen', '$Label1'])]
    const b = [m(5, ['\\Flagged', '\\Seen'])]
    const first = planFolderSync({ a, b, known: [], policy, matches: [{ uidA: 1, uidB: 5 }] })
    const x = first.adopt[0]!
    const again = planFolderSync({ a, b, known: [k(1, 5, x.before)], policy })
    assert.deepEqual([again.flagsA, again.flagsB], [first.flagsA, first.flagsB], `${name}: the resumed run makes the same flag changes`)
    const withMerged = planFolderSync({ a, b, known: [k(1, 5, x.flags)], policy })
    if (name === 'sync') assert.notDeepEqual([withMerged.flagsA, withMerged.flagsB], [first.flagsA, first.flagsB], 'recording the merged flags first would not')
  }
})

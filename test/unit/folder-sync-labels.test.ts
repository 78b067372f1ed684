// The engine's folder run with labels: when labels are in play (both repositories keep them and
// the policy moves them), and adoption by the store's global identity before Message-ID. Two
// labels-keeping Maildirs stand in for Gmail; their listings get a globalId (X-GM-MSGID) from a
// table, as the Gmail kind's do.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { StatusDb } from '../../src/state/status-db.js'
import { MaildirRepository } from '../../src/repository/maildir/maildir-repository.js'
import { labelRules, syncFolderPair } from '../../src/engine/folder-sync.js'
import { makePolicy } from '../../src/engine/policy.js'
import type { FolderSession, ListOptions, Repository } from '../../src/repository/types.js'

const body = (id: string, text: string) => Buffer.from(`Message-ID: <${id}@test>\r\nSubject: ${id}\r\n\r\n${text}\r\n`)

/** `inner` whose listings give each UID the global id `ids` names. */
function withGlobalIds(inner: MaildirRepository, ids: Map<number, string>, identity: string): Repository {
  const repo = Object.create(inner, { identity: { value: identity } }) as Repository
  return Object.assign(repo, {
    openFolder: async (name: string, opts?: { readOnly?: boolean }) => {
      const s = await inner.openFolder(name, opts)
      const list = async (o?: ListOptions) => {
        const r = await s.list(o)
        return { ...r, messages: r.messages.map((m) => (ids.has(m.uid) ? { ...m, globalId: ids.get(m.uid) } : m)) }
      }
      return new Proxy(s, {
        get: (target, key) => {
          if (key === 'list') return list
          const v = Reflect.get(target, key, target) as unknown
          return typeof v === 'function' ? v.bind(target) : v
        },
      }) as FolderSession
    },
  })
}

/** `stores`: the identities of A and B (the same: one Gmail account seen twice). */
async function world(t: TestContext, o: { globalIds: boolean; stores?: [string, string] }) {
  const root = mkdtempSync(join(tmpdir(), 'mailsync-fs-labels-'))
  t.after(() => rmSync(root, { recursive: true, force: true }))
  const a = new MaildirRepository({ name: 'a', root: join(root, 'a'), createRoot: true, labels: true })
  const b = new MaildirRepository({ name: 'b', root: join(root, 'b'), createRoot: true, labels: true })
  const put = async (repo: MaildirRepository, content: Buffer, labels: string[]) => {
    await repo.open()
    if (!(await repo.listFolders()).length) await repo.createFolder('all')
    const s = await repo.openFolder('all')
    const r = await s.append({ content, size: content.length, flags: [], internalDate: 0, labels })
    await s.close()
    return r.uid!
  }
  // the same Gmail message as each side stored it: the same X-GM-MSGID, not the same bytes
  const ua = await put(a, body('one', 'as A has it'), ['Work'])
  const ub = await put(b, body('one-local', 'as B has it, longer than A'), ['Home'])
  const [storeA, storeB] = o.stores ?? ['gmail:alice', 'gmail:alice']
  const repoA = o.globalIds ? withGlobalIds(a, new Map([[ua, '1650000000000000001']]), storeA) : a
  const repoB = o.globalIds ? withGlobalIds(b, new Map([[ub, '1650000000000000001']]), storeB) : b
  const db = StatusDb.openMemory()
  const run = () => syncFolderPair({
    account: 't', repoA, repoB, db, policy: makePolicy('sync', { syncLabels: true }), emit: () => undefined, dryRun: false,
    pair: { nameA: 'all', nameB: 'all', createA: false, createB: false, via: 'name' },
  })
  const labels = async (repo: MaildirRepository) => {
    const s = await repo.openFolder('all', { readOnly: true })
    try {
      return (await s.list()).messages.map((m) => m.labels)
    } finally {
      await s.close()
    }
  }
  return { a, b, db, run, labels }
}

test('adoption by globalId first: the same message is paired though its Message-ID and size differ, and its labels merged', async (t) => {
  const w = await world(t, { globalIds: true })
  const out = await w.run()
  await out.settling
  assert.deepEqual([out.counts.adopted, out.counts.copiedAtoB, out.counts.copiedBtoA], [1, 0, 0])
  assert.deepEqual(await w.labels(w.a), [['Home', 'Work']])
  assert.deepEqual(await w.labels(w.b), [['Home', 'Work']])
  const fp = w.db.listFolderPairs()[0]!
  assert.deepEqual(w.db.listMessagePairs(fp.id).map((r) => r.labels), [['Home', 'Work']])
})

test('the same globalId in two different stores (two Gmail accounts) pairs nothing: each message is copied', async (t) => {
  const w = await world(t, { globalIds: true, stores: ['gmail:alice', 'gmail:bob'] })
  const out = await w.run()
  await out.settling
  assert.deepEqual([out.counts.adopted, out.counts.copiedAtoB, out.counts.copiedBtoA], [0, 1, 1])
  assert.deepEqual((await w.labels(w.b)).sort(), [['Home'], ['Work']])
})

test('without a globalId the two are different messages: each is copied, with its labels', async (t) => {
  const w = await world(t, { globalIds: false })
  const out = await w.run()
  await out.settling
  assert.deepEqual([out.counts.adopted, out.counts.copiedAtoB, out.counts.copiedBtoA], [0, 1, 1])
  assert.deepEqual((await w.labels(w.b)).sort(), [['Home'], ['Work']])
})

test('labels are in play only where both repositories keep them and the policy moves them', () => {
  const keeps = { labels: true } as Repository
  const plain = { labels: false } as Repository
  const sync = makePolicy('sync', { syncLabels: true })
  assert.deepEqual(labelRules({ repoA: keeps, repoB: keeps, policy: sync, ignoreLabels: ['\\Important'] }), { aToB: true, bToA: true, ignore: new Set(['\\important']) })
  assert.equal(labelRules({ repoA: keeps, repoB: plain, policy: sync }), undefined)
  assert.equal(labelRules({ repoA: keeps, repoB: keeps, policy: makePolicy('sync') }), undefined)
  assert.deepEqual(labelRules({ repoA: keeps, repoB: keeps, policy: makePolicy('backup') }), { aToB: true, bToA: false, ignore: new Set() })
})

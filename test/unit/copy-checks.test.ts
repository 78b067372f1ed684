// Migrate's verification remembered (issue 17): a copy the target altered is reported by the run
// that made it and by every later run (a data problem each time) until the user removes that copy
// from the target; then the message is copied again and checked again. A check that a run did not
// get to (it stopped between recording the copies and fetching them back) is done by the next run.
// The target here is a Maildir behind a session that alters 8-bit header bytes as it stores them,
// as Cyrus's munge8bit does (the real Cyrus case: test/integration/second-server.test.ts).
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { StatusDb } from '../../src/state/status-db.js'
import { MaildirRepository } from '../../src/repository/maildir/maildir-repository.js'
import { syncFolderPair } from '../../src/engine/folder-sync.js'
import { makePolicy } from '../../src/engine/policy.js'
import type { FolderSession, Repository } from '../../src/repository/types.js'
import { MailsyncError } from '../../src/errors.js'

const MESSAGES = [0, 1, 2, 3, 4].map((i) => Buffer.from(`Message-ID: <m${i}@check.test>\r\nFrom: ${i % 2 ? 'J\xf6rg' : 'Joe'} <j@check.test>\r\nSubject: check ${i}\r\n\r\nbody ${i}\r\n`, 'latin1'))
const EIGHT_BIT = ['<m1@check.test>', '<m3@check.test>']

/** Cyrus's munge8bit: every header byte above 0x7F becomes 'X'. */
function munge(b: Buffer): Buffer {
  const out = Buffer.from(b)
  const end = out.indexOf('\r\n\r\n')
  for (let i = 0; i < end; i++) if (out[i]! > 0x7f) out[i] = 0x58
  return out
}

interface Target { munge: boolean; failFetch: boolean }

/** `inner` whose folder sessions munge what they store, and whose fetch fails when told to. */
function alteringTarget(inner: MaildirRepository, t: Target): Repository {
  return Object.assign(Object.create(inner) as Repository, {
    openFolder: async (name: string, opts?: { readOnly?: boolean }) => {
      const s = await inner.openFolder(name, opts)
      const own: Partial<FolderSession> = {
        append: (m) => s.append(t.munge && Buffer.isBuffer(m.content) ? { ...m, content: munge(m.content) } : m),
        fetch: (uids, o) => {
          if (t.failFetch) throw new MailsyncError('network', 'connection lost while fetching the copies back')
          return s.fetch(uids, o)
        },
      }
      // every other member is the session's own, called on the session itself
      return new Proxy(s, {
        get: (target, key) => {
          if (key in own) return own[key as keyof FolderSession]
          const v = Reflect.get(target, key, target) as unknown
          return typeof v === 'function' ? v.bind(target) : v
        },
      })
    },
  })
}

async function setup(t: TestContext) {
  const root = mkdtempSync(join(tmpdir(), 'mailsync-checks-'))
  t.after(() => rmSync(root, { recursive: true, force: true }))
  mkdirSync(join(root, 'src'))
  mkdirSync(join(root, 'dst'))
  const src = new MaildirRepository({ name: 'src', root: join(root, 'src') })
  const dst = new MaildirRepository({ name: 'dst', root: join(root, 'dst') })
  await src.createFolder('INBOX')
  await dst.createFolder('INBOX')
  const s = await src.openFolder('INBOX')
  for (const m of MESSAGES) await s.append({ content: m, size: m.length, flags: [], internalDate: Date.UTC(2024, 0, 1) })
  await s.close()
  const db = StatusDb.openMemory()
  const target: Target = { munge: true, failFetch: false }
  const repoB = alteringTarget(dst, target)
  const run = async () => {
    const out = await syncFolderPair({
      account: 'a', repoA: src, repoB, db, policy: makePolicy('migrate'), emit: () => undefined, dryRun: false, verify: 'bytes',
      pair: { nameA: 'INBOX', nameB: 'INBOX', createA: false, createB: false, via: 'name' },
    })
    await out.settling // as account-sync does: the sessions close once their end status is recorded
    return out
  }
  /** The target's messages: Message-ID and whether the bytes are the source's. */
  const targetHolds = async () => {
    const f = await dst.openFolder('INBOX')
    const out: string[] = []
    try {
      const { messages } = await f.list({ withMessageId: true })
      for await (const b of f.fetch(messages.map((m) => m.uid))) {
        const bytes = Buffer.isBuffer(b.content) ? b.content : Buffer.concat(await b.content.toArray())
        const id = messages.find((m) => m.uid === b.uid)!.messageId!
        out.push(`${id} ${MESSAGES.some((m) => m.equals(bytes)) ? 'exact' : 'altered'}`)
      }
    } finally {
      await f.close()
    }
    return out.sort()
  }
  return { src, dst, db, target, run, targetHolds }
}

const named = (problems: { messageId?: string; verification?: boolean }[]) => problems.filter((p) => p.verification).map((p) => p.messageId).sort()

test('a copy the target altered is reported by every later run until it is removed; then it is copied and checked again', async (t) => {
  const { dst, db, target, run, targetHolds } = await setup(t)
  const first = await run()
  assert.deepEqual([first.counts.copiedAtoB, first.counts.verified, first.counts.failed], [5, 3, 2])
  assert.deepEqual(named(first.problems), EIGHT_BIT)
  for (const n of [2, 3]) {
    const again = await run()
    assert.equal(again.skipped, undefined, `run ${n} looks at the folder again`)
    assert.deepEqual([again.counts.copiedAtoB, again.counts.failed], [0, 2], `run ${n}: nothing copied, the altered copies still count as failed`)
    assert.deepEqual(named(again.problems), EIGHT_BIT, `run ${n} names the altered copies again`)
    assert.ok(again.problems.every((p) => /found by an earlier run.*remove it from the target/.test(p.reason)), again.problems.map((p) => p.reason).join('; '))
  }
  assert.deepEqual(await targetHolds(), ['<m0@check.test> exact', '<m1@check.test> altered', '<m2@check.test> exact', '<m3@check.test> altered', '<m4@check.test> exact'])

  // the user removes the altered copies (and the target stops altering): they are copied again and checked
  const f = await dst.openFolder('INBOX')
  const { messages } = await f.list({ withMessageId: true })
  await f.delete(messages.filter((m) => EIGHT_BIT.includes(m.messageId!)).map((m) => m.uid))
  await f.close()
  target.munge = false
  const fixed = await run()
  assert.deepEqual([fixed.counts.copiedAtoB, fixed.counts.verified, fixed.counts.failed, fixed.problems.length], [2, 2, 0, 0])
  assert.deepEqual(db.listCopyChecks(db.getFolderPair('INBOX', 'INBOX')!.id), [])
  const last = await run()
  assert.deepEqual([last.counts.copiedAtoB, last.counts.failed, last.problems.length], [0, 0, 0])
  assert.deepEqual(await targetHolds(), MESSAGES.map((_, i) => `<m${i}@check.test> exact`))
})

test('a removed copy that is altered again is reported again, and is never a second copy', async (t) => {
  const { dst, run, targetHolds } = await setup(t)
  await run()
  const f = await dst.openFolder('INBOX')
  const { messages } = await f.list({ withMessageId: true })
  await f.delete(messages.filter((m) => m.messageId === EIGHT_BIT[0]).map((m) => m.uid))
  await f.close()
  const again = await run()
  assert.deepEqual([again.counts.copiedAtoB, again.counts.verified, again.counts.failed], [1, 0, 2])
  assert.deepEqual(named(again.problems), EIGHT_BIT)
  assert.equal((await targetHolds()).length, 5)
})

test('a check the run did not get to (fetching the copies back failed) is done by the next run', async (t) => {
  const { db, target, run } = await setup(t)
  target.failFetch = true
  await assert.rejects(run(), (e: unknown) => e instanceof MailsyncError && e.kind === 'network')
  const fp = db.getFolderPair('INBOX', 'INBOX')!.id
  assert.deepEqual(db.listCopyChecks(fp).map((c) => c.failure), [null, null, null, null, null], 'five copies owe their check')
  target.failFetch = false
  const next = await run()
  assert.deepEqual([next.counts.copiedAtoB, next.counts.verified, next.counts.failed], [0, 3, 2])
  assert.deepEqual(named(next.problems), EIGHT_BIT)
  assert.ok(next.problems.every((p) => /differs from the source/.test(p.reason)))
  assert.deepEqual(db.listCopyChecks(fp).map((c) => c.messageId).sort(), EIGHT_BIT, 'only the failed checks stay')
  const third = await run()
  assert.deepEqual(named(third.problems), EIGHT_BIT)
})

// copyMessages: the target is flushed (its appends made durable) before the status cache records
// any copy, and the records that follow a flush are exactly the copies made before it.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { StatusDb } from '../../src/state/status-db.js'
import { MaildirRepository } from '../../src/repository/maildir/maildir-repository.js'
import { copyMessages } from '../../src/engine/copy-messages.js'
import type { FolderSession } from '../../src/repository/types.js'
import { MailsyncError } from '../../src/errors.js'

function message(i: number): Buffer {
  return Buffer.from(`Message-ID: <m${i}@copy.test>\r\nSubject: copy ${i}\r\n\r\nbody ${i}\r\n`)
}

/** A source Maildir folder holding `count` messages and an empty target folder, both open. */
async function setup(t: TestContext, count: number) {
  const root = mkdtempSync(join(tmpdir(), 'mailsync-copy-'))
  t.after(() => rmSync(root, { recursive: true, force: true }))
  const src = new MaildirRepository({ name: 'src', root: join(root, 'src') })
  const dst = new MaildirRepository({ name: 'dst', root: join(root, 'dst') })
  mkdirSync(join(root, 'src'))
  mkdirSync(join(root, 'dst'))
  await src.createFolder('INBOX')
  await dst.createFolder('INBOX')
  const from = await src.openFolder('INBOX')
  for (let i = 0; i < count; i++) await from.append({ content: message(i), size: message(i).length, flags: [], internalDate: Date.UTC(2024, 0, 1) })
  const { messages } = await from.list({ withMessageId: true })
  const db = StatusDb.openMemory()
  const pair = db.ensureFolderPair('INBOX', 'INBOX')
  const inner = await dst.openFolder('INBOX')
  return { from, messages, db, pair, inner, targetCur: () => readdirSync(join(root, 'dst', 'INBOX', 'cur')) }
}

test('copyMessages flushes the target before each status-cache commit, and close flushes what is left', async (t) => {
  const count = 150 // more than one group of intents
  const { from, messages, db, pair, inner, targetCur } = await setup(t, count)
  /** Pairs recorded, and copies appended, at the moment of each flush. */
  const atFlush: { recorded: number; appended: number }[] = []
  let appended = 0
  const to: FolderSession = Object.assign(Object.create(inner) as FolderSession, {
    append: async (m: Parameters<FolderSession['append']>[0]) => {
      const r = await inner.append(m)
      appended++
      return r
    },
    flush: async () => {
      atFlush.push({ recorded: db.countMessagePairs(pair.id), appended })
      await inner.flush!()
    },
  })
  const res = await copyMessages({
    db, folderPairId: pair.id, from, to, direction: 'A->B', messages, emit: () => undefined, account: 'a', folder: 'INBOX',
  })
  assert.equal(res.copied, count)
  assert.equal(db.countMessagePairs(pair.id), count)
  assert.ok(atFlush.length >= 2, `one flush per group, got ${atFlush.length}`)
  // Every flush happens before the commit of the copies it covers: never a record ahead of a flush.
  let before = 0
  for (const f of atFlush) {
    assert.equal(f.recorded, before, 'no copy is recorded before the flush that makes it durable')
    before = f.appended
  }
  assert.equal(before, count, 'the last flush covers every copy')
  await inner.close()
  await from.close()
  assert.equal(targetCur().length, count)
  db.close()
})

test('copyMessages hands messages in memory to appendMany in batches within one group of 64; a refused message fails alone', async (t) => {
  const count = 150
  const { from, messages, db, pair, inner, targetCur } = await setup(t, count)
  const refusedUid = messages[70]!.uid

  const batches: number[][] = []
  let singles = 0
  let pairsBefore = -1
  const to: FolderSession = Object.assign(Object.create(inner) as FolderSession, {
    append: async () => {
      singles++
      throw new Error('appendMany should have been used')
    },
    appendMany: async (msgs: Parameters<NonNullable<FolderSession['appendMany']>>[0]) => {
      // the source UID of each message, read back from its body
      const uids = msgs.map((m) => messages[Number(/body (\d+)/.exec((m.content as Buffer).toString())![1])]!.uid)
      batches.push(uids)
      // the groups before this batch are recorded before it goes out
      if (pairsBefore < 0) pairsBefore = db.countMessagePairs(pair.id)
      else assert.ok(db.countMessagePairs(pair.id) > 0, 'earlier groups are recorded')
      const out = []
      for (let i = 0; i < msgs.length; i++) {
        out.push(uids[i] === refusedUid ? { error: new Error('refused by the server') } : await inner.append(msgs[i]!))
      }
      return out
    },
    flush: () => inner.flush!(),
  })
  const res = await copyMessages({
    db, folderPairId: pair.id, from, to, direction: 'A->B', messages, emit: () => undefined, account: 'a', folder: 'INBOX',
  })
  assert.equal(singles, 0)
  assert.deepEqual(batches.flat(), messages.map((m) => m.uid), 'every message once, in UID order')
  assert.ok(batches.length >= 3 && batches.every((b) => b.length >= 1 && b.length <= 64), `batches: ${batches.map((b) => b.length).join(',')}`)
  // a batch never spans two groups of 64 (each group's records are committed together)
  const order = messages.map((m) => m.uid)
  for (const b of batches) assert.equal(Math.floor(order.indexOf(b[0]!) / 64), Math.floor(order.indexOf(b[b.length - 1]!) / 64))
  assert.equal(res.copied, count - 1)
  assert.deepEqual(res.failed.map((f) => [f.uid, f.reason]), [[refusedUid, 'refused by the server']])
  assert.equal(db.countMessagePairs(pair.id), count - 1)
  assert.equal(pairsBefore, 0, 'nothing is recorded before the first batch is stored')
  await inner.close()
  await from.close()
  assert.equal(targetCur().length, count - 1)
  db.close()
})

test('copyMessages stops at a connection failure returned by appendMany, recording nothing of that batch', async (t) => {
  const { from, messages, db, pair, inner } = await setup(t, 10)
  await inner.close()
  const to = {
    name: 'INBOX', readOnly: false, status: { uidValidity: 1, uidNext: 1, messages: 0 },
    append: async () => assert.fail('appendMany should have been used'),
    appendMany: async (msgs: unknown[]) => msgs.map(() => ({ error: new MailsyncError('network', 'connection reset') })),
  } as unknown as FolderSession
  await assert.rejects(
    copyMessages({ db, folderPairId: pair.id, from, to, direction: 'A->B', messages, emit: () => undefined, account: 'a', folder: 'INBOX' }),
    (e: unknown) => e instanceof MailsyncError && e.kind === 'network',
  )
  assert.equal(db.countMessagePairs(pair.id), 0)
  // the batch may or may not have reached the server: unrecorded, so the next run pairs by fingerprint
  await from.close()
  db.close()
})

test('a message the target refuses, and a copy that fails its check, are reported with their Subject and Message-ID', async (t) => {
  const { from, messages, db, pair, inner } = await setup(t, 6)
  const refusedUid = messages[2]!.uid
  const to: FolderSession = Object.assign(Object.create(inner) as FolderSession, {
    append: async (m: Parameters<FolderSession['append']>[0]) => {
      const bytes = m.content as Buffer
      if (bytes.includes('Subject: copy 2\r\n')) throw new Error('refused by the test')
      // message 4's copy is stored with a changed byte: its check must fail
      if (bytes.includes('Subject: copy 4\r\n')) return inner.append({ ...m, content: Buffer.from(bytes.toString('latin1').replace('body 4', 'body X'), 'latin1') })
      return inner.append(m)
    },
    flush: () => inner.flush!(),
    fetch: (...a: Parameters<FolderSession['fetch']>) => inner.fetch(...a),
  })
  const res = await copyMessages({
    db, folderPairId: pair.id, from, to, direction: 'A->B', messages, emit: () => undefined, account: 'a', folder: 'INBOX', verify: 'bytes',
  })
  const refused = res.failed.find((f) => !f.verification)
  assert.deepEqual(refused && { uid: refused.uid, subject: refused.subject, messageId: refused.messageId }, { uid: refusedUid, subject: 'copy 2', messageId: '<m2@copy.test>' })
  const changed = res.failed.find((f) => f.verification)
  assert.deepEqual(changed && { subject: changed.subject, messageId: changed.messageId }, { subject: 'copy 4', messageId: '<m4@copy.test>' })
  assert.match(changed!.reason, /differs from the source/)
  assert.equal(res.verified, 4)
  await inner.close()
  await from.close()
  db.close()
})

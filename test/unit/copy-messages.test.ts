// copyMessages: the target is flushed (its appends made durable) before the status cache records
// any copy, and the records that follow a flush are exactly the copies made before it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { StatusDb } from '../../src/state/status-db.js'
import { MaildirRepository } from '../../src/repository/maildir/maildir-repository.js'
import { copyMessages } from '../../src/engine/copy-messages.js'
import type { FolderSession } from '../../src/repository/types.js'

function message(i: number): Buffer {
  return Buffer.from(`Message-ID: <m${i}@copy.test>\r\nSubject: copy ${i}\r\n\r\nbody ${i}\r\n`)
}

test('copyMessages flushes the target before each status-cache commit, and close flushes what is left', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'mailsync-copy-'))
  t.after(() => rmSync(root, { recursive: true, force: true }))
  const src = new MaildirRepository({ name: 'src', root: join(root, 'src') })
  const dst = new MaildirRepository({ name: 'dst', root: join(root, 'dst') })
  mkdirSync(join(root, 'src'))
  mkdirSync(join(root, 'dst'))
  await src.createFolder('INBOX')
  await dst.createFolder('INBOX')
  const from = await src.openFolder('INBOX')
  const count = 150 // more than one group of intents
  for (let i = 0; i < count; i++) await from.append({ content: message(i), size: message(i).length, flags: [], internalDate: Date.UTC(2024, 0, 1) })
  const { messages } = await from.list({ withMessageId: true })

  const db = StatusDb.openMemory()
  const pair = db.ensureFolderPair('INBOX', 'INBOX')
  const inner = await dst.openFolder('INBOX')
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
  const files = readdirSync(join(root, 'dst', 'INBOX', 'cur'))
  assert.equal(files.length, count)
  db.close()
})

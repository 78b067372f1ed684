// MaildirFolder.changeTokenNow: a folder vouches for its end-of-run change token only when every
// change since the session's view of it was its own; another program's delivery, rename or
// removal in the meantime withholds it, so the next run lists the folder and sees that change.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdir, rename, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { MaildirRepository } from '../../src/repository/maildir/maildir-repository.js'
import { msUntilSettled, mtimeSettled } from '../../src/repository/maildir/message-files.js'
import { tempRoots } from '../support/temp-roots.js'

const roots = tempRoots('mailsync-own-token-')

const message = (i: number) => Buffer.from(`Message-ID: <own${i}@t>\r\nSubject: own ${i}\r\n\r\nbody ${i}\r\n`)

/** A folder listed in full, then written by the session: `n` appends, flushed. */
async function written(n: number) {
  const root = await roots.fresh()
  const repo = new MaildirRepository({ name: 'm', root })
  await repo.createFolder('INBOX')
  const start = await repo.folderStatus('INBOX')
  const folder = await repo.openFolder('INBOX')
  await folder.list({})
  for (let i = 0; i < n; i++) await folder.append({ content: message(i), size: message(i).length, flags: i % 2 ? ['\\Seen'] : [], internalDate: Date.now() })
  await folder.flush!()
  return { root, repo, folder, start, dir: join(root, 'INBOX') }
}

test('only own changes: the end token is what the next run reads as the folder status', async () => {
  const { repo, folder, start } = await written(5)
  const token = await folder.changeTokenNow!(start)
  assert.ok(token, 'the session vouched for its own writes')
  assert.notEqual(token, start.changeToken, 'the token moved on past the writes')
  await folder.close()
  assert.equal((await repo.folderStatus('INBOX')).changeToken, token, 'closing changed nothing the token is made of')
})

test('a delivery by another program after the listing withholds the token', async () => {
  const { folder, start, dir } = await written(3)
  await writeFile(join(dir, 'new', '1700000000.other.host'), message(99))
  assert.equal(await folder.changeTokenNow!(start), undefined)
  await folder.close()
})

test("another program's flag change (a rename) or removal withholds the token", async () => {
  for (const change of ['rename', 'unlink'] as const) {
    const { folder, start, dir } = await written(3)
    const [name] = await readdir(join(dir, 'cur'))
    if (change === 'rename') await rename(join(dir, 'cur', name), join(dir, 'cur', `${name}T`))
    else await unlink(join(dir, 'cur', name))
    assert.equal(await folder.changeTokenNow!(start), undefined, change)
    await folder.close()
  }
})

test('a session that did not list the whole folder has no view to vouch from', async () => {
  const root = await roots.fresh()
  const repo = new MaildirRepository({ name: 'm', root })
  await repo.createFolder('INBOX')
  const start = await repo.folderStatus('INBOX')
  const folder = await repo.openFolder('INBOX')
  await folder.list({ uids: [1, 2] })
  await folder.append({ content: message(1), size: message(1).length, flags: [], internalDate: Date.now() })
  assert.equal(await folder.changeTokenNow!({ ...start, changeToken: undefined }), undefined)
  await folder.close()
})

test('settle windows: whole-second mtimes wait two seconds, sub-second ones 50 ms', () => {
  const s = 1_000_000_000n
  assert.equal(mtimeSettled(10n * s, 11n * s), false, 'a whole-second stamp: 1 s is not enough')
  assert.equal(mtimeSettled(10n * s, 12n * s), true)
  assert.equal(mtimeSettled(10n * s + 4_000_000n, 10n * s + 40_000_000n), false)
  assert.equal(mtimeSettled(10n * s + 4_000_000n, 10n * s + 54_000_000n), true)
  assert.equal(msUntilSettled([10n * s + 4_000_000n, 10n * s + 10_000_000n], 10n * s + 20_000_000n), 40)
  assert.equal(msUntilSettled([10n * s], 13n * s), 0)
})

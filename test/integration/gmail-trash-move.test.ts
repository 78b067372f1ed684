// A message file moved locally from the All Mail folder to the Trash folder (what a mail reader
// does on delete) reaches Gmail as one message in Trash, not as a move plus an upload, whichever
// of the two folder pairs a sync handles first. Each order is made certain by syncing one folder
// (-f) and then the other; a third case runs both in one sync side by side. A full sync
// afterwards must find nothing left to do.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { readFileSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { startFakeGmail } from '../support/fake-gmail/index.js'
import { maildirRepository } from '../support/config-text.js'
import { counts, gmailRepository, mailsync, message, subjectOf, subjects, maildir, tempDir, writeConfig } from './gmail-helpers.js'

async function movedLocallyToTrash(order: 'all-mail-first' | 'trash-first' | 'one-run'): Promise<void> {
  const g = await startFakeGmail()
  const a = g.account
  a.add({ raw: message('Hello inbox'), labels: ['\\Inbox', 'Work'] })
  a.add({ raw: message('Kept'), labels: [] })
  a.add({ raw: message('Binned'), box: 'trash' })
  const dir = tempDir('mailsync-gmail-trash-move-')
  const root = join(dir, 'mail')
  const config = writeConfig(dir, `[general]\naccounts = t\nmetadata = ${join(dir, 'state')}\n\n[Account t]\nlocalrepository = L\nremoterepository = R\nsynclabels = yes\n\n${gmailRepository('R', g)}\n${maildirRepository('L', root)}`)
  const allMail = `${a.root}/All Mail`
  const trash = `${a.root}/Trash`
  try {
    const first = await mailsync(['sync', 't', '-c', config])
    assert.equal(first.status, 0, first.stderr)
    // the mail reader's delete: the file goes from All Mail's cur/ to Trash's cur/, bytes and flags
    // unchanged; its U= part (All Mail's UID) is left behind, as a reader that renumbers does, so
    // it cannot meet a Trash file of the same U= (which one keeps the U= is the Maildir's matter)
    const localDir = (folder: string) => join(root, folder.replace('/', '.'), 'cur')
    const name = readdirSync(localDir(allMail)).find((f) => subjectOf(readFileSync(join(localDir(allMail), f))) === 'Hello inbox')!
    assert.ok(name, 'the message was synced to the local All Mail')
    renameSync(join(localDir(allMail), name), join(localDir(trash), name.replace(/,U=\d+/, '')))
    const appendsBefore = a.appends
    // one run: both pairs at once (maxconnections = 3), in whatever order they meet
    const folders = order === 'all-mail-first' ? [allMail, trash] : order === 'trash-first' ? [trash, allMail] : [undefined]
    for (const f of folders) {
      const r = await mailsync(['sync', 't', '-c', config, ...(f ? ['-f', f] : [])])
      assert.equal(r.status, 0, `${f ?? 'all folders'}: ${r.stderr}${r.stdout.slice(-2000)}`)
    }
    const copies = a.messages().filter((m) => subjectOf(m.raw) === 'Hello inbox')
    assert.deepEqual(copies.map((m) => m.box), ['trash'], 'exactly one copy, in Trash')
    assert.equal(a.appends, appendsBefore, 'nothing uploaded: the message Gmail has was moved')
    assert.equal(a.messages().length, 3, 'nothing lost, nothing added')
    // a full sync then finds both sides alike: no copy, no delete
    const again = await mailsync(['sync', 't', '-c', config])
    assert.equal(again.status, 0, again.stderr)
    const c = counts(again)
    assert.deepEqual([c.copiedAtoB ?? 0, c.copiedBtoA ?? 0, c.deletedA ?? 0, c.deletedB ?? 0], [0, 0, 0, 0], JSON.stringify(c))
    const local = await subjects(maildir(root, true))
    assert.deepEqual(local[allMail.replace('/', '.')], ['Kept'])
    assert.deepEqual(local[trash.replace('/', '.')], ['Binned', 'Hello inbox'])
    assert.equal(a.messages().filter((m) => subjectOf(m.raw) === 'Hello inbox').length, 1)
  } finally {
    await g.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

test('a local move All Mail -> Trash, All Mail pair first: one copy in Gmail\'s Trash, none in All Mail', async () => {
  await movedLocallyToTrash('all-mail-first')
})

test('a local move All Mail -> Trash, Trash pair first: one copy in Gmail\'s Trash, none in All Mail', async () => {
  await movedLocallyToTrash('trash-first')
})

test('a local move All Mail -> Trash, both pairs in one run side by side: one copy in Gmail\'s Trash, none in All Mail', async () => {
  await movedLocallyToTrash('one-run')
})

// Folder names on disk: modified UTF-7 as OfflineIMAP, mbsync and Dovecot write them, UTF-8 as
// older mailsync Maildirs have them; one folder is never made twice under two spellings.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { decodeMutf7, encodeMutf7, isMutf7Spelling } from '../../src/mail/mutf7.js'
import { MaildirRepository } from '../../src/repository/maildir/maildir-repository.js'
import { MailsyncError } from '../../src/errors.js'
import { tempRoots } from '../support/temp-roots.js'

const roots = tempRoots('mailsync-spell-')

test('modified UTF-7 both ways, on spellings the real tools wrote', () => {
  const table: [string, string][] = [
    ['Entwürfe & Notizen', 'Entw&APw-rfe &- Notizen'],
    ['日本語.受信', '&ZeVnLIqe-.&U9dP4Q-'],
    ['Отправленные', '&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-'],
    ['Q&A', 'Q&-A'],
    ['INBOX', 'INBOX'],
    ['😀 smile', '&2D3eAA- smile'],
  ]
  for (const [name, spelled] of table) {
    assert.equal(encodeMutf7(name), spelled)
    assert.equal(decodeMutf7(spelled), name)
  }
  for (const notOne of ['R&D', 'Entwürfe', '&APw', '&AP-', '&!!-', 'a&']) {
    assert.equal(decodeMutf7(notOne), undefined, notOne)
    assert.equal(isMutf7Spelling(notOne), false, notOne)
  }
  assert.equal(isMutf7Spelling('Entw&APw-rfe'), true)
  assert.equal(isMutf7Spelling('Plain'), false)
})

function maildir(dir: string): void {
  for (const s of ['cur', 'new', 'tmp']) mkdirSync(join(dir, s), { recursive: true })
}

test('a tree spelled in modified UTF-7 lists decoded names and opens the same directories', async () => {
  const root = await roots.fresh()
  maildir(join(root, 'Entw&APw-rfe &- Notizen'))
  maildir(join(root, '&ZeVnLIqe-.&U9dP4Q-'))
  maildir(join(root, 'INBOX'))
  const repo = new MaildirRepository({ name: 'l', root })
  const names = (await repo.listFolders()).filter((f) => f.selectable).map((f) => f.name)
  assert.deepEqual(names, ['INBOX', 'Entwürfe & Notizen', '日本語.受信'].sort())
  assert.equal(await repo.diskName('Entwürfe & Notizen'), 'Entw&APw-rfe &- Notizen')
  await repo.createFolder('Entwürfe & Notizen')
  await repo.createFolder('Gelöscht')
  assert.deepEqual(readdirSync(root).sort(), ['&ZeVnLIqe-.&U9dP4Q-', 'Entw&APw-rfe &- Notizen', 'Gel&APY-scht', 'INBOX'], 'no decoded twin; new folders in the tree\'s spelling')
  const s = await repo.openFolder('Entwürfe & Notizen')
  await s.append({ content: Buffer.from('A: b\r\n\r\nx\r\n'), size: 11, flags: [], internalDate: Date.now() })
  await s.close()
  assert.equal(readdirSync(join(root, 'Entw&APw-rfe &- Notizen', 'cur')).length, 1)
})

test('a UTF-8 tree stays UTF-8; utf8foldernames chooses for a tree that does not tell', async () => {
  const root = await roots.fresh()
  maildir(join(root, 'Entwürfe'))
  const repo = new MaildirRepository({ name: 'l', root })
  await repo.listFolders()
  await repo.createFolder('Gelöscht')
  assert.ok(existsSync(join(root, 'Gelöscht', 'cur')))
  const plain = await roots.fresh()
  const utf8 = new MaildirRepository({ name: 'l', root: plain, spelling: 'utf8' })
  await utf8.createFolder('Gelöscht')
  assert.ok(existsSync(join(plain, 'Gelöscht', 'cur')))
  const plain2 = await roots.fresh()
  const dflt = new MaildirRepository({ name: 'l', root: plain2 })
  await dflt.createFolder('Gelöscht')
  assert.ok(existsSync(join(plain2, 'Gel&APY-scht', 'cur')), 'default: modified UTF-7, as OfflineIMAP and mbsync')
})

test('nested and Maildir++ trees spell each level', async () => {
  const root = await roots.fresh()
  maildir(join(root, '&ZeVnLIqe-', '&U9dP4Q-'))
  const nested = new MaildirRepository({ name: 'l', root, sep: '/' })
  assert.deepEqual((await nested.listFolders()).map((f) => [f.name, f.selectable]), [['日本語', false], ['日本語/受信', true]])
  assert.equal(await nested.diskName('日本語/受信'), '&ZeVnLIqe-/&U9dP4Q-')
  const pp = await roots.fresh()
  maildir(pp)
  maildir(join(pp, '.Entw&APw-rfe.Alt'))
  const plus = new MaildirRepository({ name: 'l', root: pp, sep: '/', layout: 'maildir++' })
  assert.deepEqual((await plus.listFolders()).filter((f) => f.selectable).map((f) => f.name), ['Entwürfe/Alt', 'INBOX'])
  assert.equal(await plus.diskName('Entwürfe/Alt'), '.Entw&APw-rfe.Alt')
})

test('a folder on disk under both spellings is refused with a clear error, and nothing is touched', async () => {
  const root = await roots.fresh()
  maildir(join(root, 'Entw&APw-rfe'))
  maildir(join(root, 'Entwürfe'))
  const repo = new MaildirRepository({ name: 'l', root })
  assert.deepEqual((await repo.listFolders()).map((f) => f.name), ['Entwürfe'])
  await assert.rejects(repo.openFolder('Entwürfe'), (e: unknown) => e instanceof MailsyncError && e.kind === 'data' && /on disk twice/.test(e.message))
  await assert.rejects(repo.folderStatus('Entwürfe'), (e: unknown) => e instanceof MailsyncError && e.kind === 'data')
  assert.deepEqual(readdirSync(root).sort(), ['Entwürfe', 'Entw&APw-rfe'].sort())
  assert.deepEqual(readdirSync(join(root, 'Entwürfe')).sort(), ['cur', 'new', 'tmp'])
})

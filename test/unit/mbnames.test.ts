// mbnames: the text (header, per item, separator, footer, filter, order), the per-account lists
// that keep other accounts in the file, and the atomic replacement.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, readdir, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { formatItem, renderMbnames, type MbnamesSettings } from '../../src/mbnames/mbnames-format.js'
import { updateMbnames } from '../../src/mbnames/mbnames-store.js'

const settings = (o: Partial<MbnamesSettings> = {}): MbnamesSettings => ({
  filename: '/nonexistent', header: 'mailboxes ', peritem: '"+%(accountname)s/%(foldername)s"', sep: ' ', footer: '\n', folderfilter: () => true, ...o,
})

test('items use both placeholders; unknown placeholders stay as written', () => {
  assert.equal(formatItem('+%(accountname)s/%(foldername)s', { account: 'work', folder: 'INBOX/Sub' }), '+work/INBOX/Sub')
  assert.equal(formatItem('%(foldername)s %(other)s', { account: 'a', folder: 'F' }), 'F %(other)s')
})

test('header, items sorted by account then folder, separator, footer; filter applied; duplicates once', () => {
  const text = renderMbnames(settings({ folderfilter: (a, f) => !(a === 'work' && f === 'Trash') }), [
    { account: 'work', folder: 'Trash' }, { account: 'work', folder: 'INBOX' }, { account: 'home', folder: 'Sent' },
    { account: 'home', folder: 'INBOX' }, { account: 'home', folder: 'INBOX' },
  ])
  assert.equal(text, 'mailboxes "+home/INBOX" "+home/Sent" "+work/INBOX"\n')
})

test('no folders: header and footer only', () => {
  assert.equal(renderMbnames(settings(), []), 'mailboxes \n')
})

test('syncing one account keeps the other accounts from earlier runs; the file is replaced, no temp left', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mbnames-'))
  const filename = join(dir, 'mutt', 'mailboxes')
  const s = settings({ filename })
  await updateMbnames({ settings: s, stateDir: join(dir, 'state'), accounts: ['home', 'work'], synced: new Map([['home', ['INBOX']], ['work', ['INBOX', 'Sent']]]) })
  assert.equal(await readFile(filename, 'utf8'), 'mailboxes "+home/INBOX" "+work/INBOX" "+work/Sent"\n')
  await updateMbnames({ settings: s, stateDir: join(dir, 'state'), accounts: ['home', 'work'], synced: new Map([['work', ['INBOX', 'Lists']]]) })
  assert.equal(await readFile(filename, 'utf8'), 'mailboxes "+home/INBOX" "+work/INBOX" "+work/Lists"\n')
  // an account removed from the config disappears from the file
  await updateMbnames({ settings: s, stateDir: join(dir, 'state'), accounts: ['work'], synced: new Map() })
  assert.equal(await readFile(filename, 'utf8'), 'mailboxes "+work/INBOX" "+work/Lists"\n')
  assert.deepEqual(await readdir(join(dir, 'mutt')), ['mailboxes'])
})

test('a target that cannot be replaced (a directory) is a disk error; nothing else is touched, no temp left', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mbnames-'))
  const target = join(dir, 'mailboxes')
  await mkdir(target)
  await writeFile(join(target, 'keep'), 'mine\n')
  await assert.rejects(
    updateMbnames({ settings: settings({ filename: target }), stateDir: join(dir, 'state'), accounts: ['a'], synced: new Map([['a', ['INBOX']]]) }),
    (e: Error & { kind?: string }) => e.kind === 'disk' && e.message.includes(`cannot write ${target}`),
  )
  assert.equal(await readFile(join(target, 'keep'), 'utf8'), 'mine\n')
  assert.deepEqual((await readdir(dir)).sort(), ['mailboxes', 'state'])
})

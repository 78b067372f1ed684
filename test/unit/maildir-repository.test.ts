// MaildirRepository on real temp directories: folders, append -> list -> fetch, flags, delete,
// read-only mode.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { rm, mkdir, readdir, readFile, writeFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { MaildirRepository } from '../../src/repository/maildir/maildir-repository.js'
import { storeDelivery } from '../../src/repository/maildir/delivery.js'
import { MailsyncError } from '../../src/errors.js'
import { bodyBytes } from '../support/message-body.js'
import { tempRoots } from '../support/temp-roots.js'

const roots = tempRoots('mailsync-maildir-')
const freshRoot = () => roots.fresh()

/** A new repository `m` in a fresh root, with `name` created and open. */
async function freshFolder(name = 'INBOX') {
  const root = await freshRoot()
  const repo = new MaildirRepository({ name: 'm', root })
  await repo.createFolder(name)
  return { root, repo, folder: await repo.openFolder(name) }
}

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(join(e.parentPath ?? e.path, e.name).slice(dir.length))
  }
  return out.sort()
}

test('folders: flat sep ".", nested sep "/", maildir++', async () => {
  const flatRoot = await freshRoot()
  const flat = new MaildirRepository({ name: 'flat', root: flatRoot })
  await flat.createFolder('INBOX')
  await flat.createFolder('Work.Projects')
  for (const sub of ['cur', 'new', 'tmp']) assert.ok((await stat(join(flatRoot, 'Work.Projects', sub))).isDirectory())
  await mkdir(join(flatRoot, 'not-a-folder'))
  assert.deepEqual(await flat.listFolders(), [
    { name: 'INBOX', separator: '.', selectable: true },
    { name: 'Work', separator: '.', selectable: false },
    { name: 'Work.Projects', separator: '.', selectable: true },
  ])

  const nestedRoot = await freshRoot()
  const nested = new MaildirRepository({ name: 'nested', root: nestedRoot, sep: '/' })
  await nested.createFolder('Work/Projects/Alpha')
  await nested.createFolder('Work')
  assert.ok((await stat(join(nestedRoot, 'Work', 'Projects', 'Alpha', 'cur'))).isDirectory())
  assert.deepEqual(
    (await nested.listFolders()).map((f) => [f.name, f.selectable]),
    [['Work', true], ['Work/Projects', false], ['Work/Projects/Alpha', true]],
  )

  const plusRoot = await freshRoot()
  const plus = new MaildirRepository({ name: 'plus', root: plusRoot, sep: '/', layout: 'maildir++' })
  await plus.createFolder('INBOX')
  await plus.createFolder('Sub/Folder')
  await plus.createFolder('Entwürfe')
  assert.ok((await stat(join(plusRoot, 'cur'))).isDirectory(), 'INBOX is the root')
  assert.ok((await stat(join(plusRoot, '.Sub.Folder', 'new'))).isDirectory())
  assert.ok((await stat(join(plusRoot, '.Entw&APw-rfe', 'new'))).isDirectory(), 'modified UTF-7 on disk, as Dovecot, OfflineIMAP and mbsync spell it')
  const s = await plus.openFolder('INBOX')
  await s.close() // leaves a state file in the root: it must not show up as a folder
  assert.deepEqual(
    (await plus.listFolders()).map((f) => [f.name, f.separator, f.selectable]),
    [['Entwürfe', '/', true], ['INBOX', '/', true], ['Sub', '/', false], ['Sub/Folder', '/', true]],
  )
  await assert.rejects(plus.createFolder('../escape'), (e: unknown) => e instanceof MailsyncError && e.kind === 'data')
  await assert.rejects(plus.openFolder('Missing'), (e: unknown) => e instanceof MailsyncError && e.kind === 'data')
  assert.deepEqual(await readdir(roots.base).then((l) => l.includes('escape')), false)
})

test('open: missing root is a config error unless createRoot', async () => {
  const missing = join(roots.base, 'nope', 'mail')
  await assert.rejects(new MaildirRepository({ name: 'x', root: missing }).open(), (e: unknown) => e instanceof MailsyncError && e.kind === 'config')
  const repo = new MaildirRepository({ name: 'x', root: missing, createRoot: true, layout: 'maildir++' })
  await repo.open()
  assert.deepEqual((await repo.listFolders()).map((f) => f.name), ['INBOX'])
  assert.throws(() => new MaildirRepository({ name: 'x', root: missing, sep: '::' }), MailsyncError)
  assert.deepEqual([...(await repo.capabilities())], ['UIDPLUS'])
  assert.equal(repo.maxConnections, 4)
})

test('append -> list -> fetch keeps bytes exactly, sets mtime and flags', async () => {
  const { root, repo, folder } = await freshFolder()
  const crlf = Buffer.from('Message-ID: <a@x>\r\nSubject: crlf\r\n\r\nbody\r\nline\r\n')
  const lf = Buffer.from('Subject: lf\nMessage-Id:\n  <b@x>\n\nbody\n')
  const eightBit = Buffer.concat([Buffer.from('Subject: 8bit\r\n\r\n'), Buffer.from([0xe4, 0xf6, 0x00, 0xff, 0x0d, 0x0a])])
  const date1 = Date.UTC(2020, 0, 2, 3, 4, 5)
  const date2 = Date.UTC(2001, 8, 9, 1, 46, 40, 123)
  const r1 = await folder.append({ content: crlf, size: crlf.length, flags: ['\\Seen', '$Forwarded'], internalDate: date1 })
  const r2 = await folder.append({ content: Readable.from([lf.subarray(0, 5), lf.subarray(5)]), size: lf.length, flags: [], internalDate: date2 })
  const r3 = await folder.append({ content: eightBit, size: eightBit.length, flags: ['\\Flagged', '\\Answered', 'Work'], internalDate: date1 })
  assert.deepEqual([r1.uid, r2.uid, r3.uid], [1, 2, 3])
  assert.equal(r1.uidValidity, folder.status.uidValidity)
  assert.equal(folder.status.uidNext, 4)
  assert.equal(folder.status.messages, 3)

  // Messages in memory wait in tmp/ for flush (one fsync round for all); the stream is stored at once.
  assert.equal((await readdir(join(root, 'INBOX', 'tmp'))).length, 2)
  assert.deepEqual((await readdir(join(root, 'INBOX', 'cur'))).map((n) => /,U=(\d+)/.exec(n)?.[1]), ['2'])
  await folder.flush!()
  const curNames = await readdir(join(root, 'INBOX', 'cur'))
  assert.equal(curNames.length, 3)
  // W=: the size each is served with (what came in)
  assert.ok(curNames.some((n) => n.endsWith(`,U=1,W=${crlf.length}:2,PS`)), curNames.join(' '))
  assert.ok(curNames.some((n) => n.endsWith(`,U=2,W=${lf.length}:2,`)))
  assert.ok(curNames.some((n) => n.endsWith(`,U=3,W=${eightBit.length}:2,FRa`)))
  assert.deepEqual(await readdir(join(root, 'INBOX', 'tmp')), [])

  const { messages, vanished } = await folder.list({ withMessageId: true, changedSince: 5n })
  assert.equal(vanished, undefined)
  assert.deepEqual(
    messages.map((m) => [m.uid, m.flags, m.size, m.internalDate, m.messageId]),
    [
      [1, ['$Forwarded', '\\Seen'], crlf.length, date1, '<a@x>'],
      [2, [], lf.length, date2, '<b@x>'],
      [3, ['Work', '\\Answered', '\\Flagged'], eightBit.length, date1, undefined],
    ],
  )
  assert.deepEqual((await folder.list({ uids: { from: 2 } })).messages.map((m) => m.uid), [2, 3])
  assert.deepEqual((await folder.list({ uids: [3, 1, 99] })).messages.map((m) => m.uid), [1, 3])

  const got: [number, Buffer][] = []
  for await (const b of folder.fetch([3, 99, 1, 2])) got.push([b.uid, await bodyBytes(b)])
  assert.deepEqual(got.map(([u]) => u), [1, 2, 3], 'ascending, missing UIDs skipped')
  assert.ok(got[0][1].equals(crlf))
  assert.ok(got[1][1].equals(lf))
  assert.ok(got[2][1].equals(eightBit))
  assert.deepEqual(await folder.searchMessageId('<b@x>'), [2])
  assert.deepEqual(await folder.searchMessageId('<none@x>'), [])
  await folder.close()

  // Reopened: same UIDVALIDITY, numbering continues, keyword letter remembered.
  const again = await repo.openFolder('INBOX')
  assert.equal(again.status.uidValidity, r1.uidValidity)
  assert.equal(again.status.uidNext, 4, 'the unused reserved block is given back on close')
  const r4 = await again.append({ content: Buffer.from('x'), size: 1, flags: ['work'], internalDate: date1 })
  assert.equal(r4.uid, 4)
  assert.deepEqual((await again.list({ uids: [4] })).messages[0].flags, ['Work'])
  await again.close()
})

test('a 5 MB message is fetched as a stream, byte-exact', async () => {
  const { folder } = await freshFolder('Big')
  const big = Buffer.alloc(5 * 1024 * 1024)
  for (let i = 0; i < big.length; i++) big[i] = (i * 7 + (i >> 9)) & 0xff
  const chunks = Array.from({ length: 80 }, (_, i) => big.subarray(i * 65536, (i + 1) * 65536))
  const { uid } = await folder.append({ content: Readable.from(chunks), size: big.length, flags: ['\\Seen'], internalDate: Date.now() })
  let seen = 0
  for await (const b of folder.fetch([uid!])) {
    seen++
    assert.equal(b.size, big.length)
    assert.ok(!Buffer.isBuffer(b.content), 'large bodies stream')
    assert.ok((await bodyBytes(b)).equals(big))
  }
  assert.equal(seen, 1)
  await folder.close()
})

test('a source stream failing midway leaves no message behind', async () => {
  const { root, folder } = await freshFolder()
  async function* failing() {
    yield Buffer.from('Subject: half\r\n')
    throw new Error('connection reset')
  }
  await assert.rejects(
    folder.append({ content: Readable.from(failing()), size: 100, flags: [], internalDate: Date.now() }),
    /connection reset/,
  )
  for (const sub of ['cur', 'new', 'tmp']) assert.deepEqual(await readdir(join(root, 'INBOX', sub)), [], sub)
  assert.equal((await folder.list()).messages.length, 0)
  await folder.close()
})

test('setFlags and delete act only on the given UIDs', async () => {
  const { root, folder } = await freshFolder()
  const uids: number[] = []
  for (let i = 0; i < 4; i++) {
    const c = Buffer.from(`Subject: ${i}\n\n${i}\n`)
    uids.push((await folder.append({ content: c, size: c.length, flags: ['\\Deleted', '$Forwarded'], internalDate: Date.now() })).uid!)
  }
  await folder.setFlags([uids[0], uids[1]], ['\\Seen', 'Later'], ['\\Deleted'])
  await folder.setFlags([uids[1]], [], ['$Forwarded', 'later'])
  const flags = new Map((await folder.list()).messages.map((m) => [m.uid, m.flags]))
  assert.deepEqual(flags.get(uids[0]), ['$Forwarded', 'Later', '\\Seen'])
  assert.deepEqual(flags.get(uids[1]), ['\\Seen'])
  assert.deepEqual(flags.get(uids[2]), ['$Forwarded', '\\Deleted'])
  await folder.delete([uids[2], 12345])
  assert.deepEqual((await folder.list()).messages.map((m) => m.uid), [uids[0], uids[1], uids[3]], 'other \\Deleted message kept')
  await folder.close()
  const state = await readFile(join(root, 'INBOX', '.mailsync-uidvalidity'), 'utf8')
  assert.match(state, /^a Later$/m, 'keyword letter persisted in the folder state')
})

test('read-only repository refuses every write and changes no file', async () => {
  const root = await freshRoot()
  const writer = new MaildirRepository({ name: 'w', root })
  await writer.createFolder('INBOX')
  const w = await writer.openFolder('INBOX')
  const c = Buffer.from('Subject: keep\n\nx\n')
  await w.append({ content: c, size: c.length, flags: ['\\Seen'], internalDate: Date.now() })
  await w.close()
  await writeFile(join(root, 'INBOX', 'new', '1700000000.M1P1.mutt'), 'Subject: new\n\n')
  const before = await allFiles(root)
  const stateBefore = await readFile(join(root, 'INBOX', '.mailsync-uidvalidity'), 'utf8')

  const repo = new MaildirRepository({ name: 'ro', root, readOnly: true })
  const isReadOnly = (e: unknown) => e instanceof MailsyncError && /read-only/.test(e.message)
  await assert.rejects(repo.createFolder('Other'), isReadOnly)
  const folder = await repo.openFolder('INBOX')
  assert.equal(folder.readOnly, true)
  const listed = (await folder.list()).messages
  assert.equal(listed.length, 2, 'the un-numbered file is listed (with an in-memory UID)')
  assert.notEqual(folder.status.uidValidity, Number(stateBefore.split(' ')[0]), 'in-memory UIDs get a UIDVALIDITY of their own')
  await assert.rejects(folder.append({ content: c, size: c.length, flags: [], internalDate: 0 }), isReadOnly)
  await assert.rejects(folder.setFlags([listed[0].uid], ['\\Flagged'], []), isReadOnly)
  await assert.rejects(folder.delete([listed[0].uid]), isReadOnly)
  let fetched = 0
  for await (const b of folder.fetch(listed.map((m) => m.uid))) fetched += (await bodyBytes(b)).length > 0 ? 1 : 0
  assert.equal(fetched, 2)
  await folder.close()
  assert.deepEqual(await allFiles(root), before)
  assert.equal(await readFile(join(root, 'INBOX', '.mailsync-uidvalidity'), 'utf8'), stateBefore)

  const sessionRo = await writer.openFolder('INBOX', { readOnly: true })
  await assert.rejects(sessionRo.delete([1]), isReadOnly)
  await sessionRo.close()
})

test('a flush that cannot sync every file stores none of them and clears tmp/', async () => {
  const { root, folder } = await freshFolder()
  for (const text of ['Subject: one\r\n\r\n1\r\n', 'Subject: two\r\n\r\n2\r\n']) {
    const c = Buffer.from(text)
    await folder.append({ content: c, size: c.length, flags: [], internalDate: Date.UTC(2023, 0, 1) })
  }
  const tmp = join(root, 'INBOX', 'tmp')
  const [first] = await readdir(tmp)
  await rm(join(tmp, first!)) // another program removed it before it could be synced
  await assert.rejects(folder.flush!(), (e: unknown) => e instanceof MailsyncError && e.kind === 'disk')
  assert.deepEqual(await readdir(join(root, 'INBOX', 'cur')), [], 'nothing reached cur/')
  assert.deepEqual(await readdir(tmp), [], 'the other file was removed, not left behind')
  assert.deepEqual((await folder.list()).messages, [])
  await folder.close()
})

test('a long run of appends reserves UIDs in growing blocks (few state-file writes); close gives back the rest', async () => {
  const { root, repo, folder } = await freshFolder()
  const state = async () => Number((await readFile(join(root, 'INBOX', '.mailsync-uidvalidity'), 'utf8')).split('\n')[0]!.split(' ')[1])
  const ceilings = new Set<number>()
  for (let i = 0; i < 100; i++) {
    const c = Buffer.from(`Subject: ${i}\r\n\r\n${i}\r\n`)
    await folder.append({ content: c, size: c.length, flags: [], internalDate: Date.UTC(2023, 0, 1) })
    ceilings.add(await state())
  }
  // blocks of 32, 64, 128: the file was written 3 times for 100 appends (a fixed block of 32: 4),
  // and always ahead of the UIDs handed out
  assert.deepEqual([...ceilings], [34, 99, 228])
  await folder.close()
  assert.equal(await state(), 101)
  const again = await repo.openFolder('INBOX')
  assert.equal(again.status.uidNext, 101)
  await again.close()
})

test('storing a delivery never replaces an existing file, and says when the tmp file is gone', async () => {
  const root = await freshRoot()
  await mkdir(join(root, 'tmp'), { recursive: true })
  await mkdir(join(root, 'cur'), { recursive: true })
  const tmp = join(root, 'tmp', 'new-one')
  const target = join(root, 'cur', 'taken:2,S')
  await writeFile(tmp, 'new bytes')
  await writeFile(target, 'old bytes')
  assert.throws(() => storeDelivery(tmp, target), (e: unknown) => e instanceof MailsyncError && e.kind === 'disk' && /already exists/.test(e.message))
  assert.equal(await readFile(target, 'utf8'), 'old bytes', 'the existing file is untouched')
  assert.equal(await readFile(tmp, 'utf8'), 'new bytes', 'the new one is still in tmp/')
  const free = join(root, 'cur', 'free:2,')
  assert.equal(storeDelivery(tmp, free), true)
  assert.equal(await readFile(free, 'utf8'), 'new bytes')
  assert.equal(storeDelivery(tmp, join(root, 'cur', 'other:2,')), false, 'tmp file gone: false, nothing thrown')
})

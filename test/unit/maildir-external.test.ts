// What mail readers and people do to a Maildir between runs: deliveries into new/ without U=,
// mutt's new/ -> cur/ move, flag renames, copied files with a duplicate U=, a vanished state file.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdir, readFile, writeFile, rename, copyFile, unlink, utimes, stat, link } from 'node:fs/promises'
import { join } from 'node:path'
import { MaildirRepository } from '../../src/repository/maildir/maildir-repository.js'
import type { FolderSession } from '../../src/repository/types.js'
import { MailsyncError } from '../../src/errors.js'
import { tempRoots } from '../support/temp-roots.js'

const roots = tempRoots('mailsync-maildir-ext-')
async function setup(): Promise<{ root: string; dir: string; repo: MaildirRepository }> {
  const root = await roots.fresh()
  const repo = new MaildirRepository({ name: 'm', root, keywordLetters: { z: 'Configured' } })
  await repo.createFolder('INBOX')
  return { root, dir: join(root, 'INBOX'), repo }
}

/** Appends and flushes, so the file is in cur/ when the test looks at the directory. */
async function add(folder: FolderSession, text: string, flags: string[] = []): Promise<number> {
  const c = Buffer.from(text)
  const uid = (await folder.append({ content: c, size: c.length, flags, internalDate: Date.UTC(2022, 1, 1) })).uid!
  await folder.flush!()
  return uid
}

const uidOf = (name: string) => Number(/,U=([0-9]+)/.exec(name)?.[1])

test('a delivery into new/ without U= gets a UID on list and keeps it', async () => {
  const { dir, repo } = await setup()
  const folder = await repo.openFolder('INBOX')
  const first = await add(folder, 'Subject: one\n\n1\n', ['\\Seen'])
  await writeFile(join(dir, 'new', '1700000001.M5P9.reader'), 'Subject: delivered\n\nhi\n')
  const listed = (await folder.list()).messages
  assert.equal(listed.length, 2)
  const uid = listed.find((m) => m.uid !== first)!.uid
  assert.ok(uid > first)
  assert.deepEqual(await readdir(join(dir, 'new')), [`1700000001.M5P9.reader,U=${uid}`], 'U= added, still in new/')
  assert.deepEqual((await folder.list()).messages.map((m) => m.uid), [first, uid], 'second list: same UIDs')
  await folder.close()
  const state = await readFile(join(dir, '.mailsync-uidvalidity'), 'utf8')
  assert.ok(Number(state.split('\n')[0].split(' ')[1]) > uid, 'next UID persisted above the new one')
  const again = await repo.openFolder('INBOX')
  assert.deepEqual((await again.list()).messages.map((m) => m.uid), [first, uid])
  await again.close()
})

test('mutt moves new/X to cur/X:2,S: same UID, now \\Seen; flag renames are matched by UID', async () => {
  const { dir, repo } = await setup()
  const folder = await repo.openFolder('INBOX')
  await writeFile(join(dir, 'new', '1700000002.M1P1.mutt'), 'Subject: unread\n\nx\n')
  const [m] = (await folder.list()).messages
  assert.deepEqual(m.flags, [])
  const [name] = await readdir(join(dir, 'new'))
  await rename(join(dir, 'new', name), join(dir, 'cur', `${name}:2,S`))
  const [seen] = (await folder.list()).messages
  assert.equal(seen.uid, m.uid)
  assert.deepEqual(seen.flags, ['\\Seen'])

  // Another tool renames the file behind our back; our setFlags still finds it by UID.
  await rename(join(dir, 'cur', `${name}:2,S`), join(dir, 'cur', `${name}:2,RS`))
  await folder.setFlags([m.uid], ['\\Flagged'], [])
  assert.deepEqual(await readdir(join(dir, 'cur')), [`${name}:2,FRS`])
  await rename(join(dir, 'cur', `${name}:2,FRS`), join(dir, 'cur', `${name}:2,S`))
  const bodies: string[] = []
  for await (const b of folder.fetch([m.uid])) bodies.push(String(b.content))
  assert.deepEqual(bodies, ['Subject: unread\r\n\r\nx\r\n'], 'fetch follows the rename (and serves the LF file with CRLF)')
  await folder.delete([m.uid])
  assert.deepEqual(await readdir(join(dir, 'cur')), [])
  await folder.close()
})

test('setFlags on a file still in new/ moves it to cur/ with its UID', async () => {
  const { dir, repo } = await setup()
  const folder = await repo.openFolder('INBOX')
  await writeFile(join(dir, 'new', '1700000003.M1P1.x'), 'Subject: a\n\n')
  const [m] = (await folder.list()).messages
  await folder.setFlags([m.uid], ['\\Seen', 'Configured'], [])
  assert.deepEqual(await readdir(join(dir, 'new')), [])
  assert.deepEqual(await readdir(join(dir, 'cur')), [`1700000003.M1P1.x,U=${m.uid}:2,Sz`], 'configured letter used')
  await folder.close()
})

test('a file with the same U= but other bytes (moved in from another folder) gets a fresh UID; the original keeps its UID', async () => {
  const { dir, repo } = await setup()
  const folder = await repo.openFolder('INBOX')
  const uid = await add(folder, 'Subject: orig\n\n', ['\\Seen'])
  const [orig] = await readdir(join(dir, 'cur'))
  const other = orig.replace(/^[^,]+/, 'moved-here')
  await writeFile(join(dir, 'cur', other), 'Subject: another message\n\n')
  const later = new Date(Date.now() + 60_000)
  await utimes(join(dir, 'cur', other), later, later)
  const uids = (await folder.list()).messages.map((m) => m.uid)
  assert.equal(uids.length, 2)
  assert.equal(uids[0], uid)
  assert.ok(uids[1] > uid)
  const names = await readdir(join(dir, 'cur'))
  assert.ok(names.includes(orig), 'original untouched')
  assert.equal(names.filter((x) => x.startsWith('moved-here')).map(uidOf)[0], uids[1])
  assert.deepEqual(folder.passedOver!(), [])
  await folder.close()
})

test('a copy with the same U= and the same bytes (cp, or a link left by a move) is one message: passed over with a warning, never numbered anew', async () => {
  const { dir, repo } = await setup()
  const folder = await repo.openFolder('INBOX')
  const uid = await add(folder, 'Subject: orig\n\n', ['\\Seen'])
  const [orig] = await readdir(join(dir, 'cur'))
  const copy = orig.replace(/^[^,]+/, 'copy-of-it')
  await copyFile(join(dir, 'cur', orig), join(dir, 'cur', copy))
  const later = new Date(Date.now() + 60_000)
  await utimes(join(dir, 'cur', copy), later, later)
  const linked = orig.replace(/:2,.*$/, '')
  await link(join(dir, 'cur', orig), join(dir, 'new', linked))
  assert.deepEqual((await folder.list()).messages.map((m) => m.uid), [uid])
  const names = [...(await readdir(join(dir, 'cur'))), ...(await readdir(join(dir, 'new')))]
  assert.deepEqual(names.map(uidOf), [uid, uid, uid], 'no file renamed')
  const passed = folder.passedOver!()
  assert.equal(passed.length, 2)
  assert.ok(passed.every((p) => p.level === 'warning' && p.uid === undefined && p.message.includes(`same message as cur/${orig}`)), JSON.stringify(passed))
  await folder.close()
})

test('a vanished state file gives a new UIDVALIDITY, numbering above the highest U=', async () => {
  const { dir, repo } = await setup()
  const folder = await repo.openFolder('INBOX')
  for (let i = 0; i < 3; i++) await add(folder, `Subject: ${i}\n\n`)
  const oldValidity = folder.status.uidValidity
  await folder.close()
  await unlink(join(dir, '.mailsync-uidvalidity'))
  const again = await repo.openFolder('INBOX')
  assert.notEqual(again.status.uidValidity, oldValidity)
  assert.deepEqual((await again.list()).messages.map((m) => m.uid), [1, 2, 3], 'existing U= numbers kept')
  assert.equal(await add(again, 'Subject: 4\n\n'), 4)
  await again.close()
  const text = await readFile(join(dir, '.mailsync-uidvalidity'), 'utf8')
  assert.equal(text.split('\n')[0], `${again.status.uidValidity} 5`)
  assert.deepEqual((await readdir(dir)).filter((f) => f.includes('tmp-')), [], 'no temp state files left')
})

test('the state file is replaced by rename, never rewritten in place', async () => {
  const { dir, repo } = await setup()
  const folder = await repo.openFolder('INBOX')
  const path = join(dir, '.mailsync-uidvalidity')
  await link(path, join(dir, 'old-state-link'))
  const before = await readFile(path, 'utf8')
  await add(folder, 'Subject: x\n\n')
  await folder.close()
  assert.equal(await readFile(join(dir, 'old-state-link'), 'utf8'), before, 'the old file was not written into')
  assert.notEqual((await stat(path)).ino, (await stat(join(dir, 'old-state-link'))).ino)
  assert.match(await readFile(path, 'utf8'), /^[0-9]+ 2\n$/)
})

test('keyword letters are assigned, persisted, and read back in a new session', async () => {
  const { dir, repo } = await setup()
  const folder = await repo.openFolder('INBOX')
  const uid = await add(folder, 'Subject: k\n\n', ['$Label1', 'Project-X', 'Configured'])
  await folder.close()
  const state = await readFile(join(dir, '.mailsync-uidvalidity'), 'utf8')
  assert.match(state, /^a \$Label1$/m)
  assert.match(state, /^b Project-X$/m)
  assert.doesNotMatch(state, /Configured/, 'configured letters are not copied into the folder state')
  const [name] = await readdir(join(dir, 'cur'))
  assert.ok(name.endsWith(':2,abz'), name)
  const other = new MaildirRepository({ name: 'other', root: join(dir, '..') })
  const again = await other.openFolder('INBOX')
  assert.deepEqual((await again.list()).messages.find((m) => m.uid === uid)!.flags, ['$Label1', 'Project-X'], 'z unknown without the config')
  await again.setFlags([uid], ['\\Seen'], ['$Label1'])
  assert.deepEqual(await readdir(join(dir, 'cur')), [name.replace(/:2,abz$/, ':2,Sbz')], 'unmapped letter z kept')
  await again.close()
})

test('Dovecot keyword files are honoured', async () => {
  const { dir, repo } = await setup()
  await writeFile(join(dir, 'dovecot-keywords'), '0 Dove\n1 Junk\n')
  await writeFile(join(dir, 'cur', '1700000004.M1P1.dove,S=10:2,Sb'), 'Subject: d\n\n')
  const folder = await repo.openFolder('INBOX')
  const [m] = (await folder.list()).messages
  assert.deepEqual(m.flags, ['Junk', '\\Seen'])
  await folder.close()
})

test('a corrupt state file is refused, not overwritten', async () => {
  const { dir, repo } = await setup()
  await writeFile(join(dir, '.mailsync-uidvalidity'), 'this is not a state file\n')
  await assert.rejects(repo.openFolder('INBOX'), (e: unknown) => e instanceof MailsyncError && e.kind === 'data')
  assert.equal(await readFile(join(dir, '.mailsync-uidvalidity'), 'utf8'), 'this is not a state file\n')
})

test('two sessions on one folder never hand out the same UID', async () => {
  const { repo } = await setup()
  const a = await repo.openFolder('INBOX')
  const b = await repo.openFolder('INBOX')
  const got = await Promise.all([add(a, 'Subject: a1\n\n'), add(b, 'Subject: b1\n\n'), add(a, 'Subject: a2\n\n'), add(b, 'Subject: b2\n\n')])
  assert.equal(new Set(got).size, 4, got.join(','))
  await a.close()
  await b.close()
  const c = await repo.openFolder('INBOX')
  assert.equal((await c.list()).messages.length, 4)
  assert.ok(c.status.uidNext > Math.max(...got))
  await c.close()
})

test('list() re-reads cur/ and new/ only when their mtimes moved since the scan at open', async () => {
  const { dir, repo } = await setup()
  const setup1 = await repo.openFolder('INBOX')
  const first = await add(setup1, 'Subject: old\n\n1\n')
  await setup1.close()
  const hourAgo = new Date(Date.now() - 3600_000)
  for (const sub of ['cur', 'new']) await utimes(join(dir, sub), hourAgo, hourAgo)

  const folder = await repo.openFolder('INBOX')
  // A file slipped in with new/'s mtime put back: an unchanged directory is not read again.
  await writeFile(join(dir, 'new', '1700000009.M1P1.hidden'), 'Subject: hidden\n\nx\n')
  await utimes(join(dir, 'new'), hourAgo, hourAgo)
  assert.deepEqual((await folder.list()).messages.map((m) => m.uid), [first], 'directories unchanged: the scan at open stands')
  // A real delivery moves new/'s mtime: both files are found.
  await writeFile(join(dir, 'new', '1700000010.M1P1.reader'), 'Subject: delivered\n\ny\n')
  const listed = (await folder.list()).messages
  assert.equal(listed.length, 3, 'a changed directory is read again')
  await folder.close()
})

test('list({ known }) takes size and date of known UIDs from the caller, flags from the file name', async () => {
  const { dir, repo } = await setup()
  const folder = await repo.openFolder('INBOX')
  const a = await add(folder, 'Subject: a\n\n1\n', ['\\Seen'])
  const b = await add(folder, 'Subject: b\n\n22\n')
  const [nameA] = (await readdir(join(dir, 'cur'))).filter((f) => uidOf(f) === a)
  await rename(join(dir, 'cur', nameA!), join(dir, 'cur', nameA!.replace(/:2,S$/, ':2,FS')))
  const known = new Map([[a, { size: 999, internalDate: 1234 }]])
  const listed = (await folder.list({ known })).messages
  assert.deepEqual(listed.map((m) => m.uid), [a, b])
  assert.deepEqual(listed[0], { uid: a, flags: ['\\Flagged', '\\Seen'], size: 999, internalDate: 1234 }, 'known: size/date as given, flags from the renamed file')
  assert.equal(listed[1]!.size, (await stat(join(dir, 'cur', (await readdir(join(dir, 'cur'))).find((f) => uidOf(f) === b)!))).size, 'unknown: read from the file')
  assert.equal(listed[1]!.internalDate, Date.UTC(2022, 1, 1))
  await folder.close()
})

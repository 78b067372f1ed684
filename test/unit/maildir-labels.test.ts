// A labels-keeping Maildir (labels: true): the .mailsync-labels sidecar on real temp directories.
// Round trip, flag renames, deletes, crash leftovers, unreadable lines; message files never change.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { MaildirRepository } from '../../src/repository/maildir/maildir-repository.js'
import { LABELS_FILE, formatSidecar, parseSidecar } from '../../src/repository/maildir/labels-sidecar.js'
import { MailsyncError } from '../../src/errors.js'
import { tempRoots } from '../support/temp-roots.js'

const roots = tempRoots('mailsync-labels-')

const msg = (id: string) => Buffer.from(`From: t@example.org\r\nMessage-ID: <${id}@test>\r\nSubject: ${id}\r\n\r\nbody of ${id}\r\n`)

async function labelled(o: { labels?: boolean } = {}) {
  const root = await roots.fresh()
  const repo = new MaildirRepository({ name: 'm', root, labels: o.labels ?? true })
  await repo.createFolder('all')
  return { root, repo, dir: join(root, 'all') }
}

async function put(repo: MaildirRepository, id: string, labels?: string[], flags: string[] = []): Promise<number> {
  const s = await repo.openFolder('all')
  const content = msg(id)
  const r = await s.append({ content, size: content.length, flags, internalDate: Date.UTC(2024, 0, 2), messageId: `<${id}@test>`, ...(labels ? { labels } : {}) })
  await s.close()
  return r.uid!
}

async function labelsByUid(repo: MaildirRepository): Promise<Record<number, string[] | undefined>> {
  const s = await repo.openFolder('all', { readOnly: true })
  try {
    return Object.fromEntries((await s.list()).messages.map((m) => [m.uid, m.labels]))
  } finally {
    await s.close()
  }
}

/** Every message file's name, size, mtime and bytes: what a relabel must leave alone. */
async function messageFiles(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const sub of ['cur', 'new']) {
    for (const name of (await readdir(join(dir, sub))).sort()) {
      const p = join(dir, sub, name)
      const st = await stat(p)
      out.push(`${sub}/${name} ${st.size} ${st.mtimeMs} ${st.ino} ${(await readFile(p)).toString('base64')}`)
    }
  }
  return out
}

const sidecarLines = async (dir: string) => (await readFile(join(dir, LABELS_FILE), 'utf8')).split('\n').filter((l) => l && !l.startsWith('#'))

test('round trip: labels given with an append are listed, after the session and in a new repository object too', async () => {
  const { repo, dir, root } = await labelled()
  const u1 = await put(repo, 'm1', ['Work', '\\Inbox', 'My Label'])
  const u2 = await put(repo, 'm2')
  assert.deepEqual(await labelsByUid(repo), { [u1]: ['My Label', 'Work', '\\Inbox'], [u2]: [] })
  const again = new MaildirRepository({ name: 'm', root, labels: true })
  assert.deepEqual(await labelsByUid(again), { [u1]: ['My Label', 'Work', '\\Inbox'], [u2]: [] })
  // one line, keyed by the unique name before the first comma, with the Message-ID beside it
  const lines = await sidecarLines(dir)
  assert.equal(lines.length, 1)
  const [unique, messageId, ...labels] = lines[0]!.split('\t')
  const names = await readdir(join(dir, 'cur'))
  const file = names.find((f) => f.split(',')[0] === unique)
  assert.ok(file, `a file whose unique name is ${unique} in ${names.join(' ')}`)
  assert.equal(messageId, '<m1@test>')
  assert.deepEqual(labels, ['My Label', 'Work', '\\Inbox'])
  // the message's bytes are what was appended (LF-stored, as every Maildir file): no label header
  assert.equal((await readFile(join(dir, 'cur', file!), 'utf8')), msg('m1').toString().replace(/\r\n/g, '\n'))
})

test('setLabels changes the sidecar only: no message file is renamed, rewritten or touched', async () => {
  const { repo, dir } = await labelled()
  const u1 = await put(repo, 'm1', ['Work'])
  const u2 = await put(repo, 'm2')
  const before = await messageFiles(dir)
  const s = await repo.openFolder('all')
  await s.setLabels!([u1, u2], ['Lists/Debian'], ['Work'])
  await s.close()
  assert.deepEqual(await messageFiles(dir), before)
  assert.deepEqual(await labelsByUid(repo), { [u1]: ['Lists/Debian'], [u2]: ['Lists/Debian'] })
  // the Message-ID of a message that had no entry is read from its header
  assert.deepEqual((await sidecarLines(dir)).map((l) => l.split('\t')[1]).sort(), ['<m1@test>', '<m2@test>'])
})

test('a flag change renames the file and keeps its labels', async () => {
  const { repo } = await labelled()
  const u1 = await put(repo, 'm1', ['Work'])
  const s = await repo.openFolder('all')
  await s.setFlags([u1], ['\\Seen', '\\Flagged'], [])
  const listed = (await s.list()).messages[0]!
  assert.deepEqual([listed.flags, listed.labels], [['\\Flagged', '\\Seen'], ['Work']])
  await s.close()
  assert.deepEqual(await labelsByUid(repo), { [u1]: ['Work'] })
})

test('delete drops the entry; a file another program removed loses its entry when the sidecar is rewritten', async () => {
  const { repo, dir } = await labelled()
  const u1 = await put(repo, 'm1', ['Work'])
  const u2 = await put(repo, 'm2', ['Home'])
  const u3 = await put(repo, 'm3', ['Kept'])
  const s = await repo.openFolder('all')
  await s.delete([u1])
  await s.close()
  assert.deepEqual(await labelsByUid(repo), { [u2]: ['Home'], [u3]: ['Kept'] })
  assert.deepEqual((await sidecarLines(dir)).map((l) => l.split('\t').slice(2).join()).sort(), ['Home', 'Kept'])
  // mutt deletes m2's file; the next session that changes labels rewrites the sidecar without it
  for (const f of await readdir(join(dir, 'cur'))) if ((await readFile(join(dir, 'cur', f), 'utf8')).includes('m2@')) await import('node:fs/promises').then((fs) => fs.unlink(join(dir, 'cur', f)))
  const s2 = await repo.openFolder('all')
  await s2.list()
  await s2.setLabels!([u3], ['More'], [])
  await s2.close()
  assert.deepEqual((await sidecarLines(dir)).map((l) => l.split('\t').slice(2).join()), ['Kept,More'])
})

test('a message file passed over (a symlink out of the tree) keeps its labels when the sidecar is rewritten', async () => {
  const { repo, dir, root } = await labelled()
  await put(repo, 'm1', ['Work'])
  const u2 = await put(repo, 'm2', ['Home'])
  const fs = await import('node:fs/promises')
  for (const f of await readdir(join(dir, 'cur'))) {
    if (!(await readFile(join(dir, 'cur', f), 'utf8')).includes('m1@')) continue
    const outside = join(root, '..', `outside-${Date.now()}`)
    await fs.rename(join(dir, 'cur', f), outside)
    await fs.symlink(outside, join(dir, 'cur', f))
  }
  const s = await repo.openFolder('all')
  assert.deepEqual((await s.list()).messages.map((m) => m.uid), [u2])
  await s.setLabels!([u2], ['More'], [])
  await s.close()
  assert.deepEqual((await sidecarLines(dir)).map((l) => l.split('\t').slice(1).join(' ')).sort(), ['<m1@test> Work', '<m2@test> Home More'])
})

test('crash safety: a stale temporary sidecar is ignored (and removed at the next rewrite); a line cut short gives no labels and becomes no entry', async () => {
  const { repo, dir } = await labelled()
  const u1 = await put(repo, 'm1', ['Work'])
  const [file] = await readdir(join(dir, 'cur'))
  const unique = file!.split(',')[0]!
  // a rewrite killed before its rename leaves its temporary file: never read
  const stale = join(dir, `.${LABELS_FILE}.tmp-99999-deadbeef`)
  await writeFile(stale, `${unique}\t<m1@test>\tWRONG\n`)
  assert.deepEqual(await labelsByUid(repo), { [u1]: ['Work'] })
  // a journal append cut short by a crash: its (maybe cut) label is not taken
  await writeFile(join(dir, LABELS_FILE), `${await readFile(join(dir, LABELS_FILE), 'utf8')}${unique}\t<m1@test>\tWo`)
  const s = await repo.openFolder('all')
  assert.deepEqual((await s.list()).messages.map((m) => m.labels), [['Work']])
  assert.match(s.passedOver!().map((p) => p.message).join('\n'), /line 3: cut short/)
  await s.setLabels!([u1], ['Home'], [])
  // killed right now (before the session's rewrite): the cut line must not have become whole
  const meanwhile = await readFile(join(dir, LABELS_FILE), 'utf8')
  assert.ok(meanwhile.includes(`#? ${unique}\t<m1@test>\tWo\n`), meanwhile)
  assert.deepEqual(parseSidecar(meanwhile).entries.get(unique)?.labels, ['Home', 'Work'])
  await s.close()
  assert.deepEqual(await labelsByUid(repo), { [u1]: ['Home', 'Work'] })
  await assert.rejects(stat(stale), { code: 'ENOENT' })
  const text = await readFile(join(dir, LABELS_FILE), 'utf8')
  // nothing lost: the cut line is kept, as a comment that can never be read as an entry
  assert.ok(text.includes(`#? ${unique}\t<m1@test>\tWo\n`), text)
  assert.deepEqual(await labelsByUid(new MaildirRepository({ name: 'm', root: join(dir, '..'), labels: true })), { [u1]: ['Home', 'Work'] })
})

test('unreadable sidecar lines: a warning each, the other lines read, and every line kept in the file', async () => {
  const { repo, dir } = await labelled()
  const u1 = await put(repo, 'm1', ['Work'])
  const good = (await sidecarLines(dir))[0]!
  const junk = ['no tab at all', '\t<x@test>\tEmpty unique', 'a/b\t<y@test>\tSlash', 'u2\t<z@test>\tA\t\tB']
  await writeFile(join(dir, LABELS_FILE), `# a comment\n${junk[0]}\n${good}\n${junk.slice(1).join('\n')}\n`)
  const s = await repo.openFolder('all')
  assert.deepEqual((await s.list()).messages.map((m) => m.labels), [['Work']])
  const warnings = s.passedOver!().map((p) => `${p.level}: ${p.message}`)
  assert.equal(warnings.length, 4)
  assert.match(warnings.join('\n'), /warning: .*line 2: no TAB after the unique name; it gives no labels and is kept/)
  assert.match(warnings.join('\n'), /line 4: empty unique name/)
  assert.match(warnings.join('\n'), /line 5: "a\/b" is no unique name/)
  assert.match(warnings.join('\n'), /line 6: an empty label/)
  await s.setLabels!([u1], ['Home'], [])
  await s.close()
  const text = await readFile(join(dir, LABELS_FILE), 'utf8')
  for (const j of junk) assert.ok(text.includes(`#? ${j}\n`), `kept: ${j}`)
  // and they are still said on the next run
  const s2 = await repo.openFolder('all', { readOnly: true })
  await s2.list()
  assert.equal(s2.passedOver!().length, 4)
  await s2.close()
})

test('a label the sidecar cannot hold (TAB, line break) is refused before anything is written', async () => {
  const { repo, dir } = await labelled()
  const u1 = await put(repo, 'm1', ['Work'])
  const before = await messageFiles(dir)
  const s = await repo.openFolder('all')
  await assert.rejects(s.setLabels!([u1], ['bad\tlabel'], []), (e: unknown) => e instanceof MailsyncError && e.kind === 'data' && /cannot be kept in a Maildir/.test(e.message))
  const content = msg('m2')
  await assert.rejects(s.append({ content, size: content.length, flags: [], internalDate: 0, labels: ['two\nlines'] }), /cannot be kept/)
  await s.close()
  assert.deepEqual(await messageFiles(dir), before)
  assert.deepEqual(await labelsByUid(repo), { [u1]: ['Work'] })
})

test('the change token moves with a relabel (nothing else changes on disk), and a plain Maildir keeps no labels', async () => {
  const { repo } = await labelled()
  const u1 = await put(repo, 'm1', ['Work'])
  await new Promise((r) => setTimeout(r, 1100)) // let the mtimes settle, so that a token is given
  const t1 = (await repo.folderStatus('all')).changeToken
  assert.ok(t1)
  const s = await repo.openFolder('all')
  await s.setLabels!([u1], ['Home'], [])
  await s.close()
  await new Promise((r) => setTimeout(r, 1100))
  const t2 = (await repo.folderStatus('all')).changeToken
  assert.ok(t2)
  assert.notEqual(t2, t1)

  const plain = await labelled({ labels: false })
  assert.equal(plain.repo.labels, false)
  const p = await plain.repo.openFolder('all')
  assert.equal(p.setLabels, undefined)
  const content = msg('p1')
  await p.append({ content, size: content.length, flags: [], internalDate: 0, labels: ['Work'] })
  assert.equal((await p.list()).messages[0]!.labels, undefined)
  await p.close()
  await assert.rejects(stat(join(plain.dir, LABELS_FILE)), { code: 'ENOENT' })
})

test('format: later lines win, a line with no labels clears them, the rewrite has one line per message', () => {
  const parsed = parseSidecar('# header\nu1\t<a@x>\tWork\nu2\t\tHome\nu1\t<a@x>\tWork\tMore\nu2\t\n')
  assert.deepEqual([...parsed.entries], [['u1', { messageId: '<a@x>', labels: ['More', 'Work'] }], ['u2', { labels: [] }]])
  assert.deepEqual(parsed.bad, [])
  assert.equal(formatSidecar(parsed.entries, []).split('\n').filter((l) => l && !l.startsWith('#')).join('|'), 'u1\t<a@x>\tMore\tWork')
})

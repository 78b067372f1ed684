import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateCorpus, renderMessage, messagesIn } from '../support/corpus.js'
import { writeMaildir, maildirFolderDir, dovecotFolderDir } from '../support/corpus-maildir.js'

const corpus = generateCorpus({ seed: 11, messages: 120 })

function withTmp(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'corpus-maildir-'))
    try {
      await fn(dir)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

test('writeMaildir writes every message byte-exact, flags as letters, mtime = internal date', withTmp(async (root) => {
  const res = await writeMaildir(corpus, root)
  assert.equal(res.files, corpus.messages.length)
  assert.equal(res.bytes, corpus.totalBytes)
  for (const folder of corpus.folders) {
    const dir = res.dirs.get(folder)!
    assert.equal(dir, join(root, folder.split('/').join('.')))
    const msgs = messagesIn(corpus, folder)
    const cur = readdirSync(join(dir, 'cur'))
    const fresh = readdirSync(join(dir, 'new'))
    assert.equal(cur.length + fresh.length, msgs.length, folder)
    assert.deepEqual(readdirSync(join(dir, 'tmp')), [])
    const keywordFile = existsSync(join(dir, 'dovecot-keywords')) ? readFileSync(join(dir, 'dovecot-keywords'), 'utf8') : ''
    const letterOf = new Map(keywordFile.split('\n').filter(Boolean).map((l) => {
      const [i, k] = l.split(' ')
      return [k!, String.fromCharCode(0x61 + Number(i))]
    }))
    for (const m of msgs) {
      const prefix = `${m.internalDate.getTime() / 1000}.${m.index}.corpus`
      const name = [...cur, ...fresh].find((n) => n.split(':')[0] === prefix)
      assert.ok(name, `file for message ${m.index} in ${folder}`)
      assert.doesNotMatch(name, /,U=/)
      const path = join(dir, cur.includes(name) ? 'cur' : 'new', name)
      assert.deepEqual(readFileSync(path), renderMessage(m))
      assert.equal(statSync(path).mtimeMs, m.internalDate.getTime())
      const letters = name.includes(':2,') ? name.split(':2,')[1]! : ''
      const expected = [
        ...m.flags.map((f) => ({ '\\Seen': 'S', '\\Answered': 'R', '\\Flagged': 'F', '\\Draft': 'D' })[f]!),
        ...(m.keywords.includes('$Forwarded') ? ['P'] : []),
        ...m.keywords.filter((k) => k !== '$Forwarded').map((k) => letterOf.get(k)!),
      ].sort()
      assert.deepEqual([...letters].sort(), expected, `letters of ${name}`)
      if (!letters) assert.ok(fresh.includes(name), 'unflagged mail stays in new/')
    }
  }
}))

test('writeMaildir layouts: nested directories with sep "/", Maildir++ with INBOX at the root', withTmp(async (root) => {
  await writeMaildir(corpus, join(root, 'nested'), { sep: '/' })
  assert.ok(statSync(join(root, 'nested', 'Archive', '2023', 'cur')).isDirectory())
  assert.ok(statSync(join(root, 'nested', 'Entwürfe', 'new')).isDirectory())
  await writeMaildir(corpus, join(root, 'pp'), { layout: 'maildir++', keywords: 'drop' })
  assert.ok(statSync(join(root, 'pp', 'cur')).isDirectory())
  assert.ok(statSync(join(root, 'pp', '.Archive.2023', 'cur')).isDirectory())
  assert.equal(maildirFolderDir('/r', 'Friends & Family', '.', 'maildir++'), '/r/.Friends & Family')
  const names = readdirSync(join(root, 'pp', '.Projects.Alpha', 'cur'))
  assert.ok(names.every((n) => /:2,[A-Z]*$/.test(n)), 'keywords dropped: no lowercase letters')
  assert.equal(existsSync(join(root, 'pp', '.Projects.Alpha', 'dovecot-keywords')), false)
}))

test('writeMaildir refuses a separator that occurs in a folder name, before writing anything', withTmp(async (root) => {
  await assert.rejects(writeMaildir(corpus, join(root, 'x'), { sep: ' ' }), /contains the separator " "/)
  assert.equal(existsSync(join(root, 'x')), false)
  await assert.rejects(writeMaildir(corpus, root, { sep: '::' }), /one character/)
}))

test('Dovecot folder directories use mUTF-7 and "." between levels', () => {
  assert.equal(dovecotFolderDir('/m', 'INBOX'), '/m')
  assert.equal(dovecotFolderDir('/m', 'Entwürfe'), '/m/.Entw&APw-rfe')
  assert.equal(dovecotFolderDir('/m', 'Archive/2023'), '/m/.Archive.2023')
  assert.equal(dovecotFolderDir('/m', 'Friends & Family'), '/m/.Friends &- Family')
})

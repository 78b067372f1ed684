// Where status databases live, and safe, distinct file names for any account name.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { basename, dirname, join } from 'node:path'
import { defaultStateDir, statusDbPath, runLockPath, accountFileStem } from '../../src/state/locate.js'
import { MailsyncError } from '../../src/errors.js'

test('defaultStateDir: $XDG_STATE_HOME/mailsync, else ~/.local/state/mailsync', () => {
  assert.equal(defaultStateDir({ XDG_STATE_HOME: '/x/state' }, '/home/u'), '/x/state/mailsync')
  assert.equal(defaultStateDir({}, '/home/u'), '/home/u/.local/state/mailsync')
  assert.equal(defaultStateDir({ XDG_STATE_HOME: '' }, '/home/u'), '/home/u/.local/state/mailsync')
  assert.equal(defaultStateDir({ XDG_STATE_HOME: 'relative/dir' }, '/home/u'), '/home/u/.local/state/mailsync')
})

test('plain account names are used as they are', () => {
  assert.equal(statusDbPath('/s', 'work'), '/s/work.sqlite')
  assert.equal(statusDbPath('/s', 'my-acct_2.old'), '/s/my-acct_2.old.sqlite')
  assert.equal(runLockPath('/s', 'work'), '/s/work.lock')
})

test('tricky names give safe, distinct file names inside the directory', () => {
  const names = [
    'a/b', 'a_b', 'a\\b', '..', '.', '../../etc/passwd', '.hidden', 'with space', 'with_space',
    'Work', 'work', 'WORK', 'café', 'cafe\u0301', 'cafe', '日本語', 'x'.repeat(300), 'x'.repeat(301),
    'a+b', 'nul\u0000byte', 'new\nline',
  ]
  const files = names.map((n) => statusDbPath('/state', n))
  assert.equal(new Set(files).size, names.length, 'distinct names -> distinct files')
  assert.equal(new Set(files.map((f) => f.toLowerCase())).size, names.length, 'also on case-insensitive file systems')
  for (const f of files) {
    assert.equal(dirname(f), '/state', f)
    const b = basename(f)
    assert.match(b, /^[a-z0-9_-][a-z0-9._+-]*\.sqlite$/, b)
    assert.ok(b.length <= 120, b)
  }
  // same name, same file (stable across runs)
  assert.equal(statusDbPath('/state', 'a/b'), statusDbPath('/state', 'a/b'))
  assert.equal(join('/state', `${accountFileStem('a/b')}.lock`), runLockPath('/state', 'a/b'))
})

test('an empty account name is refused', () => {
  assert.throws(() => statusDbPath('/s', ''), (e: unknown) => e instanceof MailsyncError && e.kind === 'usage')
})

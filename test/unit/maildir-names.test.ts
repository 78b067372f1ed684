// Pure parts of the Maildir repository: file names, flag letters, keyword letters, state file,
// folder name <-> directory mapping.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { parseFileName, formatFileName, sortFlagLetters } from '../../src/repository/maildir/filename.js'
import { lettersToFlags, applyFlagChange, flagsToLetters } from '../../src/repository/maildir/flags.js'
import { KeywordMap } from '../../src/repository/maildir/keywords.js'
import { parseUidState, formatUidState, newUidValidity } from '../../src/repository/maildir/uid-state.js'
import type { FolderTree } from '../../src/repository/maildir/folder-paths.js'
import { spelledFolderDir } from '../../src/repository/maildir/folder-spelling.js'

/** The directory of a folder that is not on disk yet, spelled in UTF-8. */
const folderDir = (tree: FolderTree, name: string): string => spelledFolderDir(tree, name, 'utf8').dir
import { MailsyncError } from '../../src/errors.js'

test('parses mbsync, OfflineIMAP, Dovecot and bare names', () => {
  const cases: [string, { unique: string; uid?: number; sep?: string; flags: string; parts: string[] }][] = [
    ['1700000000.12345_1.host,U=42:2,FS', { unique: '1700000000.12345_1.host', uid: 42, sep: ':', flags: 'FS', parts: ['U=42'] }],
    [
      '1700000000_0.4242.host,U=7,FMD5=0123abcd:2,RS',
      { unique: '1700000000_0.4242.host', uid: 7, sep: ':', flags: 'RS', parts: ['U=7', 'FMD5=0123abcd'] },
    ],
    ['1234.M1P2.host,S=123,W=130:2,S', { unique: '1234.M1P2.host', sep: ':', flags: 'S', parts: ['S=123', 'W=130'] }],
    ['1234.M1P2.host', { unique: '1234.M1P2.host', flags: '', parts: [] }],
    ['1234.host,U=9!2,T', { unique: '1234.host', uid: 9, sep: '!', flags: 'T', parts: ['U=9'] }],
    ['1234.host,U=9;2,', { unique: '1234.host', uid: 9, sep: ';', flags: '', parts: ['U=9'] }],
    ['1234.host,U=0:2,S', { unique: '1234.host', flags: 'S', sep: ':', parts: ['U=0'] }],
    ['1234.host,U=abc:2,S', { unique: '1234.host', flags: 'S', sep: ':', parts: ['U=abc'] }],
  ]
  for (const [name, want] of cases) {
    const p = parseFileName(name)
    assert.equal(p.unique, want.unique, name)
    assert.equal(p.uid, want.uid, name)
    assert.equal(p.infoSeparator, want.sep, name)
    assert.equal(p.flags, want.flags, name)
    assert.deepEqual(p.parts, want.parts, name)
    assert.equal(formatFileName(p), name, `${name} round-trips unchanged`)
  }
})

test('formats UIDs and sorted flags, keeping other parts', () => {
  const table: [string, { uid?: number; flags?: string }, string][] = [
    ['1234.M1P2.host', { uid: 5 }, '1234.M1P2.host,U=5'],
    ['1234.M1P2.host', { uid: 5, flags: 'SF' }, '1234.M1P2.host,U=5:2,FS'],
    ['1234.M1P2.host,S=123,W=130:2,S', { uid: 8 }, '1234.M1P2.host,U=8,S=123,W=130:2,S'],
    ['x_0.1.h,U=7,FMD5=abc:2,RS', { uid: 99 }, 'x_0.1.h,U=99,FMD5=abc:2,RS'],
    ['x_0.1.h,U=7,FMD5=abc:2,RS', { flags: 'aPTSb' }, 'x_0.1.h,U=7,FMD5=abc:2,PSTab'],
    ['x.h,U=3!2,S', { flags: 'SR' }, 'x.h,U=3!2,RS'],
  ]
  for (const [name, change, want] of table) assert.equal(formatFileName(parseFileName(name), change), want)
  assert.equal(sortFlagLetters('zSaPSFa'), 'FPSaz')
  assert.throws(() => formatFileName(parseFileName('x'), { uid: 0 }), RangeError)
})

test('flag letters map to IMAP flags; P, unknown and unmapped letters are kept', () => {
  const kw = new KeywordMap({ a: 'Work' }, [['b', '$Label1']])
  assert.deepEqual(lettersToFlags('DFPRSTab', kw), ['$Forwarded', '$Label1', 'Work', '\\Answered', '\\Deleted', '\\Draft', '\\Flagged', '\\Seen'].sort())
  assert.deepEqual(lettersToFlags('SXz', kw), ['\\Seen'], 'unknown letters are not reported')
  // ...but survive a flag change
  assert.equal(applyFlagChange('PSXz', ['\\Flagged'], ['\\Seen'], kw).letters, 'FPXz')
  assert.equal(applyFlagChange('PS', [], ['\\seen', '\\Recent'], kw).letters, 'P')
  assert.equal(applyFlagChange('', ['work', '\\Answered'], [], kw).letters, 'Ra', 'keywords match without case')
  const r = flagsToLetters(['\\Seen', 'NewOne', '$Forwarded', '\\Recent'], kw)
  assert.equal(r.letters, 'PSc')
  assert.equal(r.keywordsAdded, true)
  assert.deepEqual(kw.ownEntries(), [['b', '$Label1'], ['c', 'NewOne']])
})

test('keyword letters run out with a clear error, and bad config letters are refused', () => {
  const kw = new KeywordMap()
  for (let i = 0; i < 26; i++) kw.assign(`K${i}`)
  assert.throws(() => kw.assign('OneTooMany'), (e: unknown) => e instanceof MailsyncError && e.kind === 'data')
  assert.equal(kw.assign('k3').letter, 'd', 'known keyword keeps its letter')
  assert.throws(() => new KeywordMap({ A: 'Work' }), (e: unknown) => e instanceof MailsyncError && e.kind === 'config')
  assert.throws(() => new KeywordMap({ a: 'two words' }), (e: unknown) => e instanceof MailsyncError && e.kind === 'config')
  assert.throws(() => new KeywordMap().assign('bad(kw'), (e: unknown) => e instanceof MailsyncError)
})

test('UID state file round-trips and corrupt files are refused', () => {
  const state = { uidValidity: 1700000000, nextUid: 42, keywords: [['a', 'Work'], ['c', '$Label1']] as [string, string][] }
  const text = formatUidState(state)
  assert.equal(text, '1700000000 42\na Work\nc $Label1\n')
  assert.deepEqual(parseUidState(text), state)
  for (const bad of ['garbage', '0 5', '12 0', '1 2 3', '1 2\nA Work', '1 2\na two words', '99999999999 1']) {
    assert.throws(() => parseUidState(bad), (e: unknown) => e instanceof MailsyncError && e.kind === 'data', bad)
  }
  const values = new Set(Array.from({ length: 1000 }, () => newUidValidity()))
  assert.ok(values.size >= 999, 'UIDVALIDITY values do not repeat')
  assert.ok([...values].every((v) => Number.isInteger(v) && v >= 1 && v < 2 ** 31))
})

test('folder names map to directories for every layout', () => {
  const root = '/m'
  const flat: FolderTree = { root, sep: '.', layout: 'verbatim' }
  const nested: FolderTree = { root, sep: '/', layout: 'verbatim' }
  const plus: FolderTree = { root, sep: '/', layout: 'maildir++' }
  const plusDot: FolderTree = { root, sep: '.', layout: 'maildir++' }
  assert.equal(folderDir(flat, 'INBOX'), join(root, 'INBOX'))
  assert.equal(folderDir(flat, 'Work.Projects'), join(root, 'Work.Projects'))
  assert.equal(folderDir(flat, 'Entwürfe'), join(root, 'Entwürfe'))
  assert.equal(folderDir(nested, 'Work/Projects'), join(root, 'Work', 'Projects'))
  assert.equal(folderDir(nested, 'Work.2024/cur-x'), join(root, 'Work.2024', 'cur-x'))
  assert.equal(folderDir(plus, 'INBOX'), root)
  assert.equal(folderDir(plus, 'Sub/Folder'), join(root, '.Sub.Folder'))
  assert.equal(folderDir(plusDot, 'Sub.Folder'), join(root, '.Sub.Folder'))
})

test('invalid folder names are refused with a data error', () => {
  const trees: FolderTree[] = [
    { root: '/m', sep: '.', layout: 'verbatim' },
    { root: '/m', sep: '/', layout: 'verbatim' },
    { root: '/m', sep: '/', layout: 'maildir++' },
  ]
  const bad = ['', 'cur', 'new', 'tmp', 'a\0b', '..', '.', '../etc', 'a/../../etc', '/abs', 'a//b', '.hidden']
  for (const tree of trees) {
    for (const name of bad) {
      assert.throws(
        () => folderDir(tree, name),
        (e: unknown) => e instanceof MailsyncError && e.kind === 'data' && /invalid Maildir folder name/.test(e.message),
        `${tree.layout} sep ${tree.sep}: ${JSON.stringify(name)}`,
      )
    }
  }
  assert.throws(() => folderDir(trees[1], 'Work/cur'), MailsyncError, 'nested: a level named cur would be the parent\'s cur/')
  assert.throws(() => folderDir(trees[2], 'A.B'), MailsyncError, 'maildir++ cannot store "." inside a level')
  assert.throws(() => folderDir(trees[0], 'a/b'), MailsyncError, 'flat layout has no "/"')
  assert.equal(folderDir(trees[0], 'Work.cur'), join('/m', 'Work.cur'), 'flat: only the whole name is reserved')
})

// Folder pairing: filters and nametrans in both directions, separators, special-use automap,
// and refusal of mappings that collide or do not round-trip.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { pairFolders, type PairingSide } from '../../src/engine/folder-pairing.js'
import type { FolderInfo, SpecialUse } from '../../src/repository/types.js'

const f = (name: string, separator: string, specialUse?: SpecialUse, selectable = true): FolderInfo => ({ name, separator, specialUse, selectable })
const side = (names: (string | FolderInfo)[], separator: string, o: Partial<PairingSide> = {}): PairingSide => ({
  folders: names.map((n) => (typeof n === 'string' ? f(n, separator) : n)),
  separator,
  folderfilter: () => true,
  nametrans: (n) => n,
  ...o,
})
const both = { createOnA: true, createOnB: true, checkRoundTrip: true }
const pairs = (r: ReturnType<typeof pairFolders>) => r.pairs.map((p) => `${p.nameA}=${p.nameB}${p.createA ? ' +A' : ''}${p.createB ? ' +B' : ''}`).sort()

test('same names pair; missing ones are created on the other side; separators are converted', () => {
  const r = pairFolders(side(['INBOX', 'Work/Projects'], '/'), side(['INBOX', 'Lists.dev'], '.'), both)
  assert.deepEqual(pairs(r), ['INBOX=INBOX', 'Lists/dev=Lists.dev +A', 'Work/Projects=Work.Projects +B'])
  assert.deepEqual(r.issues, [])
})

test('nametrans on both sides, as inverses, pair and create consistently', () => {
  const A = side(['INBOX', 'INBOX/Sent'], '/', { nametrans: (n) => n.replace(/^INBOX\//, '') })
  const B = side(['INBOX', 'Drafts'], '.', { nametrans: (n) => (n === 'INBOX' ? n : `INBOX.${n}`) })
  const r = pairFolders(A, B, both)
  assert.deepEqual(pairs(r), ['INBOX/Drafts=Drafts +A', 'INBOX/Sent=Sent +B', 'INBOX=INBOX'])
  assert.deepEqual(r.issues, [])
})

test('a remote nametrans without the inverse local one is refused (folders would be created again on every run)', () => {
  const A = side(['INBOX', 'INBOX/Sent'], '/', { nametrans: (n) => n.replace(/^INBOX\//, '') })
  const r = pairFolders(A, side(['INBOX'], '.'), both)
  assert.equal(r.issues.length, 1)
  assert.equal(r.issues[0]!.kind, 'round-trip')
  assert.match(r.issues[0]!.message, /"INBOX\/Sent" maps to "Sent", but "Sent" maps back to "Sent"/)
})

test('two folders mapping to one name are refused', () => {
  const A = side(['Work', 'work'], '/', { nametrans: (n) => n.toLowerCase() })
  const r = pairFolders(A, side([], '.'), { createOnA: false, createOnB: true })
  assert.equal(r.issues.filter((i) => i.kind === 'collision').length, 1)
})

test('names that cannot be folders on the target are refused', () => {
  const r = pairFolders(side(['Work/cur', 'a//b'], '/'), side([], '.'), { createOnA: false, createOnB: true })
  assert.deepEqual(r.issues.map((i) => i.kind), ['invalid-name', 'invalid-name'])
  assert.deepEqual(r.pairs, [])
})

test('folderfilter on either side leaves folders out, folderincludes brings them back', () => {
  const A = side(['INBOX', 'Trash', 'Spam'], '/', { folderfilter: (n) => !['Trash', 'Spam'].includes(n), includes: ['Spam'] })
  const B = side(['INBOX', 'Trash', 'Local'], '.', { folderfilter: (n) => n !== 'Local' })
  const r = pairFolders(A, B, both)
  assert.deepEqual(pairs(r), ['INBOX=INBOX', 'Spam=Spam +B'])
  assert.ok(r.left.some((l) => l.side === 'A' && l.name === 'Trash'))
  assert.ok(r.left.some((l) => l.side === 'B' && l.name === 'Trash' && /excluded by folderfilter on A/.test(l.reason)))
  assert.ok(r.left.some((l) => l.side === 'B' && l.name === 'Local'))
})

test('one-way policies create folders on the target only', () => {
  const r = pairFolders(side(['INBOX', 'Old'], '/'), side(['INBOX', 'LocalOnly'], '.'), { createOnA: false, createOnB: true })
  assert.deepEqual(pairs(r), ['INBOX=INBOX', 'Old=Old +B'])
  assert.ok(r.left.some((l) => l.name === 'LocalOnly'))
})

test('special-use automap sends Sent to the target\'s \\Sent folder whatever its name', () => {
  const A = side([f('INBOX', '/'), f('Sent', '/', '\\Sent'), f('Trash', '/', '\\Trash')], '/')
  const B = side([f('INBOX', '.'), f('Sent Items', '.', '\\Sent'), f('Deleted Items', '.', '\\Trash')], '.')
  const r = pairFolders(A, B, { createOnA: false, createOnB: true, automap: true })
  assert.deepEqual(pairs(r), ['INBOX=INBOX', 'Sent=Sent Items', 'Trash=Deleted Items'])
  const plain = pairFolders(A, B, { createOnA: false, createOnB: true, automap: false })
  assert.deepEqual(pairs(plain), ['INBOX=INBOX', 'Sent=Sent +B', 'Trash=Trash +B'])
})

test('non-selectable parents are not paired, and --folder limits the pairs', () => {
  const A = side([f('Projects', '/', undefined, false), f('Projects/Alpha', '/'), f('INBOX', '/')], '/')
  const r = pairFolders(A, side([], '/'), { createOnA: false, createOnB: true, only: ['Projects/Alpha'] })
  assert.deepEqual(pairs(r), ['Projects/Alpha=Projects/Alpha +B'])
  assert.ok(r.left.some((l) => l.name === 'Projects' && l.reason === 'not selectable'))
})

test('a level holding the other side\'s separator is an invalid name (it would split into two folders)', () => {
  const r = pairFolders(side(['INBOX', 'v1.2'], '/'), side(['INBOX'], '.'), { createOnA: false, createOnB: true })
  assert.deepEqual(pairs(r), ['INBOX=INBOX'])
  assert.equal(r.issues.length, 1)
  assert.equal(r.issues[0]!.folder, 'v1.2')
  assert.match(r.issues[0]!.message, /holds "\."/)
})

test('automap: a target folder named like the source\'s special folder is left alone, not a collision', () => {
  const A = side([f('INBOX', '/'), f('Sent', '/', '\\Sent')], '/')
  const B = side([f('INBOX', '.'), f('Sent', '.'), f('Sent Items', '.', '\\Sent')], '.')
  const r = pairFolders(A, B, { createOnA: false, createOnB: true, automap: true })
  assert.deepEqual(r.issues, [])
  assert.deepEqual(pairs(r), ['INBOX=INBOX', 'Sent=Sent Items'])
  assert.ok(r.left.some((l) => l.side === 'B' && l.name === 'Sent'))
})

test('two-way: two local folders that map back to one remote folder are a collision', () => {
  const A = side(['INBOX', 'Work'], '/')
  const B = side(['INBOX', 'Work', 'work'], '.', { nametrans: (n) => (n === 'work' ? 'Work' : n) })
  const r = pairFolders(A, B, both)
  assert.equal(r.issues.filter((i) => i.kind === 'collision').length, 1)
})

test("between two IMAP servers the personal namespace's prefix is dropped and added: Cyrus INBOX.Archive is Dovecot Archive", () => {
  const cyrus = side(['INBOX', 'INBOX.Archive', 'INBOX.Archive.2024', 'INBOX.Sent'], '.', { prefix: 'INBOX.' })
  const dovecot = side(['INBOX', 'Sent'], '/', { prefix: '' })
  const migrate = { createOnA: false, createOnB: true }
  assert.deepEqual(pairs(pairFolders(cyrus, dovecot, migrate)), ['INBOX.Archive.2024=Archive/2024 +B', 'INBOX.Archive=Archive +B', 'INBOX.Sent=Sent', 'INBOX=INBOX'])
  // and the other way; a Dovecot child of INBOX stays one on Cyrus
  const from = side(['INBOX', 'Archive', 'INBOX/Receipts'], '/', { prefix: '' })
  const to = side(['INBOX', 'INBOX.Sent'], '.', { prefix: 'INBOX.' })
  assert.deepEqual(pairs(pairFolders(from, to, migrate)), ['Archive=INBOX.Archive +B', 'INBOX/Receipts=INBOX.Receipts +B', 'INBOX=INBOX'])
  // a two-way sync between them round-trips
  const r = pairFolders(cyrus, dovecot, both)
  assert.deepEqual(r.issues, [])
  assert.deepEqual(pairs(r), ['INBOX.Archive.2024=Archive/2024 +B', 'INBOX.Archive=Archive +B', 'INBOX.Sent=Sent', 'INBOX=INBOX'])
})

test('a Maildir keeps the prefix of a Cyrus account; a Maildir folder without it is filed under it one way and refused two ways', () => {
  const cyrus = side(['INBOX', 'INBOX.Archive'], '.', { prefix: 'INBOX.' })
  const maildir = side(['INBOX', 'Projects'], '.')
  // backup: the server's names as they are
  assert.deepEqual(pairs(pairFolders(cyrus, side([], '.'), { createOnA: false, createOnB: true })), ['INBOX.Archive=INBOX.Archive +B', 'INBOX=INBOX +B'])
  // restore of a Maildir whose names lack the prefix: under it, as imapflow would create it anyway
  assert.deepEqual(pairs(pairFolders(cyrus, maildir, { createOnA: true, createOnB: false })), ['INBOX.Projects=Projects +A', 'INBOX=INBOX'])
  // a two-way sync would make Maildir "INBOX.Projects" next time: that folder fails alone, the rest pairs
  const r = pairFolders(cyrus, maildir, both)
  assert.deepEqual(r.issues.map((i) => [i.kind, i.folder]), [['invalid-name', 'Projects']])
  assert.match(r.issues[0]!.message, /"Projects" maps to "INBOX\.Projects".*under "INBOX\.".*second folder "INBOX\.Projects"/)
  assert.deepEqual(pairs(r), ['INBOX.Archive=INBOX.Archive +B', 'INBOX=INBOX'])
})

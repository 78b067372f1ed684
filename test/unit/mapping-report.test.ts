// The folder mapping table of `mailsync info`: both directions, and every problem said in words.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { folderMappingReport } from '../../src/engine/folder-mapping-report.js'
import type { PairingSide } from '../../src/engine/folder-pairing.js'
import type { FolderInfo } from '../../src/repository/types.js'

const folders = (sep: string, names: string[], extra: Partial<Record<string, Partial<FolderInfo>>> = {}): FolderInfo[] =>
  names.map((name) => ({ name, separator: sep, selectable: true, ...extra[name] }))

function side(sep: string, names: string[], o: Partial<PairingSide> = {}, extra = {}): PairingSide {
  return { folders: folders(sep, names, extra), separator: sep, folderfilter: () => true, nametrans: (n) => n, ...o }
}

test('identity mapping: every folder round-trips, no problems', () => {
  const r = folderMappingReport(side('/', ['INBOX', 'Work/2024']), side('/', ['INBOX']))
  assert.deepEqual(r.problems, [])
  const work = r.rows.find((x) => x.side === 'remote' && x.name === 'Work/2024')!
  assert.equal(work.target, 'Work/2024')
  assert.equal(work.back, 'Work/2024')
  assert.equal(work.roundTrips, true)
  assert.equal(work.targetExists, false)
  assert.equal(r.rows.find((x) => x.side === 'local' && x.name === 'INBOX')!.targetExists, true)
})

test('remote nametrans without the inverse local one is flagged as not round-tripping', () => {
  const remote = side('.', ['INBOX', 'INBOX.Sent'], { nametrans: (n) => n.replace(/^INBOX\./, '') })
  const local = side('/', ['INBOX', 'Sent'])
  const r = folderMappingReport(remote, local)
  const sent = r.rows.find((x) => x.side === 'remote' && x.name === 'INBOX.Sent')!
  assert.equal(sent.target, 'Sent')
  assert.equal(sent.back, 'Sent')
  assert.equal(sent.roundTrips, false)
  assert.match(sent.problems.join('\n'), /translates back to "Sent", not "INBOX\.Sent".*inverse nametrans/)
  const localSent = r.rows.find((x) => x.side === 'local' && x.name === 'Sent')!
  // local "Sent" goes to a remote "Sent" that does not exist (the remote one is INBOX.Sent): the trap
  assert.equal(localSent.target, 'Sent')
  assert.equal(localSent.targetExists, false)
})

test('with the inverse local nametrans the same setup is clean', () => {
  const remote = side('.', ['INBOX', 'INBOX.Sent'], { nametrans: (n) => n.replace(/^INBOX\./, '') })
  const local = side('/', ['INBOX', 'Sent'], { nametrans: (n) => (n === 'INBOX' ? n : `INBOX.${n}`) })
  const r = folderMappingReport(remote, local)
  assert.deepEqual(r.problems, [])
  assert.ok(r.rows.every((x) => x.roundTrips))
})

test('two folders mapping to one name are reported once, on both rows', () => {
  const r = folderMappingReport(side('/', ['Work', 'work']), side('/', []))
  const r2 = folderMappingReport(side('/', ['Work', 'work'], { nametrans: (n) => n.toLowerCase() }), side('/', []))
  assert.deepEqual(r.problems, [])
  const collisions = r2.problems.filter((p) => p.includes('all become'))
  assert.equal(collisions.length, 1)
  assert.match(collisions[0]!, /remote folders "Work" and "work" all become local "work"/)
  assert.ok(r2.rows.filter((x) => x.side === 'remote').every((x) => x.problems.some((p) => p.includes('all become'))))
})

test('names invalid on the target: cur/new/tmp, empty, separator inside a name', () => {
  const r = folderMappingReport(side('/', ['cur', 'Weird', 'a.b']), side('.', []))
  const remote = folderMappingReport(side('/', ['cur', 'Weird', 'a.b'], { nametrans: (n) => (n === 'Weird' ? '' : n) }), side('.', []))
  assert.match(remote.rows.find((x) => x.name === 'cur')!.problems.join(), /cannot be a local folder: a level is named cur, new or tmp/)
  assert.match(remote.rows.find((x) => x.name === 'Weird')!.problems.join(), /the name is empty/)
  assert.match(remote.rows.find((x) => x.name === 'a.b')!.problems.join(), /has "\." inside a name, which is the hierarchy separator on the local side/)
  assert.ok(r.problems.length >= 2)
})

test('filtered folders are shown as left out, without problems; special-use folders say where they go', () => {
  const remote = side('/', ['INBOX', 'Spam', 'Sent'], { folderfilter: (n) => n !== 'Spam' }, { Sent: { specialUse: '\\Sent' } })
  const r = folderMappingReport(remote, side('/', []))
  const spam = r.rows.find((x) => x.name === 'Spam')!
  assert.equal(spam.kept, false)
  assert.deepEqual(spam.problems, [])
  assert.ok(spam.notes.includes('left out by folderfilter'))
  assert.ok(r.rows.find((x) => x.name === 'Sent')!.notes.includes('special-use \\Sent: goes to local "Sent"'))
})

test('a nametrans that throws is a problem on that row, not a crash', () => {
  const remote = side('/', ['INBOX', 'X'], { nametrans: (n) => { if (n === 'X') throw new Error('boom'); return n } })
  const r = folderMappingReport(remote, side('/', []))
  assert.match(r.rows.find((x) => x.name === 'X')!.problems.join(), /nametrans fails on remote folder "X": boom/)
  assert.deepEqual(r.rows.find((x) => x.name === 'INBOX')!.problems, [])
})

// The Gmail layout: folders found by SPECIAL-USE (also translated), the folders each label mode
// offers, which messages each view holds, and the priority of migrate --labels first.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { FolderInfo } from '../../src/repository/types.js'
import { gmailLayout } from '../../src/repository/gmail/special-folders.js'
import { folderRole, offeredFolders } from '../../src/repository/gmail/folder-views.js'
import { firstLabel } from '../../src/repository/gmail/label-priority.js'
import { MailsyncError } from '../../src/errors.js'

const f = (name: string, specialUse?: FolderInfo['specialUse'], selectable = true): FolderInfo => ({ name, separator: '/', selectable, ...(specialUse ? { specialUse } : {}) })

/** A German account: no English folder name anywhere. */
const GERMAN: FolderInfo[] = [
  f('INBOX'), f('Arbeit'), f('Listen/Debian'), f('[Google Mail]', undefined, false),
  f('[Google Mail]/Alle Nachrichten', '\\All'), f('[Google Mail]/Papierkorb', '\\Trash'), f('[Google Mail]/Spam', '\\Junk'),
  f('[Google Mail]/Gesendet', '\\Sent'), f('[Google Mail]/Entwürfe', '\\Drafts'), f('[Google Mail]/Markiert', '\\Flagged'), f('[Google Mail]/Wichtig', '\\Important'),
]

test('folders are found by SPECIAL-USE, whatever their names; label folders know their label', () => {
  const l = gmailLayout(GERMAN, 'G')
  assert.equal(l.allMail.name, '[Google Mail]/Alle Nachrichten')
  assert.equal(l.trash?.name, '[Google Mail]/Papierkorb')
  assert.equal(l.spam?.name, '[Google Mail]/Spam')
  assert.deepEqual(l.views.map((v) => [v.folder.name, v.label]), [
    ['INBOX', '\\Inbox'], ['Arbeit', 'Arbeit'], ['Listen/Debian', 'Listen/Debian'], ['[Google Mail]/Gesendet', '\\Sent'], ['[Google Mail]/Entwürfe', '\\Draft'],
  ])
  assert.deepEqual(l.virtual.map((x) => x.name), ['[Google Mail]/Markiert', '[Google Mail]/Wichtig'])
})

test('trashfolder / spamfolder choose the folders; a name that is no folder is a config error', () => {
  const l = gmailLayout(GERMAN, 'G', { trashFolder: 'Arbeit' })
  assert.equal(l.trash?.name, 'Arbeit')
  assert.ok(!l.views.some((v) => v.folder.name === 'Arbeit'))
  assert.throws(() => gmailLayout(GERMAN, 'G', { spamFolder: 'Nope' }), (e: unknown) => e instanceof MailsyncError && e.kind === 'config' && /spamfolder "Nope"/.test(e.message))
})

test('an account without an \\All folder is refused with a hint, not synced as folders', () => {
  assert.throws(() => gmailLayout(GERMAN.filter((x) => x.specialUse !== '\\All'), 'G'), (e: unknown) => e instanceof MailsyncError && /no All Mail folder/.test(e.message) && /type = IMAP/.test(e.hint ?? ''))
})

test('store layout: All Mail, Trash and Spam are folders; label folders and Gmail views are listed, not selectable', () => {
  const offered = offeredFolders(gmailLayout(GERMAN, 'G'), 'store')
  assert.deepEqual(offered.filter((x) => x.selectable).map((x) => x.name), ['[Google Mail]/Alle Nachrichten', '[Google Mail]/Papierkorb', '[Google Mail]/Spam'])
  assert.equal(offered.length, GERMAN.length)
  const layout = gmailLayout(GERMAN, 'G')
  assert.equal(folderRole(layout, 'store', 'Arbeit').kind, 'none')
  assert.equal(folderRole(layout, 'store', '[Google Mail]/Alle Nachrichten').kind, 'own')
})

test('folders and first offer every label folder; keywords only All Mail, Trash and Spam; Starred and Important never', () => {
  const layout = gmailLayout(GERMAN, 'G')
  for (const mode of ['folders', 'first'] as const) {
    const names = offeredFolders(layout, mode).filter((x) => x.selectable).map((x) => x.name)
    assert.deepEqual(names, ['Arbeit', 'INBOX', 'Listen/Debian', '[Google Mail]/Alle Nachrichten', '[Google Mail]/Entwürfe', '[Google Mail]/Gesendet', '[Google Mail]/Papierkorb', '[Google Mail]/Spam'], mode)
  }
  assert.deepEqual(offeredFolders(layout, 'keywords').filter((x) => x.selectable).map((x) => x.name), ['[Google Mail]/Alle Nachrichten', '[Google Mail]/Papierkorb', '[Google Mail]/Spam'])
})

/** Which of these label sets the view `name` holds in `mode`. */
function members(mode: 'folders' | 'first' | 'keywords', name: string, sets: string[][]): number[] {
  const role = folderRole(gmailLayout(GERMAN, 'G'), mode, name)
  assert.equal(role.kind, 'view', `${name} is a view in ${mode}`)
  if (role.kind !== 'view') return []
  return sets.flatMap((ls, i) => (role.view.member(ls) ? [i] : []))
}

const SETS = [
  ['\\Inbox', 'Arbeit'], // 0
  ['Arbeit', 'Listen/Debian'], // 1
  [], // 2 archived
  ['\\Important'], // 3 archived (Important is no folder)
  ['\\Sent', 'Arbeit'], // 4
  ['Unsichtbar'], // 5 a label without a folder: archived
]

test('folders: one copy per label folder, All Mail holds only the archived mail', () => {
  assert.deepEqual(members('folders', 'INBOX', SETS), [0])
  assert.deepEqual(members('folders', 'Arbeit', SETS), [0, 1, 4])
  assert.deepEqual(members('folders', 'Listen/Debian', SETS), [1])
  assert.deepEqual(members('folders', '[Google Mail]/Gesendet', SETS), [4])
  assert.deepEqual(members('folders', '[Google Mail]/Alle Nachrichten', SETS), [2, 3, 5])
})

test('first: each message in exactly one folder', () => {
  const names = ['INBOX', 'Arbeit', 'Listen/Debian', '[Google Mail]/Gesendet', '[Google Mail]/Entwürfe', '[Google Mail]/Alle Nachrichten']
  const where = new Map<number, string[]>()
  for (const n of names) for (const i of members('first', n, SETS)) where.set(i, [...(where.get(i) ?? []), n])
  assert.deepEqual(Object.fromEntries(where), { 0: ['INBOX'], 1: ['Arbeit'], 2: ['[Google Mail]/Alle Nachrichten'], 3: ['[Google Mail]/Alle Nachrichten'], 4: ['[Google Mail]/Gesendet'], 5: ['[Google Mail]/Alle Nachrichten'] })
})

test('keywords: All Mail holds everything', () => {
  assert.deepEqual(members('keywords', '[Google Mail]/Alle Nachrichten', SETS), [0, 1, 2, 3, 4, 5])
})

test('priority of --labels first: \\Inbox, \\Sent, \\Draft, then user labels by name; views never decide', () => {
  assert.equal(firstLabel(['Zeta', '\\Sent', '\\Inbox']), '\\Inbox')
  assert.equal(firstLabel(['Zeta', '\\Draft', '\\Sent']), '\\Sent')
  assert.equal(firstLabel(['Zeta', '\\Draft']), '\\Draft')
  assert.equal(firstLabel(['Zeta', 'Alpha', '\\Important']), 'Alpha')
  assert.equal(firstLabel(['\\Important', '\\Starred']), undefined)
  assert.equal(firstLabel([]), undefined)
})

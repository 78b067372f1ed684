// OfflineIMAP's pairs read from its file names (U=, FMD5=) and its FolderValidity record.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { offlineimapValidityDir, readOfflineimapPairs } from '../../src/repository/maildir/offlineimap-state.js'
import { parseFileName } from '../../src/repository/maildir/filename.js'
import type { MessageFile } from '../../src/repository/maildir/message-files.js'

const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex')
const file = (name: string): [number, MessageFile] => {
  const parsed = parseFileName(name)
  return [parsed.uid ?? 0, { subdir: 'cur', name, parsed }]
}

test('files carrying this folder\'s FMD5 pair their U= with the far side\'s UID under the recorded UIDVALIDITY', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oi-state-'))
  try {
    const validity = join(dir, 'Repository-Remote', 'FolderValidity')
    mkdirSync(validity, { recursive: true })
    writeFileSync(join(validity, 'Archive.2023'), '1733400000\n')
    assert.equal(offlineimapValidityDir([join(dir, 'nowhere'), dir], 'Remote'), validity)
    assert.equal(offlineimapValidityDir([dir], 'Other'), undefined)

    const files = [
      file(`1700000000_0.1.host,U=7,FMD5=${md5('Archive/2023')}:2,S`),
      file(`1700000000_1.1.host,U=9,FMD5=${md5('INBOX')}:2,`), // moved in from another folder: new here
      file('1700000000_2.1.host,U=11:2,'), // no FMD5: not OfflineIMAP's
    ]
    // a nested folder's FMD5 is the md5 of its path with '/', its FolderValidity file spelled with '.'
    const pairs = readOfflineimapPairs(validity, 'Archive/2023', files)
    assert.deepEqual(pairs, { tool: 'offlineimap', otherUidValidity: 1733400000, pairs: [{ otherUid: 7, uid: 7 }] })
    // no FolderValidity record for the folder: nothing is known
    assert.equal(readOfflineimapPairs(validity, 'INBOX', files), undefined)
    // a record that is not a number is not used
    writeFileSync(join(validity, 'INBOX'), 'garbage\n')
    assert.equal(readOfflineimapPairs(validity, 'INBOX', files), undefined)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

// --verbose: a line per action (copy, pairing, flag change, label change, deletion); normal and quiet show none of them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { EngineEvent } from '../../src/engine/events.js'
import { renderEventLine } from '../../src/cli/render-lines.js'

const actions: [EngineEvent, string][] = [
  [{ type: 'message-copied', account: 'w', folder: 'INBOX', direction: 'A->B', uid: 7, newUid: 3, size: 2048 }, 'w INBOX: copied A->B uid 7 -> 3 (2.0 KB)'],
  [{ type: 'message-adopted', account: 'w', folder: 'INBOX', uidA: 1, uidB: 9 }, 'w INBOX: paired uid 1 (A) with uid 9 (B), already on both sides'],
  [{ type: 'flags-changed', account: 'w', folder: 'INBOX', side: 'B', uids: [1, 2], add: ['\\Seen'], remove: ['\\Flagged'] }, 'w INBOX: flags on side B +\\Seen -\\Flagged for uid 1,2'],
  [{ type: 'labels-changed', account: 'w', folder: '[Gmail]/All Mail', side: 'A', uids: [4], add: ['Work', 'Travel/2026'], remove: ['Old'] }, 'w [Gmail]/All Mail: labels on side A +Work +Travel/2026 -Old for uid 4'],
  [{ type: 'message-deleted', account: 'w', folder: 'Trash', side: 'A', uids: Array.from({ length: 12 }, (_, i) => i + 1) }, 'w Trash: deleted on side A uid 1,2,3,4,5,6,7,8,9,10,... (12)'],
]

test('verbose: one line per action on stdout', () => {
  for (const [e, text] of actions) assert.deepEqual(renderEventLine(e, 'verbose'), { stream: 'stdout', text })
})

test('normal and quiet: no per-action lines', () => {
  for (const [e] of actions) {
    assert.equal(renderEventLine(e, 'normal'), undefined)
    assert.equal(renderEventLine(e, 'quiet'), undefined)
  }
})

// The batch's progress bars: the overall line (mailboxes done of the total, messages, bytes, rate,
// an ETA from the mailboxes' pace), one line per mailbox in flight, outcome lines above the bars.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { applyBatchEvent, batchOverallLine, BatchProgressBars, newBatchProgress } from '../../src/ui/batch-progress-bars.js'
import type { BatchEvent } from '../../src/batch/run-batch.js'
import type { MailboxOutcome } from '../../src/batch/ledger.js'
import { Screen } from '../support/terminal-screen.js'
import { batchEventLine } from '../../src/cli/render-batch.js'

const outcome = (state: MailboxOutcome['state'], copied: number): MailboxOutcome => ({ state, copied, adopted: 0, failedMessages: 0, bytes: copied * 1024, ms: 10, verified: 0 })
const start = (key: string): BatchEvent => ({ type: 'mailbox-start', key, source: `imap://${key}@old:143`, target: `imap://${key}@new:143` })
const progress = (key: string, messages: number): BatchEvent => ({ type: 'mailbox-progress', key, messages, bytes: messages * 1024 })
const done = (key: string, state: MailboxOutcome['state'] = 'done'): BatchEvent => ({ type: 'mailbox-done', key, source: key, target: key, outcome: outcome(state, 2) })

test('the overall figures: progress events carry running totals, counted once; an ETA from the pace of mailboxes', () => {
  const p = newBatchProgress(4)
  for (const e of [start('a'), progress('a', 1), progress('a', 2), start('b'), progress('b', 3), done('a'), done('b', 'failed')]) applyBatchEvent(p, e)
  assert.deepEqual([p.done, p.failed, p.messages, p.bytes, p.active.size], [2, 1, 5, 5 * 1024, 0])
  assert.equal(batchOverallLine(p, 11_000, 1000, 200), `batch ${'█'.repeat(10)}${'░'.repeat(10)} 2/4 mailboxes (1 not done)  5 msgs  5.0 KB  1 msgs/s  ETA 10s`)
  assert.match(batchOverallLine(newBatchProgress(3), 1000, 1000, 200), /0\/3 mailboxes .* ETA --$/, 'no ETA before a mailbox ended')
  assert.ok(batchOverallLine(p, 11_000, 1000, 30).length <= 30)
  applyBatchEvent(p, { type: 'batch-start', total: 3, alreadyDone: 0 })
  assert.equal(p.total, 4, 'a batch-start without the unreadable lines does not shrink the total')
})

test('on a terminal: the overall bar and one line per mailbox in flight; outcomes logged above; stop clears the bars', () => {
  const screen = new Screen()
  let now = 0
  const bars = new BatchProgressBars({ stream: screen, total: 3, now: () => now, fps: 0.001 })
  try {
    for (const e of [start('alice'), start('bob'), progress('alice', 7)]) bars.handle(e)
    now = 1000
    bars.redraw()
    let text = screen.text()
    assert.equal(text.length, 3, JSON.stringify(screen.lines))
    assert.match(text[0]!, /^batch .* 0\/3 mailboxes {2}7 msgs {2}7\.0 KB {2}7 msgs\/s {2}ETA --$/)
    assert.equal(text[1], '  imap://alice@old:143 -> imap://alice@new:143  7 msgs  7.0 KB')
    assert.equal(text[2], '  imap://bob@old:143 -> imap://bob@new:143  0 msgs  0 B')
    bars.handle(done('alice'))
    bars.log('done  alice')
    bars.redraw()
    text = screen.text()
    assert.equal(text[0], 'done  alice')
    assert.match(text[1]!, /1\/3 mailboxes/)
    assert.equal(text.length, 3, 'alice\'s line is gone, bob\'s stays')
    assert.match(text[2]!, /bob/)
    bars.stop()
    assert.deepEqual(screen.text(), ['done  alice'])
  } finally {
    bars.stop()
  }
})

test('outcome lines: the count of the whole batch where it is known, a worker\'s own count where not; the reason of a failure', () => {
  const failed: BatchEvent = { type: 'mailbox-done', key: 'k', source: 'imap://bob@old:143', target: 'imap://bob@new:143', outcome: { ...outcome('failed', 0), errorKind: 'auth', error: 'login refused' } }
  assert.match(batchEventLine(failed, { done: 3, total: 50 })!, /^failed {6}\[3\/50\] imap:\/\/bob@old:143 -> imap:\/\/bob@new:143 {2}copied 0, .*: \[auth\] login refused$/)
  assert.match(batchEventLine(done('a'), { done: 7 })!, /^done {8}\[7\] a -> a/)
  assert.equal(batchEventLine(start('a'), { done: 0 }), 'start  imap://a@old:143 -> imap://a@new:143')
  assert.equal(batchEventLine(progress('a', 1), { done: 0 }), undefined, 'progress is for the bars and --json')
})

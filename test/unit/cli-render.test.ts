// The CLI's pure renderers: event lines, the summary table, info text.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { emptyCounts, type FolderCounts } from '../../src/engine/events.js'
import type { JobResult } from '../../src/jobs/run-job.js'
import { describeCounts, renderEventLine } from '../../src/cli/render-lines.js'
import { renderSummary } from '../../src/cli/render-summary.js'
import { renderInfo } from '../../src/cli/render-info.js'
import type { InfoData } from '../../src/cli/info-data.js'
import { formatBytes, formatTable } from '../../src/cli/format.js'

const counts = (over: Partial<FolderCounts>): FolderCounts => ({ ...emptyCounts(), ...over })

test('describeCounts names each kind of change, and says when nothing changed', () => {
  assert.equal(describeCounts(emptyCounts()), 'no changes')
  assert.equal(
    describeCounts(counts({ copiedAtoB: 3, copiedBtoA: 1, flagsAtoB: 2, flagsBtoA: 1, deletedA: 1, deletedB: 1, skipped: 1, failed: 2 })),
    '+3 new A->B, +1 new B->A, 3 flags, 2 deleted, 1 skipped, 2 failed',
  )
})

test('a finished folder is one stdout line: account, both names, counts, bytes, time', () => {
  const line = renderEventLine({ type: 'folder-done', account: 'work', folderA: 'INBOX', folderB: 'INBOX', counts: counts({ copiedAtoB: 5, bytes: 2048 }), ms: 1500 }, 'normal')
  assert.deepEqual(line, { stream: 'stdout', text: 'work INBOX -> INBOX: +5 new A->B (2.0 KB), 1.5 s' })
})

test('errors go to stderr at every detail level; other events are dropped by --quiet', () => {
  const error = { type: 'error', account: 'work', folder: 'INBOX', uid: 7, kind: 'server', message: 'NO [OVERQUOTA] quota exceeded' } as const
  for (const detail of ['quiet', 'normal', 'verbose'] as const) {
    assert.deepEqual(renderEventLine(error, detail), { stream: 'stderr', text: 'error: work INBOX uid 7: NO [OVERQUOTA] quota exceeded (server)' })
  }
  assert.equal(renderEventLine({ type: 'warning', message: 'w' }, 'quiet'), undefined)
  assert.equal(renderEventLine({ type: 'folder-done', account: 'a', folderA: 'x', folderB: 'x', counts: emptyCounts(), ms: 1 }, 'quiet'), undefined)
  assert.deepEqual(renderEventLine({ type: 'warning', account: 'a', message: 'slow server' }, 'normal'), { stream: 'stderr', text: 'warning: a: slow server' })
})

test('plans, skips and created folders appear only with --verbose', () => {
  const skip = { type: 'folder-skip', account: 'a', folderA: 'Junk', folderB: 'Spam', reason: 'not selectable' } as const
  assert.equal(renderEventLine(skip, 'normal'), undefined)
  assert.deepEqual(renderEventLine(skip, 'verbose'), { stream: 'stdout', text: 'a Junk -> Spam: skipped (not selectable)' })
  // issue 6: --verbose is a line per action, copies included (test/unit/ui-verbose-lines.test.ts)
  assert.deepEqual(renderEventLine({ type: 'message-copied', account: 'a', folder: 'x', direction: 'A->B', uid: 1, size: 1 }, 'verbose'), { stream: 'stdout', text: 'a x: copied A->B uid 1 (1 B)' })
})

function result(over: Partial<JobResult> = {}): JobResult {
  return {
    counts: counts({ copiedAtoB: 4, flagsBtoA: 2, bytes: 5 * 1024 * 1024 }),
    exitCode: 0,
    folders: [
      { account: 'work', folderA: 'INBOX', folderB: 'INBOX', counts: counts({ copiedAtoB: 4, bytes: 5 * 1024 * 1024 }), ms: 800, problems: [] },
      { account: 'work', folderA: 'Sent', folderB: 'Sent Items', counts: counts({ flagsBtoA: 2 }), ms: 200, problems: [] },
    ],
    errors: [],
    ms: 1200,
    ...over,
  }
}

test('the summary table has a row per folder and a total, with aligned columns', () => {
  const text = renderSummary(result())
  const lines = text.split('\n')
  assert.match(lines[0]!, /^account\s+folder\s+new A->B\s+new B->A\s+flags\s+deleted\s+skipped\s+errors\s+bytes\s+time$/)
  assert.match(lines[1]!, /^work\s+INBOX\s+4\s+0\s+0\s+0\s+0\s+0\s+5\.0 MB\s+800 ms$/)
  assert.match(lines[2]!, /^work\s+Sent -> Sent Items\s+0\s+0\s+2\s+/)
  assert.match(lines[3]!, /^total\s+2 folders\s+4\s+0\s+2\s+/)
  assert.equal(lines.at(-1), 'done.')
})

test('the summary says to run again when the job finished with errors (exit 75)', () => {
  const text = renderSummary(result({ exitCode: 75, errors: [{ kind: 'server', message: 'x' }] }))
  assert.match(text, /^1 error \(listed above\)$/m)
  assert.match(text, /finished with errors \(exit 75\): run again/)
})

test('the summary says how often the server throttled and how long the pauses were; 80 and 81 say to try later', () => {
  const throttled = renderSummary(result({ throttled: { times: 3, waitedMs: 7000 } }))
  assert.match(throttled, /^throttled by the server 3 times: waited 7\.0 s in all before trying again \(nothing failed for it\)$/m)
  assert.equal(throttled.split('\n').at(-1), 'done.')
  assert.match(renderSummary(result({ exitCode: 80 })), /^stopped: the server kept throttling \(exit 80\); nothing was lost and what was done is recorded: try again later\.$/m)
  assert.match(renderSummary(result({ exitCode: 81 })), /^stopped: a daily transfer limit is reached \(exit 81\); .*run again after the time given above/m)
  assert.doesNotMatch(renderSummary(result()), /throttled/)
  const line = renderEventLine({ type: 'throttled', account: 'work', folder: 'INBOX', repository: 'gmail', message: 'repository gmail: SELECT throttled; waiting 2 s', waitMs: 2000 }, 'normal')
  assert.deepEqual(line, { stream: 'stderr', text: 'warning: work INBOX: repository gmail: SELECT throttled; waiting 2 s' })
})

test('formatTable right-aligns numbers under their headers', () => {
  assert.equal(formatTable(['name', 'n'], [['a', '10'], ['bb', '2']]), 'name   n\na     10\nbb     2')
  assert.equal(formatBytes(512), '512 B')
  assert.equal(formatBytes(1536), '1.5 KB')
})

test('renderInfo shows "none" and the searched paths when no config file was found', () => {
  const data: InfoData = {
    version: '9.9.9',
    config: { searched: ['/h/.config/mailsync/config', '/h/.mailsyncrc'] },
    target: { kind: 'all' },
    general: [{ option: 'ui', value: 'auto', source: 'default', origin: 'default', secret: false, where: 'default' }],
    accounts: [],
    repositories: [],
    warnings: [],
  }
  const text = renderInfo(data)
  assert.match(text, /^config file: none \(looked in \/h\/\.config\/mailsync\/config, \/h\/\.mailsyncrc\)$/m)
  assert.match(text, /^  ui = auto  \(default\)$/m)
  assert.match(text, /^accounts: none$/m)
})

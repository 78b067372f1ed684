// Progress bars rendered into a fake terminal: a small screen emulator applies the escape codes
// cli-progress writes, so the tests check what a person would see, not the bytes.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { emptyCounts, type EngineEvent } from '../../src/engine/events.js'
import { ProgressBars } from '../../src/ui/progress-bars.js'
import { Screen } from '../support/terminal-screen.js'
import { ProgressState } from '../../src/ui/progress-state.js'
import { bar, formatEta, overallLine } from '../../src/ui/progress-format.js'
import { runJobWithOutput } from '../../src/cli/job-output.js'
import type { JobRequest, JobResult } from '../../src/jobs/run-job.js'

/** A terminal: lines of text and a cursor; understands what readline and cli-progress emit. */

const plan = (folder: string, copy: number, bytes: number): EngineEvent => ({ type: 'folder-plan', account: 'w', folderA: folder, folderB: folder, copyAtoB: copy, copyBtoA: 0, bytes, flagChanges: 0, deletions: 0, listedA: 'full', listedB: 'full' })
const start = (folder: string): EngineEvent => ({ type: 'folder-start', account: 'w', folderA: folder, folderB: folder, messages: 0, bytes: 0 })
const copied = (folder: string, size: number): EngineEvent => ({ type: 'message-copied', account: 'w', folder, direction: 'A->B', uid: 1, size })
const done = (folder: string): EngineEvent => ({ type: 'folder-done', account: 'w', folderA: folder, folderB: folder, counts: emptyCounts(), ms: 1 })

test('state: totals from plans, progress from copies, unfinished work dropped when a folder ends', () => {
  const s = new ProgressState()
  for (const e of [start('INBOX'), plan('INBOX', 3, 3000), start('Sent'), plan('Sent', 1, 500), copied('INBOX', 1000), copied('Sent', 500)]) s.apply(e)
  assert.deepEqual([s.messagesDone, s.messagesTotal, s.bytesDone, s.bytesTotal], [2, 4, 1500, 3500])
  assert.equal(s.active.get('w\0INBOX')!.messagesDone, 1)
  s.apply(done('INBOX')) // two of its messages failed: no longer "to do"
  assert.deepEqual([s.messagesTotal, s.bytesTotal, s.foldersDone, s.active.size], [2, 1500, 1, 1])
  assert.deepEqual(s.rate(3000, 1000), { bytesPerSecond: 750, etaSeconds: 0 })
})

test('format: bar, ETA, overall line with rate', () => {
  assert.equal(bar(0.5, 10), '█████░░░░░')
  assert.equal(bar(Number.NaN, 4), '░░░░')
  assert.equal(formatEta(undefined), '--')
  assert.equal(formatEta(125), '2m05s')
  const s = new ProgressState()
  for (const e of [start('INBOX'), plan('INBOX', 4, 4096), copied('INBOX', 1024)]) s.apply(e)
  assert.equal(overallLine(s, 2000, 1000, 200), `total ${bar(0.25, 20)} 1/4 msgs  1.0 KB/4.0 KB  1.0 KB/s  ETA 3s  0 folders done`)
  assert.ok(overallLine(s, 2000, 1000, 30).length <= 30)
})

test('on a terminal: an overall bar and one bar per active folder; finished folders logged above; stop clears the bars', () => {
  const screen = new Screen()
  let now = 0
  const bars = new ProgressBars({ stream: screen, now: () => now, fps: 0.001 })
  try {
  for (const e of [start('INBOX'), plan('INBOX', 2, 2048), start('Sent')]) bars.handle(e)
  bars.handle(copied('INBOX', 1024))
  now = 1000
  bars.redraw()
  let text = screen.text()
  assert.equal(text.length, 3, JSON.stringify(screen.lines))
  assert.match(text[0]!, /^total .* 1\/2 msgs {2}1\.0 KB\/2\.0 KB {2}1\.0 KB\/s {2}ETA 1s/)
  assert.match(text[1]!, /^ {2}INBOX .* 1\/2 msgs/)
  assert.match(text[2]!, /^ {2}Sent .* comparing\.\.\.$/)

  bars.redraw()
  assert.deepEqual(screen.text(), text, 'a redraw without news writes the same screen (each line over itself)')
  assert.ok(!screen.raw.includes('\x1b[2K'), 'lines are never blanked before being written (no flicker)')

  bars.handle(plan('Sent', 0, 0))
  bars.handle(done('Sent'))
  bars.log('w Sent: no changes, 1 ms')
  bars.redraw()
  text = screen.text()
  assert.equal(text[0], 'w Sent: no changes, 1 ms')
  assert.equal(text.length, 3, text.join('\n'))
  assert.ok(!text.some((l) => l.includes('Sent ') && l.includes('░')), 'the Sent bar is gone')

  bars.stop()
  assert.deepEqual(screen.text(), ['w Sent: no changes, 1 ms'], 'bars cleared, logged lines kept')
  } finally {
    bars.stop()
  }
})

test('runJobWithOutput in progress mode: bars while running, then the logged folder lines and the summary', async () => {
  const screen = new Screen()
  const counts = { ...emptyCounts(), copiedAtoB: 1, bytes: 10 }
  const result: JobResult = { counts, exitCode: 0, folders: [{ account: 'w', folderA: 'INBOX', folderB: 'INBOX', counts, ms: 5, problems: [] }], errors: [], ms: 6 }
  await runJobWithOutput({ policy: 'backup', accounts: [] } as unknown as JobRequest, {
    mode: 'progress', verbose: false, progressStream: screen, stderrOnTerminal: true,
    stdout: (t) => screen.write(t + '\n'), stderr: () => assert.fail('stderr is the terminal: nothing bypasses the bars'),
    runJob: async (_req, emit) => {
      for (const e of [start('INBOX'), plan('INBOX', 1, 10), copied('INBOX', 10), { ...done('INBOX'), counts, ms: 5 } as EngineEvent]) emit(e)
      emit({ type: 'warning', account: 'w', message: 'careful' })
      return result
    },
  })
  await new Promise((r) => setImmediate(r))
  const text = screen.text()
  assert.equal(text[0], 'w INBOX -> INBOX: +1 new A->B (10 B), 5 ms')
  assert.equal(text[1], 'warning: w: careful')
  assert.match(text[2]!, /^account\s+folder\s+new A->B/)
  assert.ok(!text.some((l) => l.includes('░') || l.includes('█')), 'no bar left on screen')
})

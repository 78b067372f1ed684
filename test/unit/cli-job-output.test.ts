// runJobWithOutput with a stand-in engine: what each output mode prints, and the log file.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { emptyCounts, type EngineEvent } from '../../src/engine/events.js'
import type { JobRequest, JobResult } from '../../src/jobs/run-job.js'
import { runJobWithOutput, type OutputMode } from '../../src/cli/job-output.js'

const counts = { ...emptyCounts(), copiedAtoB: 2, bytes: 100 }
const EVENTS: EngineEvent[] = [
  { type: 'run-start', policy: 'sync', accounts: ['work'], dryRun: false },
  { type: 'folder-done', account: 'work', folderA: 'INBOX', folderB: 'INBOX', counts, ms: 10 },
  { type: 'error', account: 'work', folder: 'Sent', kind: 'server', message: 'NO [SERVERBUG]' },
  { type: 'run-done', counts, ms: 12, exitCode: 75 },
]
const RESULT: JobResult = { counts, exitCode: 75, folders: [{ account: 'work', folderA: 'INBOX', folderB: 'INBOX', counts, ms: 10, problems: [] }], errors: [{ kind: 'server', message: 'NO [SERVERBUG]' }], ms: 12 }

async function run(mode: OutputMode, logfile?: string) {
  const stdout: string[] = []
  const stderr: string[] = []
  const result = await runJobWithOutput({ policy: 'sync' } as JobRequest, {
    mode,
    verbose: false,
    logfile,
    stdout: (t) => stdout.push(t),
    stderr: (t) => stderr.push(t),
    runJob: async (_req, emit) => {
      for (const e of EVENTS) emit(e)
      return RESULT
    },
  })
  return { result, stdout, stderr }
}

test('lines: a line per folder, errors on stderr, then the summary table', async () => {
  const { result, stdout, stderr } = await run('lines')
  assert.equal(result.exitCode, 75)
  assert.equal(stdout[0], 'work INBOX -> INBOX: +2 new A->B (100 B), 10 ms')
  assert.match(stdout[1]!, /^account\s+folder/)
  assert.match(stdout[1]!, /run again/)
  assert.deepEqual(stderr, ['error: work Sent: NO [SERVERBUG] (server)'])
})

test('json: every event is one JSON object per stdout line, nothing else', async () => {
  const { stdout, stderr } = await run('json')
  assert.deepEqual(stdout.map((l) => JSON.parse(l) as EngineEvent), EVENTS)
  assert.deepEqual(stderr, [])
})

test('quiet: only errors', async () => {
  const { stdout, stderr } = await run('quiet')
  assert.deepEqual(stdout, [])
  assert.equal(stderr.length, 1)
})

test('--logfile: timestamped lines and the summary, private to the user', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mailsync-log-'))
  const file = join(dir, 'run.log')
  await run('quiet', file)
  const text = await readFile(file, 'utf8')
  assert.match(text, /^\d{4}-\d\d-\d\dT[\d:.]+Z work INBOX -> INBOX: \+2 new/m)
  assert.match(text, /Z error: work Sent: NO \[SERVERBUG\]/)
  assert.match(text, /Z account\s+folder/)
  assert.equal((await stat(file)).mode & 0o777, 0o600)
})

test('--logfile that cannot be opened: a disk error (74) before the run starts', async () => {
  let ran = false
  await assert.rejects(
    runJobWithOutput({ policy: 'sync' } as JobRequest, { mode: 'quiet', verbose: false, logfile: '/nonexistent-dir/x.log', runJob: async () => ((ran = true), RESULT) }),
    (e: Error & { exitCode?: number }) => e.exitCode === 74 && /cannot open the log file/.test(e.message),
  )
  assert.equal(ran, false)
})

// The daily transfer count on a fake clock: per hour over the last 24 hours, kept in the state
// directory across instances (runs), a message that would pass the limit refused with the time
// at which enough of the day has passed, and nothing counted for it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DailyQuota } from '../../src/repository/imap/daily-quota.js'
import { EXIT, MailsyncError } from '../../src/errors.js'

const HOUR = 3_600_000
const T0 = Date.UTC(2026, 11, 7, 10, 30)

function quota(dir: string | undefined, clock: { now: number }, download = 1000) {
  return new DailyQuota({ repository: 'G', identity: 'imap:me@imap.gmail.com:993', limits: { download: { bytes: download, why: 'preset gmail' } }, stateDir: dir, now: () => clock.now })
}

test('counts across runs in the state directory (0600), and forgets what is older than 24 hours', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailsync-quota-'))
  const clock = { now: T0 }
  const a = quota(dir, clock)
  a.take('download', 300)
  a.take('upload', 5000) // no upload limit: counted, never refused
  clock.now += 2 * HOUR
  a.take('download', 200)
  a.save()
  assert.equal(statSync(a.file!).mode & 0o777, 0o600)
  const b = quota(dir, clock)
  assert.equal(b.used('download'), 500, 'the next run sees what this one did')
  clock.now = T0 + 24 * HOUR
  assert.equal(b.used('download'), 200, 'the first hour has left the window')
  clock.now = T0 + 27 * HOUR
  assert.equal(b.used('download'), 0)
})

test('a message that would pass the limit stops the run (exit 81) with the time to go on, counting nothing', () => {
  const clock = { now: T0 }
  const q = quota(undefined, clock)
  q.take('download', 600)
  clock.now += 3 * HOUR
  q.take('download', 300)
  let err: unknown
  try {
    q.take('download', 200)
  } catch (e) {
    err = e
  }
  assert.ok(err instanceof MailsyncError && err.kind === 'quota' && err.exitCode === EXIT.quota)
  assert.match(err.message, /daily download limit of 0\.0 MB \(preset gmail\) is reached/)
  // 600 bytes leave the window at 10:00 + 24 h (their hour), and then 300 + 200 fit
  assert.match(err.hint!, /run again after 2026-12-08 10:00 UTC/)
  assert.equal(q.used('download'), 900, 'the refused message is not counted')
})

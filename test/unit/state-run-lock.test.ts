// One mailsync run per account: the run lock file.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { acquireRunLock } from '../../src/state/run-lock.js'
import { runLockPath } from '../../src/state/locate.js'
import { MailsyncError } from '../../src/errors.js'

let base: string
before(() => {
  base = mkdtempSync(join(tmpdir(), 'mailsync-lock-'))
})
after(() => {
  rmSync(base, { recursive: true, force: true })
})
let n = 0
const freshDir = () => join(base, `d${++n}`)

/** The pid of a process that has already exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', ''])
  assert.ok(r.pid && r.pid > 0)
  return r.pid
}

test('a second acquire for the same account is refused with the holder pid; release frees it', () => {
  const dir = freshDir()
  const lock = acquireRunLock(dir, 'work')
  const file = runLockPath(dir, 'work')
  assert.equal(lock.file, file)
  assert.equal(readFileSync(file, 'utf8'), `${process.pid} ${hostname()}\n`)
  assert.equal(statSync(file).mode & 0o777, 0o600)
  assert.equal(statSync(dir).mode & 0o777, 0o700)
  assert.throws(
    () => acquireRunLock(dir, 'work'),
    (e: unknown) =>
      e instanceof MailsyncError && e.kind === 'usage' &&
      e.message === `another mailsync run is working on account work (pid ${process.pid})`,
  )
  const other = acquireRunLock(dir, 'home') // other accounts are independent
  lock.release()
  assert.equal(existsSync(file), false)
  lock.release() // twice is harmless
  const again = acquireRunLock(dir, 'work')
  again.release()
  other.release()
  assert.deepEqual(readdirSync(dir), [], 'no temporary files left behind')
})

test('a stale lock (dead pid) is taken over', () => {
  const dir = freshDir()
  const file = runLockPath(dir, 'work')
  acquireRunLock(dir, 'work').release()
  writeFileSync(file, `${deadPid()} ${hostname()}\n`)
  const lock = acquireRunLock(dir, 'work')
  assert.equal(readFileSync(file, 'utf8'), `${process.pid} ${hostname()}\n`)
  lock.release()
  assert.deepEqual(readdirSync(dir), [])
})

test('an unreadable lock file is stale; a lock from another host is respected', () => {
  const dir = freshDir()
  const file = runLockPath(dir, 'work')
  acquireRunLock(dir, 'work').release()
  writeFileSync(file, 'garbage')
  acquireRunLock(dir, 'work').release()
  writeFileSync(file, `${deadPid()} some-other-host.example\n`)
  assert.throws(() => acquireRunLock(dir, 'work'), /pid \d+ on host some-other-host\.example/)
  assert.ok(existsSync(file), 'the other host\'s lock is kept')
})

test('release does not remove a lock that is no longer ours', () => {
  const dir = freshDir()
  const file = runLockPath(dir, 'work')
  const lock = acquireRunLock(dir, 'work')
  rmSync(file)
  writeFileSync(file, `1 ${hostname()}\n`) // someone else's lock now
  lock.release()
  assert.equal(readFileSync(file, 'utf8'), `1 ${hostname()}\n`)
})

// One mailsync run per account at a time. The lock is a file holding "pid hostname"; it is
// created atomically (written under a temporary name, then hard-linked into place), and a lock
// whose process is gone on this host is taken over.
import { linkSync, lstatSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import { MailsyncError } from '../errors.js'
import { runLockPath } from './locate.js'
import { progressBeat } from '../progress-beat.js'
import { errnoCode, makePrivateDir, stateDiskError } from './private-files.js'

export interface RunLock {
  readonly file: string
  /** Remove the lock (only if it is still ours). Safe to call more than once. */
  release(): void
}

interface LockOwner {
  pid: number
  host: string
}

const MAX_ATTEMPTS = 5

/** Another live process holds the account's lock. */
export class RunLockHeld extends MailsyncError {
  constructor(readonly account: string, readonly pid: number, readonly host: string, file: string, where: string) {
    super('usage', `another mailsync run is working on account ${account} (pid ${pid}${where})`, {
      hint: `wait for it to finish (or run with --wait); if no mailsync is running, remove ${file}`,
    })
  }
}

/** Polls between tries while another run holds the lock: short at first, then every 2 s. */
const WAIT_POLL_MS = [100, 250, 500, 1000, 2000]

/**
 * --wait: takes the lock once the run holding it has ended (or its process is gone). `said` is
 * told once who is waited for; an aborted `stop` gives up (the error of the held lock is thrown).
 */
export async function waitForRunLock(dir: string, accountName: string, o: { stop?: AbortSignal; said?: (holder: RunLockHeld) => void } = {}): Promise<RunLock> {
  for (let i = 0; ; i++) {
    try {
      return acquireRunLock(dir, accountName)
    } catch (e) {
      if (!(e instanceof RunLockHeld) || o.stop?.aborted) throw e
      if (i === 0) o.said?.(e)
      // waiting for another run is not being wedged (progress-beat.ts)
      progressBeat()
      await new Promise((r) => setTimeout(r, WAIT_POLL_MS[Math.min(i, WAIT_POLL_MS.length - 1)]))
    }
  }
}

export function acquireRunLock(dir: string, accountName: string): RunLock {
  makePrivateDir(dir)
  const file = runLockPath(dir, accountName)
  const me = `${process.pid} ${hostname()}\n`
  const tmp = `${file}.new-${process.pid}-${randomBytes(4).toString('hex')}`
  try {
    writeFileSync(tmp, me, { mode: 0o600, flag: 'wx' })
  } catch (e) {
    throw stateDiskError('create lock file', tmp, e)
  }
  try {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (tryLink(tmp, file)) return heldLock(file, me)
      const held = readHolder(file)
      if (held === undefined) continue // released meanwhile: try again
      if (isLive(held.owner)) {
        const owner = held.owner as LockOwner
        const where = owner.host === hostname() ? '' : ` on host ${owner.host}`
        throw new RunLockHeld(accountName, owner.pid, owner.host, file, where)
      }
      takeOverStale(file, held.ino)
    }
    throw new MailsyncError('usage', `could not take the run lock ${file}: other runs keep changing it`, {
      hint: 'make sure only one mailsync run works on this account',
    })
  } finally {
    try {
      unlinkSync(tmp)
    } catch {
      // already gone
    }
  }
}

function tryLink(tmp: string, file: string): boolean {
  try {
    linkSync(tmp, file)
    return true
  } catch (e) {
    if (errnoCode(e) === 'EEXIST') return false
    throw stateDiskError('create lock file', file, e)
  }
}

/** The lock's owner (undefined owner = unreadable content) and inode, or undefined if no lock. */
function readHolder(file: string): { owner: LockOwner | undefined; ino: number } | undefined {
  try {
    const ino = lstatSync(file).ino
    return { owner: parseOwner(readFileSync(file, 'utf8')), ino }
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return undefined
    throw stateDiskError('read lock file', file, e)
  }
}

function parseOwner(text: string): LockOwner | undefined {
  const m = /^(\d+) (\S+)\n$/.exec(text)
  if (!m) return undefined
  const pid = Number(m[1])
  return Number.isSafeInteger(pid) && pid > 0 ? { pid, host: m[2] as string } : undefined
}

/** A lock from another host cannot be checked, so it counts as live. Garbage counts as stale. */
function isLive(owner: LockOwner | undefined): boolean {
  if (owner === undefined) return false
  if (owner.host !== hostname()) return true
  try {
    process.kill(owner.pid, 0)
    return true
  } catch (e) {
    return errnoCode(e) === 'EPERM' // exists, but belongs to someone else
  }
}

/**
 * Remove a stale lock without removing a fresh one another process put there in the meantime:
 * move it aside, and if what we moved is not the inode we judged stale, put it back.
 */
function takeOverStale(file: string, staleIno: number): void {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`
  try {
    renameSync(file, aside)
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return
    throw stateDiskError('take over stale lock file', file, e)
  }
  try {
    if (lstatSync(aside).ino !== staleIno) tryLink(aside, file)
  } finally {
    unlinkSync(aside)
  }
}

function heldLock(file: string, content: string): RunLock {
  const ino = lstatSync(file).ino
  let released = false
  const onExit = (): void => {
    try {
      release()
    } catch {
      // the process is ending; a left-over lock is taken over by the next run
    }
  }
  const release = (): void => {
    if (released) return
    released = true
    process.removeListener('exit', onExit)
    try {
      if (lstatSync(file).ino === ino && readFileSync(file, 'utf8') === content) unlinkSync(file)
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT') throw stateDiskError('remove lock file', file, e)
    }
  }
  process.once('exit', onExit)
  return { file, release }
}

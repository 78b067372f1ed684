// maxconnections is a hard bound: a backup and a sync over many folders with maxconnections = 2
// never hold more than 2 connections to Dovecot at once. Two independent witnesses: `doveadm who`
// polled while the job runs in a child process, and the logins/logouts in Dovecot's log replayed
// in order (each login adds the imap process it started, its "Disconnected" line removes it).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync, rmSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execFile, spawn } from 'node:child_process'
import { startDovecot, type DovecotInstance } from '../support/dovecot.js'
import { generateCorpus } from '../support/corpus.js'
import { fillDovecotMaildir } from '../support/corpus-maildir.js'
import { JOB_RUNNER } from '../support/job-child.js'
import { imapRepository, maildirRepository, oneAccountConfig, plainServer } from '../support/config-text.js'

const BOUND = 2
const USER = 'bound'
let d: DovecotInstance
let corpusMessages = 0
let corpusFolders = 0

before(async () => {
  d = await startDovecot({ users: [USER], maxUserIpConnections: 50 })
  const corpus = generateCorpus({ seed: 4242, messages: 400, folders: 14, maxSize: 16 * 1024 })
  await fillDovecotMaildir(corpus, d, USER)
  corpusMessages = corpus.messages.length
  corpusFolders = new Set(corpus.messages.map((m) => m.folder)).size
})
after(async () => {
  await d?.stop()
})

function writeConfig(root: string): string {
  const config = join(root, 'config')
  writeFileSync(config, oneAccountConfig({
    metadata: join(root, 'state'),
    remote: imapRepository('R', { server: plainServer(d), user: USER, extra: `maxconnections = ${BOUND}\n` }),
    local: maildirRepository('L', join(root, 'Mail'), 'maxconnections = 8\n'),
  }))
  return config
}

/** Connections of USER that `doveadm who` lists right now. */
function whoCount(): Promise<number> {
  return new Promise((resolve) => {
    execFile('doveadm', ['-c', d.configFile, 'who', '-1', USER], { encoding: 'utf8' }, (err, out) => {
      resolve(err ? 0 : out.split('\n').filter((l) => l.startsWith(`${USER} `)).length)
    })
  })
}

/** Most imap processes of USER alive at once, replaying the log from `fromLine` on. */
export function peakFromLog(lines: string[]): { peak: number; logins: number } {
  const live = new Set<string>()
  let peak = 0
  let logins = 0
  for (const line of lines) {
    const login = new RegExp(`imap-login: Info: Login: user=<${USER}>.*\\bmpid=(\\d+)`).exec(line)
    if (login) {
      live.add(login[1]!)
      logins++
      peak = Math.max(peak, live.size)
      continue
    }
    const gone = new RegExp(`imap\\(${USER}\\)<(\\d+)>.*Disconnected`).exec(line)
    if (gone) live.delete(gone[1]!)
  }
  return { peak, logins }
}

interface Observed {
  result: { exitCode: number; counts: Record<string, number> }
  whoPeak: number
  whoSamples: number
  log: { peak: number; logins: number }
}

async function runObserved(config: string, policy: string): Promise<Observed> {
  const logBefore = d.log().split('\n').length - 1
  const child = spawn(process.execPath, [JOB_RUNNER, config, policy], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()))
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
  let running = true
  const exited = new Promise<void>((resolve) => child.on('close', () => { running = false; resolve() }))
  let whoPeak = 0
  let whoSamples = 0
  while (running) {
    whoPeak = Math.max(whoPeak, await whoCount())
    whoSamples++
  }
  await exited
  const last = stdout.trim().split('\n').pop() ?? ''
  assert.ok(last.startsWith('{'), `job runner printed no result: ${stdout}\n${stderr}`)
  // Logouts of the last connections may reach the log a moment after the child exits.
  await new Promise((r) => setTimeout(r, 100))
  return { result: JSON.parse(last), whoPeak, whoSamples, log: peakFromLog(d.log().split('\n').slice(logBefore)) }
}

function messageFiles(dir: string): number {
  let n = 0
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && /^(cur|new)$/.test(e.parentPath.split('/').pop() ?? '')) n++
  }
  return n
}

test('backup then sync over 14 folders with maxconnections = 2 never open more than 2 connections at once', async () => {
  const root = mkdtempSync(join(tmpdir(), 'mailsync-bound-'))
  try {
    const config = writeConfig(root)
    const backup = await runObserved(config, 'backup')
    assert.equal(backup.result.exitCode, 0)
    assert.equal(backup.result.counts.copiedAtoB, corpusMessages)
    assert.equal(messageFiles(join(root, 'Mail')), corpusMessages)
    assert.ok(corpusFolders >= 10, `the corpus spans ${corpusFolders} folders`)
    // The witnesses saw the run: at least one connection, and the log recorded the logins.
    assert.ok(backup.log.logins >= 1 && backup.whoSamples >= 1)
    assert.ok(backup.log.peak >= 1 && backup.log.peak <= BOUND, `Dovecot's log shows ${backup.log.peak} connections at once`)
    assert.ok(backup.whoPeak <= BOUND, `doveadm who showed ${backup.whoPeak} connections at once`)

    const sync = await runObserved(config, 'sync')
    assert.equal(sync.result.exitCode, 0)
    assert.ok(sync.log.peak >= 1 && sync.log.peak <= BOUND, `Dovecot's log shows ${sync.log.peak} connections at once`)
    assert.ok(sync.whoPeak <= BOUND, `doveadm who showed ${sync.whoPeak} connections at once`)
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
})

test('a no-change sync opens one connection: one LIST-STATUS tells every folder is unchanged', async () => {
  const root = mkdtempSync(join(tmpdir(), 'mailsync-bound-'))
  try {
    const config = writeConfig(root)
    // Maildir change tokens are withheld for a second after a change (mtime granularity), so
    // each run waits that out to leave a token the next run can compare with.
    const settle = () => new Promise((r) => setTimeout(r, 1100))
    assert.equal((await runObserved(config, 'backup')).result.exitCode, 0)
    await settle()
    assert.equal((await runObserved(config, 'sync')).result.exitCode, 0)
    await settle()
    const logBefore = d.log().split('\n').length - 1
    const quiet = await runObserved(config, 'sync')
    assert.equal(quiet.result.exitCode, 0)
    assert.equal(quiet.result.counts.copiedAtoB + quiet.result.counts.copiedBtoA, 0, 'nothing to copy')
    assert.equal(quiet.log.logins, 1, `one login for ${corpusFolders} unchanged folders, not one per parallel folder`)
    const commands = d.log().split('\n').slice(logBefore).join('\n')
    assert.equal(messageFiles(join(root, 'Mail')), corpusMessages)
    assert.doesNotMatch(commands, /Error/i)
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
})

test('the log replay counts overlapping connections (the witness itself can fail)', () => {
  const login = (pid: number) => `Nov 1 00:00:00 imap-login: Info: Login: user=<${USER}>, method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, mpid=${pid}, session=<x>`
  const gone = (pid: number) => `Nov 1 00:00:01 imap(${USER})<${pid}><x>: Info: Disconnected: Logged out in=1 out=2`
  assert.deepEqual(peakFromLog([login(1), login(2), gone(1), login(3), gone(2), gone(3)]), { peak: 2, logins: 3 })
  assert.deepEqual(peakFromLog([login(1), login(2), login(3), gone(1), gone(2), gone(3)]), { peak: 3, logins: 3 })
})

// The systemd watchdog keep-alive of a watcher depends on its work moving, with the real binary,
// a real Dovecot and a unix datagram socket standing in for systemd's (test/support/notify-socket.ts):
// a round wedged on a stalled connection (a timeout longer than the watchdog's) stops the
// keep-alive, so systemd would restart it, and the run after that kill ends exact; a round that
// waits a long time for a lock held by another run goes on sending it, as does a watcher
// waiting between rounds.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { ImapFlow } from 'imapflow'
import { startDovecot, type DovecotInstance } from '../support/dovecot.js'
import { imapRepository, maildirRepository, oneAccountConfig, plainServer } from '../support/config-text.js'
import { startCli, type CliProcess } from '../support/cli-process.js'
import { startFaultProxy } from '../support/fault-proxy.js'
import { startNotifyListener, type NotifyListener } from '../support/notify-socket.js'
import { snapshot } from '../support/store-snapshot.js'
import { loggedRepo } from '../support/imap-folder-session.js'
import { MaildirRepository } from '../../src/repository/maildir/maildir-repository.js'
import { runLockPath } from '../../src/state/locate.js'

/** Dovecot's own list without NOTIFY: with no idlefolders either, only rounds connect. */
const NO_NOTIFY = 'IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT NAMESPACE UIDPLUS CONDSTORE QRESYNC SPECIAL-USE LIST-STATUS MOVE'
/** WatchdogSec=2s: a keep-alive every second; a round silent for 5 s (MIN_SILENCE_MS) stops it. */
const WATCHDOG_USEC = '2000000'

let d: DovecotInstance
let dir: string

before(async () => {
  d = await startDovecot({ users: ['wedged', 'waits'], capability: NO_NOTIFY })
  dir = mkdtempSync(join(tmpdir(), 'mailsync-watchdog-'))
})
after(async () => {
  await d?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

function world(user: string, port: number) {
  const root = join(dir, user)
  mkdirSync(root, { recursive: true })
  const config = join(root, 'config')
  // an hour's network timeout: a stalled connection is not given up by the round itself
  writeFileSync(config, oneAccountConfig({ metadata: join(root, 'state'), remote: imapRepository('R', { server: plainServer({ port }), user, extra: 'timeout = 3600\n' }), local: maildirRepository('L', join(root, 'mail')) }), { mode: 0o600 })
  return { config, state: join(root, 'state'), mail: join(root, 'mail'), env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root } }
}

async function appendMany(user: string, n: number): Promise<void> {
  const c = new ImapFlow({ host: '127.0.0.1', port: d.port, secure: false, doSTARTTLS: false, auth: { user, pass: d.password }, logger: false })
  await c.connect()
  try {
    for (let i = 0; i < n; i++) await c.append('INBOX', Buffer.from(`From: a@example.org\r\nMessage-ID: <${user}-${i}@watchdog>\r\nSubject: ${i}\r\n\r\n${'body line\r\n'.repeat(300)}`))
  } finally {
    await c.logout()
  }
}

async function until<T>(what: string, check: () => T | undefined | false, ms = 30_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = check()
    if (v !== undefined && v !== false) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))
const said = (run: CliProcess, re: RegExp) => run.events.some((e) => e.type === 'watch' && re.test(e.message))
const STALLED = /a round has made no progress for \d+ s: the systemd watchdog keep-alive stops/
const pings = (l: NotifyListener) => l.count('WATCHDOG=1')

function files(mail: string): number {
  const inbox = join(mail, 'INBOX')
  return existsSync(inbox) ? ['cur', 'new'].flatMap((s) => readdirSync(join(inbox, s))).length : 0
}

test('a round wedged on a stalled connection stops the watchdog keep-alive (systemd would restart it); waiting between rounds does not; the run after the kill ends exact', async () => {
  const proxy = await startFaultProxy(d.port)
  const listener = await startNotifyListener(dir, 'wedged')
  const w = world('wedged', proxy.port)
  const run = startCli(['sync', '-c', w.config, '--watch=60', '--json'], { ...w.env, NOTIFY_SOCKET: listener.path, WATCHDOG_USEC })
  try {
    await run.waitForEvent((e) => e.type === 'watch-wait', 'the first wait')
    // waiting for the next round longer than the silence limit: the keep-alive goes on
    const waiting = pings(listener)
    await until('keep-alives while waiting', () => pings(listener) >= waiting + 7)
    assert.equal(said(run, STALLED), false)
    // new mail, and the connection the round reads it on stalls part-way (no byte either way, socket open)
    await appendMany('wedged', 40)
    proxy.arm({ kind: 'stall', direction: 'down', afterBytes: 30_000 })
    run.child.kill('SIGUSR1')
    await until('the stall', () => proxy.fired === 1)
    await until('the watcher saying its keep-alive stops', () => said(run, STALLED))
    // systemctl status shows why (the message goes out through systemd-notify, a moment later)
    await until('the STATUS line for systemd', () => /STATUS=a round has made no progress for \d+ s; watchdog keep-alive stopped/.test(listener.text()))
    const stopped = pings(listener)
    await pause(4_000)
    assert.equal(pings(listener), stopped, 'no keep-alive for four intervals: systemd restarts the watcher after WatchdogSec')
    assert.ok(files(w.mail) < 40, 'the round is really stuck part-way')
    // what systemd does next (SIGABRT by default, SIGKILL after it): the kill at any instant is safe
    run.child.kill('SIGKILL')
    await run.ended
  } finally {
    run.child.kill('SIGKILL')
    listener.close()
  }
  proxy.disarm()
  try {
    const again = await startCli(['sync', '-c', w.config, '-o', '--json'], w.env).ended
    assert.equal(again.code, 0, again.stderr)
    assert.equal(files(w.mail), 40)
    assert.deepEqual(await snapshot(new MaildirRepository({ name: 'L', root: w.mail })), await snapshot(loggedRepo(d, 'wedged', [])), 'both sides hold the same messages, each once')
  } finally {
    await proxy.close()
  }
})

test('a round that waits long for the lock of another run goes on sending the keep-alive, then runs', async () => {
  const listener = await startNotifyListener(dir, 'waits')
  const w = world('waits', d.port)
  await appendMany('waits', 3)
  // another run (a live process) holds the account's lock
  mkdirSync(w.state, { recursive: true, mode: 0o700 })
  const holder = spawn('sleep', ['120'], { stdio: 'ignore' })
  const lock = runLockPath(w.state, 't')
  writeFileSync(lock, `${holder.pid} ${hostname()}\n`, { mode: 0o600 })
  const run = startCli(['sync', '-c', w.config, '--watch=60', '--json'], { ...w.env, NOTIFY_SOCKET: listener.path, WATCHDOG_USEC })
  try {
    await run.waitForEvent((e) => e.type === 'warning' && /waiting for it to finish/.test(e.message), 'the round waiting for the lock')
    const waiting = pings(listener)
    // three times the silence limit inside one round
    await until('keep-alives during the wait', () => pings(listener) >= waiting + 15)
    assert.equal(said(run, STALLED), false, 'waiting for a lock is not being wedged')
    assert.equal(files(w.mail), 0, 'still waiting')
    unlinkSync(lock)
    await run.waitForEvent((e) => e.type === 'run-done', 'the round once the lock is free')
    assert.equal(files(w.mail), 3)
    run.child.kill('SIGTERM')
    assert.equal((await run.ended).code, 0)
  } finally {
    run.child.kill('SIGKILL')
    holder.kill('SIGKILL')
    listener.close()
  }
})

// Hooks (presynchook, postsynchook, newmail_hook) with their variables, failing and hanging hooks
// that do not stop the sync; the account lock: a second run names the PID holding it, --wait
// waits for it, a stale lock is taken over, and a watcher holds no lock between its rounds.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { ImapFlow } from 'imapflow'
import { startDovecot, type DovecotInstance } from '../support/dovecot.js'
import { imapRepository, maildirRepository, oneAccountConfig, plainServer } from '../support/config-text.js'
import { startCli } from '../support/cli-process.js'
import { runLockPath } from '../../src/state/locate.js'

let d: DovecotInstance
let dir: string

before(async () => {
  d = await startDovecot({ users: ['hooks', 'bad', 'lambda', 'lock', 'stale', 'both'] })
  dir = mkdtempSync(join(tmpdir(), 'mailsync-hooks-'))
})
after(async () => {
  await d?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

function world(user: string, o: { account?: string; general?: string; local?: string } = {}) {
  const root = join(dir, user)
  mkdirSync(root, { recursive: true })
  const config = join(root, 'config')
  let text = oneAccountConfig({ metadata: join(root, 'state'), remote: imapRepository('R', { server: plainServer(d), user }), local: maildirRepository('L', join(root, 'mail'), o.local ?? '') })
  if (o.account) text = text.replace('remoterepository = R\n', () => `remoterepository = R\n${o.account}`)
  if (o.general) text = text.replace('[general]\n', () => `[general]\n${o.general}`)
  writeFileSync(config, text, { mode: 0o600 })
  return { root, config, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root }, lock: runLockPath(join(root, 'state'), 't') }
}

async function append(user: string, n: number, tag: string): Promise<void> {
  const c = new ImapFlow({ host: '127.0.0.1', port: d.port, secure: false, doSTARTTLS: false, auth: { user, pass: d.password }, logger: false })
  await c.connect()
  for (let i = 0; i < n; i++) await c.append('INBOX', Buffer.from(`Message-ID: <${tag}${i}@hooks>\r\nSubject: ${tag}${i}\r\n\r\nbody\r\n`))
  await c.logout()
}

const vars = (file: string) => Object.fromEntries(readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('MAILSYNC_')).map((l) => l.split('=', 2) as [string, string]))
const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [])

test('presynchook, postsynchook and newmail_hook run with their MAILSYNC_* variables; newmail_hook only when new mail came', async () => {
  const w = world('hooks')
  const pre = join(w.root, 'pre.env')
  const post = join(w.root, 'post.env')
  const news = join(w.root, 'newmail.log')
  writeFileSync(w.config, readFileSync(w.config, 'utf8')
    .replace('remoterepository = R\n', `remoterepository = R\npresynchook = env > ${pre}\npostsynchook = env > ${post}\n`)
    .replace('type = Maildir\n', `type = Maildir\nnewmail_hook = echo "$MAILSYNC_NEW_LOCAL new in $MAILSYNC_ACCOUNT" >> ${news}\n`))
  await append('hooks', 2, 'h')
  const first = await startCli(['backup', '-c', w.config, '--json'], w.env).ended
  assert.equal(first.code, 0, first.stderr)
  assert.deepEqual([vars(pre).MAILSYNC_HOOK, vars(pre).MAILSYNC_ACCOUNT, vars(pre).MAILSYNC_COMMAND, vars(pre).MAILSYNC_LOCAL_REPOSITORY, vars(pre).MAILSYNC_REMOTE_REPOSITORY], ['presynchook', 't', 'backup', 'L', 'R'])
  assert.equal(vars(pre).MAILSYNC_NEW_LOCAL, undefined, 'before the sync there are no counts')
  const p = vars(post)
  assert.deepEqual([p.MAILSYNC_HOOK, p.MAILSYNC_NEW_LOCAL, p.MAILSYNC_NEW_REMOTE, p.MAILSYNC_FAILED, p.MAILSYNC_EXIT_CODE], ['postsynchook', '2', '0', '0', '0'])
  assert.ok(Number(p.MAILSYNC_DURATION_MS) >= 0)
  assert.deepEqual(lines(news), ['2 new in t'])
  const second = await startCli(['backup', '-c', w.config, '--json'], w.env).ended
  assert.equal(second.code, 0)
  assert.equal(vars(post).MAILSYNC_NEW_LOCAL, '0')
  assert.deepEqual(lines(news), ['2 new in t'], 'no new mail: newmail_hook did not run')
})

test('a failing presynchook and a hanging postsynchook are reported; the sync completes; the hanging one is stopped with its children', async () => {
  const pidFile = join(dir, 'hang.pid')
  const w = world('bad', { general: 'hooktimeout = 1\n', account: `presynchook = exit 3\npostsynchook = echo $$ > ${pidFile}; sleep 30; echo never\n` })
  await append('bad', 3, 'b')
  const run = startCli(['backup', '-c', w.config, '--json'], w.env)
  const end = await run.ended
  assert.equal(end.code, 0, end.stderr)
  assert.equal(run.events.find((e) => e.type === 'run-done')!.counts.copiedAtoB, 3)
  const warnings = run.events.filter((e) => e.type === 'warning').map((e) => e.message)
  assert.ok(warnings.includes('presynchook failed (exit 3); the sync goes on'), warnings.join('\n'))
  assert.ok(warnings.includes('postsynchook did not end within 1 s and was stopped; the sync goes on'), warnings.join('\n'))
  const pid = Number(readFileSync(pidFile, 'utf8'))

  assert.throws(() => process.kill(pid, 0), /ESRCH/, 'the hook\'s child (sleep) is gone too')
})

test('newmail_hook in OfflineIMAP\'s lambda: os.system("...") form runs its command; other Python is a clear config error', async () => {
  const out = join(dir, 'lambda.log')
  const w = world('lambda', { local: `newmail_hook = lambda: os.system("echo got $MAILSYNC_NEW_LOCAL >> ${out}")\n` })
  await append('lambda', 1, 'l')
  const ok = await startCli(['backup', '-c', w.config], w.env).ended
  assert.equal(ok.code, 0, ok.stderr)
  assert.deepEqual(lines(out), ['got 1'])
  writeFileSync(w.config, readFileSync(w.config, 'utf8').replace(/newmail_hook = .*\n/, 'newmail_hook = lambda: subprocess.run(["notmuch", "new"])\n'))
  const bad = await startCli(['backup', '-c', w.config], w.env).ended
  assert.equal(bad.code, 78)
  assert.match(bad.stderr, /newmail_hook = lambda: subprocess.run.*: mailsync runs no Python/)
})

test('the lock: a second run names the PID holding it (64) and runs no hook; --wait waits until it is free, then runs (hooks too); a stale lock is taken over', async () => {
  const hookLog = join(dir, 'lock-hooks.log')
  const w = world('lock', { account: `presynchook = echo pre >> ${hookLog}\npostsynchook = echo post $MAILSYNC_EXIT_CODE >> ${hookLog}\n` })
  await append('lock', 2, 'k')
  mkdirSync(join(w.root, 'state'), { recursive: true })
  const holder = spawn('sleep', ['60'])
  try {
    writeFileSync(w.lock, `${holder.pid} ${hostname()}\n`)
    const refused = await startCli(['backup', '-c', w.config], w.env).ended
    assert.equal(refused.code, 64)
    assert.match(refused.stderr, new RegExp(`another mailsync run is working on account t \\(pid ${holder.pid}\\)`))
    assert.deepEqual(lines(hookLog), [], 'a run refused by the lock runs no hook beside the run holding it')
    const waiting = startCli(['backup', '-c', w.config, '--wait', '--json'], w.env)
    await waiting.waitForEvent((e) => e.type === 'warning' && /waiting for it to finish/.test(e.message), 'the waiting line')
    assert.equal(existsSync(join(w.root, 'mail', 'INBOX')), false, 'nothing done while waiting')
    assert.deepEqual(lines(hookLog), [], 'no hook while waiting')
    holder.kill('SIGKILL')
    const end = await waiting.ended
    assert.equal(end.code, 0, end.stderr)
    assert.equal(waiting.events.find((e) => e.type === 'run-done')!.counts.copiedAtoB, 2)
    assert.deepEqual(lines(hookLog), ['pre', 'post 0'])
  } finally {
    holder.kill('SIGKILL')
  }
  const s = world('stale')
  await append('stale', 1, 's')
  mkdirSync(join(s.root, 'state'), { recursive: true })
  const gone = spawn('true')
  await new Promise((r) => gone.on('close', r))
  writeFileSync(s.lock, `${gone.pid} ${hostname()}\n`)
  const taken = await startCli(['backup', '-c', s.config], s.env).ended
  assert.equal(taken.code, 0, taken.stderr)
  assert.equal(existsSync(s.lock), false)
})

test('a watcher and a cron run on one account never overlap: the cron run waits (--wait) for the round the new mail started; nothing is copied twice', async () => {
  const w = world('both')
  await append('both', 1, 'w')
  const watcher = startCli(['sync', '-c', w.config, '--watch=60', '--json'], w.env)
  try {
    await watcher.waitForEvent((e) => e.type === 'watch-wait', 'the watcher idle')
    assert.equal(existsSync(w.lock), false, 'no lock held between rounds')
    // the new mail wakes the watcher (NOTIFY); the cron backup comes at the same moment
    await append('both', 3, 'x')
    const cron = startCli(['backup', '-c', w.config, '--wait', '--json'], w.env)
    const end = await cron.ended
    assert.equal(end.code, 0, end.stderr)
    const cronCopied = cron.events.find((e) => e.type === 'run-done')!.counts.copiedAtoB
    // wait for the watcher to be idle again, then stop it
    for (;;) {
      await new Promise((r) => setTimeout(r, 700))
      if (watcher.events.at(-1)?.type === 'watch-wait') break
    }
    watcher.child.kill('SIGTERM')
    assert.equal((await watcher.ended).code, 0)
    const watcherCopied = watcher.events.filter((e) => e.type === 'run-done').reduce((n, e) => n + e.counts.copiedAtoB, 0)
    assert.equal(cronCopied + watcherCopied, 4, 'each message copied once, by one of them')
    const files = ['cur', 'new'].flatMap((sub) => readdirSync(join(w.root, 'mail', 'INBOX', sub)))
    assert.equal(files.length, 4)
  } finally {
    watcher.child.kill('SIGKILL')
  }
})

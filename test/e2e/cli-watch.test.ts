// `sync --watch` / `backup --watch` with the real binary and a real Dovecot: rounds on a timer,
// SIGUSR1 and SIGUSR2, push from the server (NOTIFY; IDLE on idlefolders where NOTIFY is not
// offered) and from the Maildir (a mail client's flag change), a push connection killed under the
// watcher, IDLE renewed on its connection, and --once over a config with autorefresh. Nothing is
// lost or copied twice.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ImapFlow } from 'imapflow'
import { startDovecot, type DovecotInstance } from '../support/dovecot.js'
import { imapRepository, maildirRepository, oneAccountConfig, plainServer } from '../support/config-text.js'
import { startCli, type CliProcess } from '../support/cli-process.js'
import { startFaultProxy } from '../support/fault-proxy.js'
import { snapshot } from '../support/store-snapshot.js'
import { loggedRepo } from '../support/imap-folder-session.js'
import { MaildirRepository } from '../../src/repository/maildir/maildir-repository.js'
import { runLockPath } from '../../src/state/locate.js'

/** Dovecot's own list without NOTIFY: push then needs IDLE. */
const NO_NOTIFY = 'IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT NAMESPACE UIDPLUS CONDSTORE QRESYNC SPECIAL-USE LIST-STATUS MOVE'

let full: DovecotInstance
let plain: DovecotInstance
let dir: string

before(async () => {
  full = await startDovecot({ users: ['push', 'kick', 'local', 'hold', 'frozen'] })
  plain = await startDovecot({ users: ['timer', 'usr1', 'idle', 'once', 'renew', 'stall', 'budget', 'noop', 'deliver'], capability: NO_NOTIFY })
  dir = mkdtempSync(join(tmpdir(), 'mailsync-watch-'))
})
after(async () => {
  await full?.stop()
  await plain?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/** `port`: reach the server there (a proxy in front of it) instead of at its own port. */
function world(d: DovecotInstance, user: string, o: { remoteExtra?: string; accountExtra?: string; port?: number } = {}) {
  const root = join(dir, user)
  mkdirSync(root, { recursive: true })
  const config = join(root, 'config')
  let text = oneAccountConfig({ metadata: join(root, 'state'), remote: imapRepository('R', { server: plainServer({ port: o.port ?? d.port }), user, extra: o.remoteExtra }), local: maildirRepository('L', join(root, 'mail')) })
  if (o.accountExtra) text = text.replace('remoterepository = R\n', `remoterepository = R\n${o.accountExtra}`)
  writeFileSync(config, text, { mode: 0o600 })
  return { config, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root }, mail: join(root, 'mail'), lock: runLockPath(join(root, 'state'), 't') }
}

async function client(d: DovecotInstance, user: string): Promise<ImapFlow> {
  const c = new ImapFlow({ host: '127.0.0.1', port: d.port, secure: false, doSTARTTLS: false, auth: { user, pass: d.password }, logger: false })
  await c.connect()
  return c
}

async function appendOn(d: DovecotInstance, user: string, id: string): Promise<void> {
  const c = await client(d, user)
  try {
    await c.append('INBOX', Buffer.from(`From: a@example.org\r\nMessage-ID: <${id}@watch>\r\nSubject: ${id}\r\n\r\nbody ${id}\r\n`))
  } finally {
    await c.logout()
  }
}

function inboxFiles(mail: string): string[] {
  const d = join(mail, 'INBOX')
  if (!existsSync(d)) return []
  return ['cur', 'new'].flatMap((s) => readdirSync(join(d, s)).map((f) => join(d, s, f)))
}

async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await check()
    if (v !== undefined && v !== false) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

/** The watcher waits for its next round (no round in flight): a SIGTERM now ends it with 0. */
async function idle(run: CliProcess): Promise<void> {
  // waiting, and still waiting a moment later (no push about to start a round)
  for (;;) {
    await until('the watcher idle', () => run.events.at(-1)?.type === 'watch-wait')
    const n = run.events.length
    await new Promise((r) => setTimeout(r, 600))
    if (run.events.length === n) return
  }
}
const rounds = (run: CliProcess) => run.events.filter((e) => e.type === 'run-done')
const said = (run: CliProcess, re: RegExp) => run.events.some((e) => e.type === 'watch' && re.test(e.message))

async function assertExact(d: DovecotInstance, user: string, mail: string): Promise<void> {
  assert.deepEqual(await snapshot(new MaildirRepository({ name: 'L', root: mail })), await snapshot(loggedRepo(d, user, [])), 'both sides hold the same messages, each once')
}

/**
 * Runs a watcher (`args` after `-c CONFIG`), waits for its first wait, runs `body`, then, once it
 * is idle, ends it with `signal` (exit 0) and checks that both sides hold the same messages.
 */
async function withWatcher(d: DovecotInstance, user: string, w: { config: string; env: Record<string, string>; mail: string }, args: string[], body: (run: CliProcess) => Promise<void>, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const run = startCli([args[0]!, '-c', w.config, ...args.slice(1), '--json'], w.env)
  try {
    await run.waitForEvent((e) => e.type === 'watch-wait', 'the first wait')
    await body(run)
    await idle(run)
    run.child.kill(signal)
    const end = await run.ended
    assert.equal(end.code, 0, end.stderr)
    await assertExact(d, user, w.mail)
  } finally {
    run.child.kill('SIGCONT')
    run.child.kill('SIGKILL')
  }
}

test('--watch=MINUTES: a message appended between rounds is picked up by a later round; SIGUSR2 ends after the round (exit 0)', async () => {
  const w = world(plain, 'timer')
  const run = startCli(['sync', '-c', w.config, '--watch=0.02', '--json'], w.env)
  try {
    await run.waitForEvent((e) => e.type === 'watch-wait', 'the first wait')
    assert.equal(said(run, /watching R/), false, 'no NOTIFY and no idlefolders: nothing pushes')
    await appendOn(plain, 'timer', 't1')
    await until('a round that copies it', () => rounds(run).find((e) => e.counts.copiedAtoB === 1))
    run.child.kill('SIGUSR2')
    const end = await run.ended
    assert.equal(end.code, 0, end.stderr)
    assert.ok(said(run, /SIGUSR2: ending after the round in flight/))
    assert.equal(inboxFiles(w.mail).length, 1)
    assert.equal(existsSync(w.lock), false, 'the lock is not held after the watcher ends')
    await assertExact(plain, 'timer', w.mail)
  } finally {
    run.child.kill('SIGKILL')
  }
})

test('SIGUSR1 makes a round now; SIGTERM between rounds ends the watcher with 0', async () => {
  const w = world(plain, 'usr1')
  await withWatcher(plain, 'usr1', w, ['sync', '--watch=60'], async (run) => {
    await appendOn(plain, 'usr1', 'u1')
    assert.equal(rounds(run).length, 1)
    run.child.kill('SIGUSR1')
    await until('the round SIGUSR1 asked for', () => rounds(run).find((e) => e.counts.copiedAtoB === 1))
    assert.ok(said(run, /SIGUSR1: syncing every account now/))
  })
  assert.equal(existsSync(w.lock), false)
})

test('NOTIFY: a new server message reaches the Maildir without waiting for the timer; a local flag change reaches the server', async () => {
  const w = world(full, 'push')
  await appendOn(full, 'push', 'p0')
  await withWatcher(full, 'push', w, ['sync', '--watch=60'], async (run) => {
    assert.ok(said(run, /watching R: NOTIFY \(every folder\)/), JSON.stringify(run.events.filter((e) => e.type === 'watch')))
    assert.ok(said(run, /watching L: inotify/))
    await appendOn(full, 'push', 'p1')
    await until('the pushed message in the Maildir', () => inboxFiles(w.mail).length === 2, 5_000)
    // a mail reader marks the first message read: it renames the file
    await until('the watch on the new folder', () => run.events.filter((e) => e.type === 'watch-wait').length >= 2)
    const file = inboxFiles(w.mail).find((f) => !/:2,.*S/.test(f))!
    const seen = file.includes(':2,') ? file.replace(/:2,([A-Z]*)$/, (_m, f: string) => `:2,${[...f, 'S'].sort().join('')}`) : `${file}:2,S`
    renameSync(file, seen.replace('/new/', '/cur/'))
    const c = await client(full, 'push')
    try {
      await until('\\Seen on the server', async () => {
        const lock = await c.getMailboxLock('INBOX')
        try {
          const flags: string[] = []
          for await (const m of c.fetch('1:*', { flags: true })) if (m.flags?.has('\\Seen')) flags.push(String(m.uid))
          return flags.length === 1
        } finally {
          lock.release()
        }
      }, 5_000)
    } finally {
      await c.logout()
    }
  })
})

test('Maildir push alone (no server push, the timer an hour away): a local delivery reaches the server, and a message deleted locally goes from the server, each within 5 s', async () => {
  const w = world(plain, 'deliver')
  await appendOn(plain, 'deliver', 'd0')
  const onServer = async (): Promise<number> => {
    const c = await client(plain, 'deliver')
    try {
      const st = await c.status('INBOX', { messages: true })
      return st ? st.messages ?? -1 : -1
    } finally {
      await c.logout()
    }
  }
  await withWatcher(plain, 'deliver', w, ['sync', '--watch=60'], async (run) => {
    assert.ok(said(run, /watching L: inotify/))
    assert.equal(said(run, /watching R/), false, 'nothing pushes from the server')
    // a local delivery agent: written in tmp/, then moved into new/
    const tmp = join(w.mail, 'INBOX', 'tmp', '1765000000.M1P1.localhost')
    writeFileSync(tmp, 'From: b@example.org\nMessage-ID: <d1@watch>\nSubject: d1\n\nbody d1\n')
    renameSync(tmp, join(w.mail, 'INBOX', 'new', '1765000000.M1P1.localhost'))
    await until('the delivery on the server', async () => (await onServer()) === 2, 5_000)
    await idle(run)
    // a mail reader deletes the first message
    unlinkSync(inboxFiles(w.mail).find((f) => readFileSync(f, 'utf8').includes('<d0@watch>'))!)
    await until('the deletion on the server', async () => (await onServer()) === 1, 5_000)
  })
})

test('IDLE on idlefolders where the server has no NOTIFY: a new message is pushed', async () => {
  const w = world(plain, 'idle', { remoteExtra: 'idlefolders = INBOX\n' })
  await withWatcher(plain, 'idle', w, ['backup', '--watch=60'], async (run) => {
    assert.ok(said(run, /watching R: IDLE INBOX/), JSON.stringify(run.events.filter((e) => e.type === 'watch')))
    await appendOn(plain, 'idle', 'i1')
    await until('the pushed message in the Maildir', () => inboxFiles(w.mail).length === 1, 5_000)
  }, 'SIGINT')
})

test('IDLE connections count within maxconnections: with three folders watched and maxconnections = 4, a round of four folders never has more than four open', async () => {
  const c = await client(plain, 'budget')
  try {
    for (const f of ['A', 'B', 'C']) await c.mailboxCreate(f)
    for (const f of ['INBOX', 'A', 'B', 'C']) for (let i = 0; i < 15; i++) await c.append(f, Buffer.from(`From: a@example.org\r\nMessage-ID: <${f}-${i}@budget>\r\nSubject: ${i}\r\n\r\nbody\r\n`))
  } finally {
    await c.logout()
  }
  const proxy = await startFaultProxy(plain.port)
  try {
    const w = world(plain, 'budget', { remoteExtra: 'idlefolders = INBOX, A, B\nmaxconnections = 4\n', port: proxy.port })
    await withWatcher(plain, 'budget', w, ['backup', '--watch=60'], async (run) => {
      assert.ok(said(run, /watching R: IDLE INBOX, A, B/), JSON.stringify(run.events.filter((e) => e.type === 'watch')))
      assert.equal(rounds(run)[0]?.counts.copiedAtoB, 60, 'the first round copied every folder')
      assert.ok(proxy.connections > 3, 'the round had connections of its own')
      assert.ok(proxy.peak <= 4, `at most maxconnections open at once, push included: ${proxy.peak}`)
    })
  } finally {
    await proxy.close()
  }
})

test('IDLE is renewed on its connection (DONE, then IDLE again), and mail appended after several renewals is pushed within 5 s', async () => {
  // the commands the watcher sends are read on a proxy in front of the server
  const proxy = await startFaultProxy(plain.port)
  try {
    const w = world(plain, 'renew', { remoteExtra: 'idlefolders = INBOX\n', port: proxy.port })
    const count = (text: string, re: RegExp) => text.match(re)?.length ?? 0
    const idles = (text: string) => count(text, /^\S+ IDLE\r\n/gm)
    const dones = (text: string) => count(text, /^DONE\r\n/gm)
    await withWatcher(plain, 'renew', { ...w, env: { ...w.env, MAILSYNC_TEST_IDLE_RENEW_MS: '1000' } }, ['backup', '--watch=60'], async (run) => {
      assert.ok(said(run, /watching R: IDLE INBOX/), JSON.stringify(run.events.filter((e) => e.type === 'watch')))
      const push = await until('four IDLEs on one connection', () => proxy.sent.find((t) => idles(t) >= 4))
      assert.ok(dones(push) >= 3, `each IDLE ended with DONE before the next: ${JSON.stringify(push.slice(-200))}`)
      assert.equal(proxy.sent.filter((t) => idles(t) > 0).length, 1, 'renewed on the same connection, not a new one')
      const before = rounds(run).length
      await appendOn(plain, 'renew', 'r1')
      await until('the message pushed after the renewals', () => inboxFiles(w.mail).length === 1, 5_000)
      // the timer is an hour away: the push made that round
      await until('the round the push started', () => rounds(run).length > before)
    }, 'SIGINT')
  } finally {
    await proxy.close()
  }
})

test('a push connection that stalls (no byte either way, socket left open) is found out by the timeout, opened again, and mail after it still arrives', async () => {
  const proxy = await startFaultProxy(plain.port)
  try {
    // timeout = 2: a quiet IDLE is probed with NOOP after 2 s, and given up 2 s after an unanswered one
    const w = world(plain, 'stall', { remoteExtra: 'idlefolders = INBOX\ntimeout = 2\n', port: proxy.port })
    await withWatcher(plain, 'stall', w, ['backup', '--watch=60'], async (run) => {
      await idle(run)
      // between rounds only the push connection is open: the next bytes it sends stall it
      proxy.arm({ kind: 'stall', direction: 'up', afterBytes: 0 })
      await until('the stall', () => proxy.fired === 1)
      await until('the lost push told', () => said(run, /push from R lost/))
      await until('the push opened again', () => run.events.filter((e) => e.type === 'watch' && /watching R: IDLE INBOX/.test(e.message)).length >= 2)
      await idle(run)
      await appendOn(plain, 'stall', 's1')
      await until('the message pushed on the new connection', () => inboxFiles(w.mail).length === 1, 5_000)
    })
  } finally {
    await proxy.close()
  }
})

test('the push connection killed under the watcher (doveadm kick) is opened again, and mail after it still arrives, once', async () => {
  const w = world(full, 'kick')
  await withWatcher(full, 'kick', w, ['sync', '--watch=60'], async (run) => {
    full.doveadm(['kick', 'kick'])
    await until('the lost push told', () => said(run, /push from R lost/))
    await until('the push opened again', () => run.events.filter((e) => e.type === 'watch' && /watching R: NOTIFY/.test(e.message)).length >= 2)
    await appendOn(full, 'kick', 'k1')
    await until('the message after the kick', () => inboxFiles(w.mail).length === 1)
  })
})

test('autorefresh in the config keeps sync running; -o runs once; backup does not keep running on autorefresh', async () => {
  const w = world(plain, 'once', { accountExtra: 'autorefresh = 60\n' })
  await appendOn(plain, 'once', 'o1')
  const once = startCli(['sync', '-c', w.config, '-o', '--json'], w.env)
  const end = await once.ended
  assert.equal(end.code, 0, end.stderr)
  assert.equal(rounds(once).length, 1)
  assert.equal(once.events.some((e) => e.type === 'watch-wait'), false)
  const backup = await startCli(['backup', '-c', w.config, '--json'], w.env).ended
  assert.equal(backup.code, 0, 'a backup from cron ends')
  const kept = startCli(['sync', '-c', w.config, '--json'], w.env)
  try {
    await kept.waitForEvent((e) => e.type === 'watch-wait', 'autorefresh keeps it running')
    kept.child.kill('SIGTERM')
    assert.equal((await kept.ended).code, 0)
  } finally {
    kept.child.kill('SIGKILL')
  }
})

test('holdconnectionopen: rounds reuse their logged-in connections (no new login per round); connections the server dropped are replaced', async () => {
  const w = world(full, 'hold', { remoteExtra: 'holdconnectionopen = yes\nkeepalive = 1\n' })
  const logins = () => full.log().split('\n').filter((l) => l.includes('Login: user=<hold>')).length
  const run = startCli(['sync', '-c', w.config, '--watch=0.01', '--json'], w.env)
  try {
    await until('two rounds', () => rounds(run).length >= 2)
    const early = logins()
    assert.ok(early >= 2, `the push and a round logged in (${early})`)
    await until('eight rounds', () => rounds(run).length >= 8)
    assert.equal(logins(), early, 'six more rounds, no new login')
    full.doveadm(['kick', 'hold'])
    await appendOn(full, 'hold', 'h1')
    await until('the message after the kick', () => inboxFiles(w.mail).length === 1)
    assert.ok(logins() > early, 'the dropped connections were opened again')
    run.child.kill('SIGUSR2')
    const end = await run.ended
    assert.equal(end.code, 0, end.stderr)
    await assertExact(full, 'hold', w.mail)
  } finally {
    run.child.kill('SIGKILL')
  }
})

test('keepalive = SECONDS: connections held open between rounds get a NOOP that often, on the same logged-in connection', async () => {
  const proxy = await startFaultProxy(plain.port)
  try {
    // no NOTIFY and no idlefolders: every connection is a round's
    const w = world(plain, 'noop', { remoteExtra: 'holdconnectionopen = yes\nkeepalive = 1\n', port: proxy.port })
    await withWatcher(plain, 'noop', w, ['sync', '--watch=60'], async () => {
      const opened = proxy.connections
      const noops = (t: string) => t.match(/^\S+ NOOP\r\n/gm)?.length ?? 0
      const kept = await until('three NOOPs on a held connection', () => proxy.sent.find((t) => noops(t) >= 3))
      assert.match(kept, /^\S+ (LOGIN|AUTHENTICATE) /m, 'the NOOPs go on a connection logged in once, for the round')
      assert.equal(proxy.connections, opened, 'no new connection for them')
    })
  } finally {
    await proxy.close()
  }
})

test('a watcher frozen for half a minute (SIGSTOP, as a suspend looks to it) notices on waking: push reopened, a full round, nothing lost', async () => {
  const w = world(full, 'frozen')
  await withWatcher(full, 'frozen', w, ['sync', '--watch=60'], async (run) => {
    run.child.kill('SIGSTOP')
    // mail that arrives while it sleeps, and a server that dropped its connections meanwhile
    await appendOn(full, 'frozen', 'f1')
    full.doveadm(['kick', 'frozen'])
    await new Promise((r) => setTimeout(r, 27_000))
    run.child.kill('SIGCONT')
    await until('the jump told', () => said(run, /the clock jumped \d+ s \(suspend\/resume\?\): reconnecting and syncing every account/))
    await until('the message that came meanwhile', () => inboxFiles(w.mail).length === 1)
    await until('the push opened again', () => run.events.filter((e) => e.type === 'watch' && /watching R: NOTIFY/.test(e.message)).length >= 2)
  })
})

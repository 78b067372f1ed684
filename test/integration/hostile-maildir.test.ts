// What a Maildir may hold besides message files, against a real Dovecot: a symlink in cur/ that
// leads outside the Maildir is never uploaded (sync, restore) and is reported as an error; a FIFO
// (whose open would block for ever) and a file that cannot be read are skipped with a warning;
// a message already synced that became one of these is neither deleted on the server nor
// uploaded again. A symlink to a message inside the Maildir is a message like any other.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync, rmSync, readdirSync, lstatSync, readFileSync, renameSync, symlinkSync, chmodSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync, execFileSync } from 'node:child_process'
import { ImapFlow } from 'imapflow'
import { startDovecot, type DovecotInstance, TEST_PASSWORD } from '../support/dovecot.js'
import { BIN } from '../e2e/cli-child.js'
import { imapRepository, plainServer, maildirRepository, oneAccountConfig } from '../support/config-text.js'

let srv: DovecotInstance
let dir: string

before(async () => {
  srv = await startDovecot({ users: ['h1', 'h2'] })
  dir = mkdtempSync(join(tmpdir(), 'mailsync-hostile-'))
})
after(async () => {
  await srv?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const msg = (id: string, body = `body of ${id}`) => Buffer.from(`From: t@example.org\r\nMessage-ID: <${id}@test>\r\nSubject: ${id}\r\n\r\n${body}\r\n`)

async function imap<T>(user: string, fn: (c: ImapFlow) => Promise<T>): Promise<T> {
  const c = new ImapFlow({ host: '127.0.0.1', port: srv.port, secure: false, doSTARTTLS: false, auth: { user, pass: TEST_PASSWORD }, logger: false })
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.logout()
  }
}

/** Every message of the user's INBOX, as text. */
async function serverInbox(user: string): Promise<string[]> {
  return imap(user, async (c) => {
    const lock = await c.getMailboxLock('INBOX')
    try {
      const out: string[] = []
      if ((c.mailbox as { exists: number }).exists === 0) return out
      for await (const m of c.fetch('1:*', { source: true })) out.push(m.source!.toString('latin1'))
      return out
    } finally {
      lock.release()
    }
  })
}

interface Run { code: number | null; signal: NodeJS.Signals | null; errors: { kind: string; message: string }[]; warnings: string[]; stderr: string }

/**
 * The CLI with --json in a child that cannot bypass file permissions (root without
 * CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH), so that a file of mode 000 is unreadable as it is for
 * a user. A run that hangs on a FIFO is killed by the timeout and fails the test.
 */
function cli(args: string[]): Run {
  const node = [process.execPath, BIN, ...args, '--json']
  const [cmd, ...rest] = process.getuid?.() === 0 ? ['setpriv', '--bounding-set=-dac_override,-dac_read_search', ...node] : node
  const r = spawnSync(cmd!, rest, { encoding: 'utf8', timeout: 60_000, env: { ...process.env } })
  const errors: Run['errors'] = []
  const warnings: string[] = []
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue
    const e = JSON.parse(line)
    if (e.type === 'error') errors.push({ kind: e.kind, message: e.message })
    if (e.type === 'warning') warnings.push(e.message)
  }
  return { code: r.status, signal: r.signal, errors, warnings, stderr: r.stderr }
}

function world(user: string): { root: string; config: string; inbox: string; outside: string } {
  const base = join(dir, user)
  mkdirSync(base, { recursive: true })
  const root = join(base, 'mail')
  const config = join(base, 'config')
  writeFileSync(config, oneAccountConfig({ metadata: join(base, 'state'), remote: imapRepository('R', { server: plainServer(srv), user }), local: maildirRepository('L', root) }), { mode: 0o600 })
  const outside = join(base, 'outside')
  mkdirSync(outside)
  return { root, config, inbox: join(root, 'INBOX', 'cur'), outside }
}

function fileWith(cur: string, id: string): string {
  // regular files only: reading the FIFO would block this test for ever
  const name = readdirSync(cur).find((f) => lstatSync(join(cur, f)).isFile() && readFileSync(join(cur, f), 'latin1').includes(`<${id}@test>`))
  assert.ok(name, `no local file holds ${id}`)
  return name!
}

test('sync: a symlink out of the Maildir is not uploaded (error), a FIFO and an unreadable file are skipped (warning), synced messages that became such are kept on the server', async () => {
  const w = world('h1')
  await imap('h1', async (c) => {
    for (const id of ['m1', 'm2', 'm3']) await c.append('INBOX', msg(id), ['\\Seen'])
  })
  const first = cli(['sync', '-c', w.config])
  assert.equal(first.code, 0, first.stderr + JSON.stringify(first.errors))

  // new entries: a symlink to a secret outside the tree, a FIFO and a symlink to one, an unreadable message, and a
  // symlink to a message file elsewhere inside the tree
  writeFileSync(join(w.outside, 'id_rsa'), msg('secret', 'TOP SECRET KEY'))
  symlinkSync(join(w.outside, 'id_rsa'), join(w.inbox, '1700000001.M1P1.evil:2,S'))
  execFileSync('mkfifo', [join(w.inbox, '1700000002.M2P2.fifo:2,S')])
  execFileSync('mkfifo', [join(w.root, 'pipe')])
  symlinkSync(join(w.root, 'pipe'), join(w.inbox, '1700000005.M5P5.pipelink:2,S'))
  writeFileSync(join(w.inbox, '1700000003.M3P3.locked:2,S'), msg('locked', 'UNREADABLE BODY'))
  chmodSync(join(w.inbox, '1700000003.M3P3.locked:2,S'), 0o000)
  writeFileSync(join(w.root, 'kept-elsewhere.eml'), msg('inside'))
  symlinkSync(join(w.root, 'kept-elsewhere.eml'), join(w.inbox, '1700000004.M4P4.link:2,S'))
  // synced messages that change: m2's file now a symlink to outside, m3's file unreadable
  const m2 = fileWith(w.inbox, 'm2')
  renameSync(join(w.inbox, m2), join(w.outside, 'm2'))
  symlinkSync(join(w.outside, 'm2'), join(w.inbox, m2))
  const m3 = fileWith(w.inbox, 'm3')
  chmodSync(join(w.inbox, m3), 0o000)

  const r = cli(['sync', '-c', w.config])
  assert.equal(r.signal, null, 'the run ended by itself (a FIFO was not opened)')
  assert.equal(r.code, 75, r.stderr + JSON.stringify(r.errors))
  const outsideErrors = r.errors.filter((e) => /symlink to .*outside the Maildir/.test(e.message))
  assert.equal(outsideErrors.length, 2, JSON.stringify(r.errors))
  assert.ok(outsideErrors.every((e) => e.kind === 'data'))
  assert.ok(r.errors.every((e) => /outside the Maildir/.test(e.message)), `no other error: ${JSON.stringify(r.errors)}`)
  assert.ok(r.warnings.some((m) => m.includes('1700000002.M2P2.fifo:2,S') && /FIFO/.test(m)), JSON.stringify(r.warnings))
  assert.ok(r.warnings.some((m) => m.includes('1700000005.M5P5.pipelink:2,S') && /symlink to a FIFO/.test(m)), JSON.stringify(r.warnings))
  assert.ok(r.warnings.some((m) => m.includes('1700000003.M3P3.locked') && /cannot be read/.test(m)), JSON.stringify(r.warnings))
  // m3's file is known from the records and not read again: nothing to say about it, nothing done to it
  assert.ok(outsideErrors.some((e) => e.message.includes(m2)), 'the synced message that became a symlink to outside is named')

  const server = await serverInbox('h1')
  assert.ok(!server.some((m) => m.includes('TOP SECRET')), 'the file outside the Maildir was not uploaded')
  assert.ok(!server.some((m) => m.includes('UNREADABLE BODY')))
  const ids = server.map((m) => /Message-ID: <(\w+)@test>/.exec(m)?.[1]).sort()
  assert.deepEqual(ids, ['inside', 'm1', 'm2', 'm3'], 'm2 and m3 are kept on the server, the symlink inside the tree is a message, nothing twice')
  // and a second run does the same: nothing deleted, nothing uploaded twice
  const again = cli(['sync', '-c', w.config])
  assert.equal(again.code, 75)
  assert.deepEqual((await serverInbox('h1')).map((m) => /Message-ID: <(\w+)@test>/.exec(m)?.[1]).sort(), ['inside', 'm1', 'm2', 'm3'])
})

test('restore: a symlink out of the Maildir is not uploaded and is an error; a FIFO and an unreadable file are skipped with a warning; the rest is restored', async () => {
  const w = world('h2')
  const inbox = join(w.root, 'INBOX')
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(inbox, sub), { recursive: true })
  writeFileSync(join(inbox, 'cur', '1700000010.M1P1.a:2,S'), msg('r1'))
  writeFileSync(join(inbox, 'new', '1700000011.M2P2.b'), msg('r2'))
  writeFileSync(join(w.outside, 'shadow'), msg('shadow', 'TOP SECRET SHADOW'))
  symlinkSync(join(w.outside, 'shadow'), join(inbox, 'cur', '1700000012.M3P3.evil:2,S'))
  execFileSync('mkfifo', [join(inbox, 'new', '1700000013.M4P4.fifo')])
  // a file whose served size is in its name (as mailsync writes them), so listing need not read it
  const locked = `1700000014.M5P5.c,W=${msg('r3').length}:2,S`
  writeFileSync(join(inbox, 'cur', locked), msg('r3', 'LOCKED BODY'))
  chmodSync(join(inbox, 'cur', locked), 0o000)
  const r = cli(['restore', '-c', w.config])
  assert.equal(r.signal, null, 'the run ended by itself')
  assert.equal(r.code, 75, r.stderr + JSON.stringify(r.errors))
  assert.equal(r.errors.length, 1, JSON.stringify(r.errors))
  assert.match(r.errors[0]!.message, /cur\/1700000012\.M3P3\.evil:2,S: a symlink to .*shadow, outside the Maildir/)
  assert.ok(r.warnings.some((m) => /new\/1700000013\.M4P4\.fifo: a FIFO/.test(m)), JSON.stringify(r.warnings))
  assert.ok(r.warnings.some((m) => m.includes('1700000014.M5P5.c,') && /cannot be read/.test(m)), JSON.stringify(r.warnings))
  const server = await serverInbox('h2')
  assert.ok(!server.some((m) => m.includes('TOP SECRET') || m.includes('LOCKED BODY')))
  assert.deepEqual(server.map((m) => /Message-ID: <(\w+)@test>/.exec(m)?.[1]).sort(), ['r1', 'r2'])
})

// Local state broken between runs, synced against a real Dovecot: files sharing a U=, a deleted
// status cache, a damaged one. Each gets a clear message and a safe way on: messages are matched
// by content, nothing is deleted for it and nothing is stored twice. (Files renamed by a mail
// reader, files without U= and a lost .mailsync-uidvalidity are covered by sync-imap.test.ts and
// sync-maildir.test.ts.)
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync, rmSync, readdirSync, readFileSync, copyFileSync, linkSync, renameSync, openSync, writeSync, closeSync, statSync, truncateSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { ImapFlow } from 'imapflow'
import { startDovecot, type DovecotInstance, TEST_PASSWORD } from '../support/dovecot.js'
import { ImapRepository } from '../../src/repository/imap/imap-repository.js'
import { MaildirRepository } from '../../src/repository/maildir/maildir-repository.js'
import { snapshot } from '../support/store-snapshot.js'
import { BIN } from '../e2e/cli-child.js'
import { imapRepository, plainServer, maildirRepository, oneAccountConfig } from '../support/config-text.js'

let srv: DovecotInstance
let dir: string

before(async () => {
  srv = await startDovecot({ users: ['dup', 'lost', 'bad'] })
  dir = mkdtempSync(join(tmpdir(), 'mailsync-brokenstate-'))
})
after(async () => {
  await srv?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const msg = (id: string) => Buffer.from(`From: t@example.org\r\nMessage-ID: <${id}@test>\r\nSubject: ${id}\r\n\r\nbody of ${id}\r\n`)

interface World { user: string; root: string; inbox: string; config: string; db: string }

/** A user with m1..m5 in INBOX (and w1 in Work), synced once into a fresh Maildir. */
async function synced(user: string): Promise<World> {
  const c = new ImapFlow({ host: '127.0.0.1', port: srv.port, secure: false, doSTARTTLS: false, auth: { user, pass: TEST_PASSWORD }, logger: false })
  await c.connect()
  for (const id of ['m1', 'm2', 'm3', 'm4', 'm5']) await c.append('INBOX', msg(id), ['\\Seen'])
  await c.mailboxCreate('Work')
  await c.append('Work', msg('w1'))
  await c.logout()
  const base = join(dir, user)
  spawnSync('mkdir', ['-p', base])
  const w = { user, root: join(base, 'mail'), inbox: join(base, 'mail', 'INBOX', 'cur'), config: join(base, 'config'), db: join(base, 'state', 't.sqlite') }
  writeFileSync(w.config, oneAccountConfig({ metadata: join(base, 'state'), remote: imapRepository('R', { server: plainServer(srv), user }), local: maildirRepository('L', w.root) }), { mode: 0o600 })
  const first = sync(w)
  assert.equal(first.code, 0, first.stderr)
  return w
}

interface Run { code: number | null; stdout: string; stderr: string; warnings: string[]; errors: string[]; counts?: Record<string, number> }

function sync(w: World, json = true): Run {
  const r = spawnSync(process.execPath, [BIN, 'sync', '-c', w.config, ...(json ? ['--json'] : [])], { encoding: 'utf8', env: { ...process.env } })
  const out: Run = { code: r.status, stdout: r.stdout, stderr: r.stderr, warnings: [], errors: [] }
  if (json) {
    for (const line of r.stdout.split('\n')) {
      if (!line.startsWith('{')) continue
      const e = JSON.parse(line)
      if (e.type === 'warning') out.warnings.push(e.message)
      if (e.type === 'error') out.errors.push(e.message)
      if (e.type === 'run-done') out.counts = e.counts
    }
  }
  return out
}

async function stores(w: World) {
  const server = new ImapRepository({ name: 's', host: '127.0.0.1', port: srv.port, user: w.user, password: TEST_PASSWORD, tls: { mode: 'none' }, maxConnections: 1 })
  const local = new MaildirRepository({ name: 'l', root: w.root, readOnly: true })
  try {
    return { server: await snapshot(server), local: await snapshot(local) }
  } finally {
    await server.close()
    await local.close()
  }
}

/** Message-IDs on the server, per folder, sorted (so a duplicate shows). */
async function serverIds(w: World): Promise<Record<string, string[]>> {
  const c = new ImapFlow({ host: '127.0.0.1', port: srv.port, secure: false, doSTARTTLS: false, auth: { user: w.user, pass: TEST_PASSWORD }, logger: false })
  await c.connect()
  const out: Record<string, string[]> = {}
  try {
    for (const folder of ['INBOX', 'Work']) {
      const lock = await c.getMailboxLock(folder)
      try {
        const ids: string[] = []
        if ((c.mailbox as { exists: number }).exists > 0) for await (const m of c.fetch('1:*', { envelope: true })) ids.push(m.envelope?.messageId ?? '?')
        out[folder] = ids.sort()
      } finally {
        lock.release()
      }
    }
  } finally {
    await c.logout()
  }
  return out
}

const fileWith = (cur: string, id: string): string => readdirSync(cur).find((f) => readFileSync(join(cur, f), 'latin1').includes(`<${id}@test>`))!

test('files sharing a U=: a copy with the same bytes (cp, a link a move left) is not uploaded again; other bytes under that U= are a new message, uploaded once', async () => {
  const w = await synced('dup')
  const m1 = fileWith(w.inbox, 'm1')
  const m2 = fileWith(w.inbox, 'm2')
  const m3 = fileWith(w.inbox, 'm3')
  copyFileSync(join(w.inbox, m1), join(w.inbox, m1.replace(/^[^,]+/, '1700000001.M1P1.copy')))
  linkSync(join(w.inbox, m2), join(w.root, 'INBOX', 'new', m2.replace(/:2,.*$/, '')))
  // moved in from another folder by a mail reader: the U= is that folder's, the bytes another message's
  writeFileSync(join(w.inbox, m3.replace(/^[^,]+/, '1700000003.M3P3.moved')), msg('moved'))
  const r = sync(w)
  assert.equal(r.code, 0, r.stderr + r.errors.join('\n'))
  const twice = r.warnings.filter((m) => /the same message as cur\/.*: not synced twice/.test(m))
  assert.equal(twice.length, 2, r.warnings.join('\n'))
  assert.ok(twice.some((m) => m.startsWith('Maildir file new/')), 'of one file under two names, the one in cur/ is the message')
  assert.equal(r.counts!.copiedBtoA, 1, 'only the moved-in message goes up')
  assert.deepEqual((await serverIds(w)).INBOX, ['<m1@test>', '<m2@test>', '<m3@test>', '<m4@test>', '<m5@test>', '<moved@test>'])
  const again = sync(w)
  assert.equal(again.code, 0)
  assert.equal(again.counts!.copiedAtoB + again.counts!.copiedBtoA + again.counts!.deletedA + again.counts!.deletedB, 0, 'a second run does nothing')
  assert.deepEqual((await serverIds(w)).INBOX, ['<m1@test>', '<m2@test>', '<m3@test>', '<m4@test>', '<m5@test>', '<moved@test>'])
})

test('a deleted status cache: a warning says what it means; messages are matched by content, nothing copied twice, nothing deleted', async () => {
  const w = await synced('lost')
  // since the last run: m3 deleted locally; then the status cache is lost
  rmSync(join(w.inbox, fileWith(w.inbox, 'm3')))
  rmSync(w.db)
  for (const ext of ['-wal', '-shm']) if (existsSync(w.db + ext)) rmSync(w.db + ext)
  const r = sync(w)
  assert.equal(r.code, 0, r.stderr + r.errors.join('\n'))
  assert.ok(r.warnings.some((m) => m.includes(`no status cache ${w.db}`) && /synced by mailsync before/.test(m) && /copied back/.test(m)), r.warnings.join('\n'))
  const c = r.counts!
  assert.deepEqual([c.copiedAtoB, c.copiedBtoA, c.deletedA, c.deletedB], [1, 0, 0, 0], 'only m3 comes back; nothing else is copied, nothing deleted')
  const { server, local } = await stores(w)
  assert.deepEqual(local, server)
  assert.deepEqual(await serverIds(w), { INBOX: ['<m1@test>', '<m2@test>', '<m3@test>', '<m4@test>', '<m5@test>'], Work: ['<w1@test>'] })
  const again = sync(w)
  assert.deepEqual(again.warnings, [], 'the cache is there again: no warning')
})

test('a damaged status cache (pages overwritten, or the file cut short): exit 65, one message naming the file and what to do, nothing touched; moved aside, the next run re-pairs by content', async () => {
  const w = await synced('bad')
  const before = await stores(w)
  const good = readFileSync(w.db)
  for (const damage of ['pages', 'truncated'] as const) {
    writeFileSync(w.db, good)
    if (damage === 'pages') {
      // everything after the first page (the header and the schema) is garbage
      const fd = openSync(w.db, 'r+')
      const junk = Buffer.alloc(statSync(w.db).size - 4096, 0xab)
      writeSync(fd, junk, 0, junk.length, 4096)
      closeSync(fd)
    } else truncateSync(w.db, Math.floor(good.length / 2))
    const r = sync(w, false)
    assert.equal(r.code, 65, `${damage}: ${r.stdout}${r.stderr}`)
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('warning: '))
    assert.deepEqual(lines, [
      `mailsync: status database ${w.db} is damaged or not a mailsync status database (SQLITE_CORRUPT)`,
      'hint: move the file aside; the next run rebuilds the status by matching messages on both sides',
    ], `${damage}: one message, not one per folder`)
    assert.deepEqual(await stores(w), before, `${damage}: neither side changed`)
  }
  renameSync(w.db, `${w.db}.damaged`)
  const r = sync(w)
  assert.equal(r.code, 0, r.stderr + r.errors.join('\n'))
  assert.equal(r.counts!.copiedAtoB + r.counts!.copiedBtoA + r.counts!.deletedA + r.counts!.deletedB, 0)
  assert.equal(r.counts!.adopted, 6, 'every message paired again by content')
  assert.deepEqual(await stores(w), before)
})

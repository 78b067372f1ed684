// Two-way sync between a real Dovecot and a Maildir, and between two Dovecot users: changes on
// both sides travel, a second run changes nothing, a kill after any side effect is repaired,
// a server without UIDPLUS works, and a recreated folder (UIDVALIDITY change) loses and
// duplicates nothing.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync, readdirSync, renameSync, rmSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ImapFlow } from 'imapflow'
import { createHash } from 'node:crypto'
import { startDovecot, type DovecotInstance, TEST_PASSWORD } from '../support/dovecot.js'
import { MaildirRepository } from '../../src/repository/maildir/maildir-repository.js'
import { ImapRepository } from '../../src/repository/imap/imap-repository.js'
import { loadConfig, accountsToSync } from '../../src/config/index.js'
import { runJob } from '../../src/jobs/run-job.js'
import { runJobChild } from '../support/job-child.js'
import { snapshot, contentOnly } from '../support/store-snapshot.js'
import { imapRepository, maildirRepository, oneAccountConfig, tlsServer } from '../support/config-text.js'

const USERS = Array.from({ length: 160 }, (_, i) => `u${i}`)
let d: DovecotInstance
let plain: DovecotInstance
let nextUser = 0

before(async () => {
  d = await startDovecot({ users: USERS })
  plain = await startDovecot({ users: USERS, capability: 'IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE IDLE NAMESPACE SPECIAL-USE LIST-EXTENDED' })
})
after(async () => {
  await d?.stop()
  await plain?.stop()
})

const msg = (id: string) => Buffer.from(`From: t@example.org\r\nMessage-ID: <${id}@test>\r\nSubject: ${id}\r\n\r\nbody of ${id}\r\n`)

interface World { root: string; b: string; config: string; user: string; server: DovecotInstance; userB?: string }

function imapSection(name: string, server: DovecotInstance, user: string): string {
  return imapRepository(name, { server: tlsServer(server), user, extra: 'maxconnections = 3\n' })
}

function world(server: DovecotInstance, localKind: 'maildir' | 'imap'): World {
  const root = mkdtempSync(join(tmpdir(), 'mailsync-imap-'))
  const user = USERS[nextUser++]!
  assert.ok(user, 'add test users: the kill loop uses one world per state point')
  const b = join(root, 'local')
  const config = join(root, 'config')
  const userB = localKind === 'imap' ? USERS[nextUser++]! : undefined
  const local = localKind === 'maildir' ? maildirRepository('L', b) : imapSection('L', server, userB!)
  writeFileSync(config, oneAccountConfig({ metadata: join(root, 'state'), remote: imapSection('R', server, user), local }))
  return { root, b, config, user, server, userB }
}

async function imap<T>(server: DovecotInstance, user: string, fn: (c: ImapFlow) => Promise<T>): Promise<T> {
  const c = new ImapFlow({ host: '127.0.0.1', port: server.port, secure: false, doSTARTTLS: false, auth: { user, pass: TEST_PASSWORD }, logger: false })
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.logout()
  }
}

async function putLocal(root: string, folder: string, m: Buffer, flags: string[] = []): Promise<void> {
  const repo = new MaildirRepository({ name: 'x', root, createRoot: true })
  await repo.open()
  if (!(await repo.listFolders()).some((f) => f.name === folder)) await repo.createFolder(folder)
  const s = await repo.openFolder(folder)
  await s.append({ content: m, size: m.length, flags, internalDate: Date.UTC(2024, 0, 2) })
  await s.close()
}

async function runInProcess(w: World) {
  const config = await loadConfig({ path: w.config })
  return runJob({ policy: 'sync', config, accounts: accountsToSync(config), dryRun: false }, () => undefined)
}

const runChild = (w: World, killAfter?: number) => runJobChild(w.config, 'sync', killAfter)

const imapRepo = (w: World, user: string) => new ImapRepository({ name: 'snap', host: '127.0.0.1', port: w.server.port, user, password: TEST_PASSWORD, tls: { mode: 'none' }, maxConnections: 1 })

async function snapBoth(w: World) {
  const ra = imapRepo(w, w.user)
  const rb = w.userB ? imapRepo(w, w.userB) : new MaildirRepository({ name: 'b', root: w.b })
  try {
    const a = await snapshot(ra)
    const b = await snapshot(rb)
    // Folder names differ only by separator between Dovecot ('/') and Maildir ('.'): none nested here.
    return { a, b }
  } finally {
    await ra.close()
    await rb.close()
  }
}

/** A synced pair, then changes on both sides. */
async function scenario(server: DovecotInstance, localKind: 'maildir' | 'imap' = 'maildir'): Promise<World> {
  const w = world(server, localKind)
  await imap(server, w.user, async (c) => {
    await c.append('INBOX', msg('m1'), ['\\Seen'])
    await c.append('INBOX', msg('m2'))
    await c.append('INBOX', msg('m3'))
    await c.mailboxCreate('Work')
    await c.append('Work', msg('w1'), ['\\Answered', '\\Seen', 'Project'])
  })
  if (localKind === 'maildir') await putLocal(w.b, 'INBOX', msg('m4'), ['\\Flagged'])
  else await imap(server, w.userB!, (c) => c.append('INBOX', msg('m4'), ['\\Flagged']))
  const first = await runInProcess(w)
  assert.equal(first.exitCode, 0, JSON.stringify(first.errors))
  await imap(server, w.user, async (c) => {
    await c.append('INBOX', msg('m5'))
    const lock = await c.getMailboxLock('INBOX')
    try {
      const uids = new Map<string, number>()
      for await (const m of c.fetch('1:*', { uid: true, envelope: true })) uids.set(m.envelope?.messageId ?? '', m.uid)
      await c.messageFlagsAdd({ uid: String(uids.get('<m2@test>')) }, ['\\Flagged'], { uid: true })
      await c.messageDelete(String(uids.get('<m3@test>')), { uid: true })
    } finally {
      lock.release()
    }
  })
  if (localKind === 'maildir') {
    writeFileSync(join(w.b, 'INBOX', 'new', '1700000000.M1P1.host'), msg('m6'))
    const cur = join(w.b, 'INBOX', 'cur')
    for (const f of readdirSync(cur)) {
      if (readFileSync(join(cur, f), 'latin1').includes('<m1@test>')) renameSync(join(cur, f), join(cur, f.replace(/:2,.*$/, ':2,')))
    }
  } else {
    await imap(server, w.userB!, async (c) => {
      await c.append('INBOX', msg('m6'))
      const lock = await c.getMailboxLock('INBOX')
      try {
        let uid = 0
        // No other command may run inside a fetch loop (imapflow would wait forever).
        for await (const m of c.fetch('1:*', { uid: true, envelope: true })) if (m.envelope?.messageId === '<m1@test>') uid = m.uid
        await c.messageFlagsRemove(String(uid), ['\\Seen'], { uid: true })
      } finally {
        lock.release()
      }
    })
  }
  return w
}

async function checkResult(w: World) {
  const { a, b } = await snapBoth(w)
  assert.deepEqual(a, b, 'both sides hold the same messages and flags')
  const ids = (s: Record<string, string[]>) => Object.values(s).flat().length
  assert.equal(ids(a), 6, 'INBOX m1 m2 m4 m5 m6 and Work w1')
  assert.ok(a.INBOX!.some((x) => x.endsWith('[\\Flagged]')))
  assert.ok(a.Work![0]!.includes('Project'), 'keywords travel')
  return { a, b }
}

test('imap <-> maildir: changes on both sides travel, a second run changes nothing', async () => {
  const w = await scenario(d)
  try {
    const r = await runInProcess(w)
    assert.equal(r.exitCode, 0, JSON.stringify(r.errors))
    const before = await checkResult(w)
    const again = await runInProcess(w)
    assert.equal(again.counts.copiedAtoB + again.counts.copiedBtoA + again.counts.flagsAtoB + again.counts.flagsBtoA + again.counts.deletedA + again.counts.deletedB, 0)
    assert.deepEqual(await snapBoth(w), before)
  } finally {
    rmSync(w.root, { recursive: true, force: true })
  }
})

test('imap <-> imap between two Dovecot users: same scenario', async () => {
  const w = await scenario(d, 'imap')
  try {
    const r = await runInProcess(w)
    assert.equal(r.exitCode, 0, JSON.stringify(r.errors))
    await checkResult(w)
  } finally {
    rmSync(w.root, { recursive: true, force: true })
  }
})

test('imap <-> maildir on a server without UIDPLUS or CONDSTORE', async () => {
  const w = await scenario(plain)
  try {
    const r = await runInProcess(w)
    assert.equal(r.exitCode, 0, JSON.stringify(r.errors))
    await checkResult(w)
    const again = await runInProcess(w)
    assert.equal(again.counts.copiedAtoB + again.counts.copiedBtoA, 0, 'no duplicate on the next run')
    await checkResult(w)
  } finally {
    rmSync(w.root, { recursive: true, force: true })
  }
})

test('a recreated server folder (UIDVALIDITY change) loses and duplicates nothing', async () => {
  const w = await scenario(d)
  try {
    assert.equal((await runInProcess(w)).exitCode, 0)
    const before = await snapBoth(w)
    await imap(d, w.user, async (c) => {
      await c.mailboxDelete('Work')
      await c.mailboxCreate('Work')
      await c.append('Work', msg('w1'), ['\\Answered', '\\Seen', 'Project'])
      await c.append('Work', msg('w2'))
    })
    const events: string[] = []
    const config = await loadConfig({ path: w.config })
    const r = await runJob({ policy: 'sync', config, accounts: accountsToSync(config), dryRun: false }, (e) => { events.push(e.type) })
    assert.equal(r.exitCode, 0, JSON.stringify(r.errors))
    assert.ok(events.includes('uidvalidity-changed'))
    const after = await snapBoth(w)
    assert.deepEqual(after.a, after.b)
    assert.equal(after.b.Work!.length, 2, 'w1 kept once, w2 copied')
    assert.equal(r.counts.copiedAtoB, 1, 'only the new message was downloaded')
    assert.deepEqual(contentOnly(after.b).INBOX, contentOnly(before.b).INBOX)
  } finally {
    rmSync(w.root, { recursive: true, force: true })
  }
})

for (const kind of ['maildir', 'imap'] as const) test(`imap <-> ${kind}: killed after each side effect and resumed, ends like an uninterrupted run`, async () => {
  const ref = await scenario(d, kind)
  const full = runChild(ref)
  assert.equal(full.exitCode, 0)
  const expected = await checkResult(ref)
  const steps = full.sideEffects!
  rmSync(ref.root, { recursive: true, force: true })
  assert.ok(steps >= 5, `expected several side effects, got ${steps}`)
  for (let n = 1; n <= steps; n++) {
    const w = await scenario(d, kind)
    try {
      assert.equal(runChild(w, n).exitCode, undefined, `run ${n} should have been killed`)
      assert.equal(runChild(w).exitCode, 0, `resume after kill ${n}`)
      assert.deepEqual(await snapBoth(w), expected, `state after kill at side effect ${n}`)
    } finally {
      rmSync(w.root, { recursive: true, force: true })
    }
  }
})

test('after a clean run, changed folders are read as records plus CONDSTORE/QRESYNC changes, unchanged Maildirs from the records', async () => {
  const w = await scenario(d)
  const pause = () => new Promise((r) => setTimeout(r, 1200))
  try {
    assert.equal((await runInProcess(w)).exitCode, 0)
    await pause()
    assert.equal((await runInProcess(w)).exitCode, 0) // settles: both stores' status recorded
    await pause()
    await imap(d, w.user, async (c) => {
      await c.append('INBOX', msg('m7'), ['\\Answered'])
      const lock = await c.getMailboxLock('INBOX')
      try {
        const uids = new Map<string, number>()
        for await (const m of c.fetch('1:*', { uid: true, envelope: true })) uids.set(m.envelope?.messageId ?? '', m.uid)
        await c.messageFlagsRemove(String(uids.get('<m2@test>')), ['\\Flagged'], { uid: true })
        await c.messageFlagsAdd(String(uids.get('<m2@test>')), ['\\Seen'], { uid: true })
        await c.messageDelete(String(uids.get('<m4@test>')), { uid: true })
      } finally {
        lock.release()
      }
    })
    const config = await loadConfig({ path: w.config })
    const plans: { folderA: string; listedA: string; listedB: string }[] = []
    const r = await runJob({ policy: 'sync', config, accounts: accountsToSync(config), dryRun: false }, (e) => { if (e.type === 'folder-plan') plans.push(e) })
    assert.equal(r.exitCode, 0, JSON.stringify(r.errors))
    const inbox = plans.find((p) => p.folderA === 'INBOX')!
    assert.deepEqual([inbox.listedA, inbox.listedB], ['changes', 'records'])
    assert.deepEqual([r.counts.copiedAtoB, r.counts.deletedB, r.counts.flagsAtoB, r.counts.copiedBtoA], [1, 1, 1, 0])
    const { a, b } = await snapBoth(w)
    assert.deepEqual(a, b)
    const h = (id: string) => createHash('sha256').update(msg(id)).digest('hex').slice(0, 16)
    assert.deepEqual(b.INBOX, [`${h('m1')} []`, `${h('m2')} [\\Seen]`, `${h('m5')} []`, `${h('m6')} []`, `${h('m7')} [\\Answered]`].sort())
  } finally {
    rmSync(w.root, { recursive: true, force: true })
  }
})

// Two-way sync between two Maildirs through the whole engine: changes on both sides travel,
// a second run changes nothing, and a kill after any side effect followed by a new run ends in
// exactly the state of an uninterrupted run.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync, readdirSync, renameSync, rmSync, mkdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { MaildirRepository } from '../../src/repository/maildir/maildir-repository.js'
import { loadConfig, accountsToSync } from '../../src/config/index.js'
import { runJob } from '../../src/jobs/run-job.js'
import { runJobChild } from '../support/job-child.js'
import { snapshot } from '../support/store-snapshot.js'
import { maildirRepository, oneAccountConfig } from '../support/config-text.js'


const msg = (id: string, body = id) => Buffer.from(`From: t@example.org\r\nMessage-ID: <${id}@test>\r\nSubject: ${id}\r\n\r\n${body}\r\n`)

interface World { root: string; a: string; b: string; config: string }

function world(): World {
  const root = mkdtempSync(join(tmpdir(), 'mailsync-sync-'))
  const a = join(root, 'remote')
  const b = join(root, 'local')
  const config = join(root, 'config')
  writeFileSync(config, oneAccountConfig({ metadata: join(root, 'state'), remote: maildirRepository('R', a), local: maildirRepository('L', b) }))
  return { root, a, b, config }
}

async function put(root: string, folder: string, m: Buffer, flags: string[] = []): Promise<number> {
  const repo = new MaildirRepository({ name: 'x', root, createRoot: true })
  await repo.open()
  if (!(await repo.listFolders()).some((f) => f.name === folder)) await repo.createFolder(folder)
  const s = await repo.openFolder(folder)
  const r = await s.append({ content: m, size: m.length, flags, internalDate: Date.UTC(2024, 0, 2) })
  await s.close()
  return r.uid!
}

async function runInProcess(w: World) {
  const config = await loadConfig({ path: w.config })
  return runJob({ policy: 'sync', config, accounts: accountsToSync(config), dryRun: false }, () => undefined)
}

const runChild = (w: World, killAfter?: number) => runJobChild(w.config, 'sync', killAfter)

/** A synced pair of Maildirs, then changes on both sides, as a person and a mail reader make them. */
async function scenario(): Promise<World> {
  const w = world()
  await put(w.a, 'INBOX', msg('m1'), ['\\Seen'])
  await put(w.a, 'INBOX', msg('m2'))
  await put(w.a, 'INBOX', msg('m3'))
  await put(w.a, 'Work', msg('w1'), ['\\Answered', '\\Seen'])
  await put(w.b, 'INBOX', msg('m4'), ['\\Flagged'])
  const first = await runInProcess(w)
  assert.equal(first.exitCode, 0)
  // Side A: a new message, a flag, a deletion.
  await put(w.a, 'INBOX', msg('m5'))
  const inboxA = join(w.a, 'INBOX', 'cur')
  for (const f of readdirSync(inboxA)) {
    if (f.includes('m2') || readFile(join(inboxA, f)).includes('m2@')) renameSync(join(inboxA, f), join(inboxA, f.replace(/:2,.*$/, ':2,F')))
    if (readFile(join(inboxA, f)).includes('m3@')) rmSync(join(inboxA, f))
  }
  // Side B, as mutt would: a delivery into new/ without UID, and m1 marked unread by a rename.
  writeFileSync(join(w.b, 'INBOX', 'new', '1700000000.M1P1.host'), msg('m6'))
  const inboxB = join(w.b, 'INBOX', 'cur')
  for (const f of readdirSync(inboxB)) {
    if (readFile(join(inboxB, f)).includes('m1@')) renameSync(join(inboxB, f), join(inboxB, f.replace(/:2,.*$/, ':2,')))
  }
  // A folder made by hand on B.
  for (const d of ['cur', 'new', 'tmp']) mkdirSync(join(w.b, 'Lists', d), { recursive: true })
  writeFileSync(join(w.b, 'Lists', 'cur', '1700000001.M2P1.host:2,S'), msg('l1'))
  return w
}

function readFile(p: string): string {
  return spawnSync('cat', [p], { encoding: 'utf8' }).stdout
}

async function snapBoth(w: World) {
  return {
    a: await snapshot(new MaildirRepository({ name: 'a', root: w.a })),
    b: await snapshot(new MaildirRepository({ name: 'b', root: w.b })),
  }
}

const hashOf = async (id: string) => (await import('node:crypto')).createHash('sha256').update(msg(id)).digest('hex').slice(0, 16)

test('maildir <-> maildir: changes on both sides travel, and a second run changes nothing', async () => {
  const w = await scenario()
  try {
    const r = await runInProcess(w)
    assert.equal(r.exitCode, 0)
    const { a, b } = await snapBoth(w)
    assert.deepEqual(a, b)
    const h = async (id: string, flags: string) => `${await hashOf(id)} [${flags}]`
    assert.deepEqual(a.INBOX, [await h('m1', ''), await h('m2', '\\Flagged'), await h('m4', '\\Flagged'), await h('m5', ''), await h('m6', '')].sort())
    assert.deepEqual(a.Work, [await h('w1', '\\Answered \\Seen')])
    assert.deepEqual(a.Lists, [await h('l1', '\\Seen')])
    const again = await runInProcess(w)
    assert.deepEqual(
      { copied: again.counts.copiedAtoB + again.counts.copiedBtoA, flags: again.counts.flagsAtoB + again.counts.flagsBtoA, deleted: again.counts.deletedA + again.counts.deletedB, adopted: again.counts.adopted },
      { copied: 0, flags: 0, deleted: 0, adopted: 0 },
    )
    assert.deepEqual(await snapBoth(w), { a, b })
  } finally {
    rmSync(w.root, { recursive: true, force: true })
  }
})

test('maildir <-> maildir: killed after each side effect and resumed, ends like an uninterrupted run', async () => {
  const ref = await scenario()
  const full = runChild(ref)
  assert.equal(full.exitCode, 0)
  const expected = await snapBoth(ref)
  const steps = full.sideEffects!
  rmSync(ref.root, { recursive: true, force: true })
  assert.ok(steps >= 5, `expected several side effects, got ${steps}`)
  if (process.env.SHOW_STEPS) console.log(`side effects: ${steps}`)
  for (let n = 1; n <= steps; n++) {
    const w = await scenario()
    try {
      const killed = runChild(w, n)
      assert.equal(killed.exitCode, undefined, `run ${n} should have been killed`)
      const resumed = runChild(w)
      assert.equal(resumed.exitCode, 0, `resume after kill ${n}: ${JSON.stringify(resumed)}`)
      assert.deepEqual(await snapBoth(w), expected, `state after kill at side effect ${n}`)
    } finally {
      rmSync(w.root, { recursive: true, force: true })
    }
  }
})

test('maildir <-> maildir: a lost UID state file (new UIDVALIDITY) re-pairs by fingerprint, nothing copied or lost', async () => {
  const w = await scenario()
  try {
    assert.equal((await runInProcess(w)).exitCode, 0)
    const before = await snapBoth(w)
    rmSync(join(w.b, 'INBOX', '.mailsync-uidvalidity'))
    const events: string[] = []
    const config = await loadConfig({ path: w.config })
    const r = await runJob({ policy: 'sync', config, accounts: accountsToSync(config), dryRun: false }, (e) => { events.push(e.type) })
    assert.equal(r.exitCode, 0)
    assert.ok(events.includes('uidvalidity-changed'))
    assert.equal(r.counts.copiedAtoB + r.counts.copiedBtoA + r.counts.deletedA + r.counts.deletedB, 0)
    assert.deepEqual(await snapBoth(w), before)
  } finally {
    rmSync(w.root, { recursive: true, force: true })
  }
})

test('a different store behind the same repository name is re-paired by fingerprint, never taken as deletions', async () => {
  const w = world()
  try {
    await put(w.a, 'INBOX', msg('k1'))
    await put(w.a, 'INBOX', msg('k2'))
    assert.equal((await runInProcess(w)).exitCode, 0)
    // The user copies the local Maildir (UID state files and all), loses a message in the copy,
    // and points the config at the copy.
    const copy = join(w.root, 'local-copy')
    spawnSync('cp', ['-a', w.b, copy])
    for (const f of readdirSync(join(copy, 'INBOX', 'cur'))) if (readFile(join(copy, 'INBOX', 'cur', f)).includes('k2@')) rmSync(join(copy, 'INBOX', 'cur', f))
    writeFileSync(w.config, readFileSync(w.config, 'utf8').replace(`localfolders = ${w.b}`, `localfolders = ${copy}`))
    const events: string[] = []
    const config = await loadConfig({ path: w.config })
    const r = await runJob({ policy: 'sync', config, accounts: accountsToSync(config), dryRun: false }, (e) => { if (e.type === 'warning') events.push(e.message) })
    assert.equal(r.exitCode, 0)
    assert.equal(r.counts.deletedA, 0, 'nothing is deleted on the other side')
    assert.ok(events.some((m) => m.includes('not the store the status cache knew')))
    const a = await snapshot(new MaildirRepository({ name: 'a', root: w.a }))
    const b = await snapshot(new MaildirRepository({ name: 'b', root: copy }))
    assert.equal(a.INBOX!.length, 2)
    assert.deepEqual(b, a, 'the lost message is copied back')
  } finally {
    rmSync(w.root, { recursive: true, force: true })
  }
})

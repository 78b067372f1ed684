// Labels end to end through the jobs layer and the engine, between two labels-keeping Maildirs
// (type = GmailMaildir): a sync with synclabels = yes carries labels both ways, records the label
// base, and a relabel copies no body; ignorelabels are never synced; a sync without synclabels
// moves none; a backup into a plain Maildir beside a labels-keeping one keeps the labels.
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MaildirRepository } from '../../src/repository/maildir/maildir-repository.js'
import { loadConfig, accountsToSync } from '../../src/config/index.js'
import { runJob, type PolicyName } from '../../src/jobs/run-job.js'
import { StatusDb } from '../../src/state/status-db.js'
import { statusDbPath } from '../../src/state/locate.js'
import type { EngineEvent } from '../../src/engine/events.js'
import { runJobChild } from '../support/job-child.js'

const msg = (id: string) => Buffer.from(`From: t@example.org\r\nMessage-ID: <${id}@test>\r\nSubject: ${id}\r\n\r\nbody of ${id}\r\n`)

interface World { root: string; a: string; b: string; state: string; config: string }

const made: string[] = []
after(() => {
  for (const root of made) rmSync(root, { recursive: true, force: true })
})

function world(o: { account?: string; typeA?: string; typeB?: string } = {}): World {
  const root = mkdtempSync(join(tmpdir(), 'mailsync-labels-sync-'))
  made.push(root)
  const w = { root, a: join(root, 'remote'), b: join(root, 'local'), state: join(root, 'state'), config: join(root, 'config') }
  writeFileSync(w.config, [
    `[general]\naccounts = t\nmetadata = ${w.state}\n`,
    `[Account t]\nlocalrepository = L\nremoterepository = R\n${o.account ?? ''}`,
    `[Repository R]\ntype = ${o.typeA ?? 'GmailMaildir'}\nlocalfolders = ${w.a}\n`,
    `[Repository L]\ntype = ${o.typeB ?? 'GmailMaildir'}\nlocalfolders = ${w.b}\n`,
  ].join('\n'))
  return w
}

const store = (root: string, labels = true) => new MaildirRepository({ name: 'x', root, createRoot: true, labels })

async function put(root: string, id: string, labels: string[]): Promise<number> {
  const repo = store(root)
  await repo.open()
  if (!(await repo.listFolders()).some((f) => f.name === 'all')) await repo.createFolder('all')
  const s = await repo.openFolder('all')
  const content = msg(id)
  const r = await s.append({ content, size: content.length, flags: [], internalDate: Date.UTC(2024, 0, 2), messageId: `<${id}@test>`, labels })
  await s.close()
  return r.uid!
}

/** Labels by Message-ID, as the store lists them (with a plain repository object: `labels` says whether it reads the sidecar). */
async function labelsOf(root: string, labels = true): Promise<Record<string, string[] | undefined>> {
  const s = await store(root, labels).openFolder('all', { readOnly: true })
  try {
    const out: Record<string, string[] | undefined> = {}
    for (const m of (await s.list({ withMessageId: true })).messages) out[m.messageId!] = m.labels
    return out
  } finally {
    await s.close()
  }
}

async function relabel(root: string, id: string, add: string[], remove: string[]): Promise<void> {
  const s = await store(root).openFolder('all')
  try {
    const uid = (await s.searchMessageId(`<${id}@test>`))[0]!
    await s.setLabels!([uid], add, remove)
  } finally {
    await s.close()
  }
}

async function run(w: World, policy: PolicyName = 'sync') {
  const config = await loadConfig({ path: w.config })
  const events: EngineEvent[] = []
  const result = await runJob({ policy, config, accounts: accountsToSync(config), dryRun: false }, (e) => events.push(e))
  return { result, events, warnings: [...config.warnings.map((x) => x.message), ...events.flatMap((e) => (e.type === 'warning' ? [e.message] : []))] }
}

/** Every message file of a tree: path, size, mtime, inode. */
function files(root: string): string[] {
  const out: string[] = []
  for (const e of readdirSync(root, { recursive: true, withFileTypes: true })) {
    const dir = e.parentPath ?? e.path
    if (!e.isFile() || !/\/(cur|new)$/.test(dir)) continue
    const st = statSync(join(dir, e.name))
    out.push(`${join(dir, e.name).slice(root.length)} ${st.size} ${st.mtimeMs} ${st.ino}`)
  }
  return out.sort()
}

function labelBases(w: World): (string[] | undefined)[] {
  const db = StatusDb.open(statusDbPath(w.state, 't'))
  try {
    const fp = db.listFolderPairs().find((f) => f.nameA === 'all')!
    return db.listMessagePairs(fp.id).map((r) => r.labels ?? undefined).sort()
  } finally {
    db.close()
  }
}

test('sync with synclabels = yes: labels reach the other side with the copies, relabels cross both ways without a body, the base is recorded', async () => {
  const w = world({ account: 'synclabels = yes\n' })
  await put(w.a, 'm1', ['Work', '\\Inbox'])
  await put(w.a, 'm2', ['Lists/Debian'])
  await put(w.b, 'm3', ['My Label'])
  const first = await run(w)
  assert.equal(first.result.exitCode, 0)
  assert.equal(first.result.counts.copiedAtoB + first.result.counts.copiedBtoA, 3)
  const expected1 = { '<m1@test>': ['Work', '\\Inbox'], '<m2@test>': ['Lists/Debian'], '<m3@test>': ['My Label'] }
  assert.deepEqual(await labelsOf(w.a), expected1)
  assert.deepEqual(await labelsOf(w.b), expected1)
  assert.deepEqual(labelBases(w), [['Lists/Debian'], ['My Label'], ['Work', '\\Inbox']])

  // relabels on both sides: A takes Work off m1 and labels m2 Work; B labels m3 Urgent
  await relabel(w.a, 'm1', [], ['Work'])
  await relabel(w.a, 'm2', ['Work'], [])
  await relabel(w.b, 'm3', ['Urgent'], [])
  const before = { a: files(w.a), b: files(w.b) }
  const second = await run(w)
  assert.equal(second.result.exitCode, 0)
  const expected2 = { '<m1@test>': ['\\Inbox'], '<m2@test>': ['Lists/Debian', 'Work'], '<m3@test>': ['My Label', 'Urgent'] }
  assert.deepEqual(await labelsOf(w.a), expected2)
  assert.deepEqual(await labelsOf(w.b), expected2)
  // no body copied, no message file renamed or rewritten: only the sidecars changed
  assert.deepEqual([second.result.counts.copiedAtoB, second.result.counts.copiedBtoA, second.result.counts.bytes], [0, 0, 0])
  assert.deepEqual({ a: files(w.a), b: files(w.b) }, before)
  const changed = second.events.filter((e) => e.type === 'labels-changed')
  assert.deepEqual(changed.map((e) => e.type === 'labels-changed' && [e.side, e.add, e.remove]).sort(), [['A', ['Urgent'], []], ['B', ['Work'], []], ['B', [], ['Work']]].sort())
  assert.deepEqual(labelBases(w), [['Lists/Debian', 'Work'], ['My Label', 'Urgent'], ['\\Inbox']])

  // nothing changed since: nothing to do (the folders are not even listed again)
  const third = await run(w)
  assert.equal(third.result.exitCode, 0)
  assert.equal(third.events.filter((e) => e.type === 'labels-changed').length, 0)
  assert.ok(third.events.some((e) => e.type === 'folder-skip' && e.folderA === 'all'), 'the unchanged folder pair is skipped')
  // the sidecar is readable as documented: one line per message, Message-ID beside the labels
  const lines = readFileSync(join(w.b, 'all', '.mailsync-labels'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'))
  assert.deepEqual(lines.map((l) => l.split('\t').slice(1)).sort(), [['<m1@test>', '\\Inbox'], ['<m2@test>', 'Lists/Debian', 'Work'], ['<m3@test>', 'My Label', 'Urgent']])
})

test('ignorelabels: an ignored label is neither copied nor synced; labelsheader is accepted with a warning and no header is written', async () => {
  const w = world({ account: 'synclabels = yes\nignorelabels = \\Important\nlabelsheader = X-Keywords\n' })
  await put(w.a, 'm1', ['Work', '\\Important'])
  await put(w.a, 'm2', ['Work'])
  const first = await run(w)
  assert.equal(first.result.exitCode, 0)
  assert.ok(first.warnings.some((m) => /labelsheader = X-Keywords is accepted but no header is written/.test(m)), first.warnings.join('\n'))
  assert.deepEqual(await labelsOf(w.b), { '<m1@test>': ['Work'], '<m2@test>': ['Work'] })
  assert.deepEqual(labelBases(w), [['Work'], ['Work']])
  // B takes \Important on for m2 and A takes it off m1: neither change travels
  await relabel(w.b, 'm2', ['\\Important'], [])
  await relabel(w.a, 'm1', [], ['\\Important'])
  await relabel(w.b, 'm1', ['\\Important'], [])
  const second = await run(w)
  assert.equal(second.result.exitCode, 0)
  assert.equal(second.events.filter((e) => e.type === 'labels-changed').length, 0)
  assert.deepEqual(await labelsOf(w.a), { '<m1@test>': ['Work'], '<m2@test>': ['Work'] })
  assert.deepEqual(await labelsOf(w.b), { '<m1@test>': ['Work', '\\Important'], '<m2@test>': ['Work', '\\Important'] })
  assert.deepEqual(labelBases(w), [['Work'], ['Work']])
  for (const root of [w.a, w.b]) {
    for (const f of files(root)) assert.doesNotMatch(readFileSync(join(root, f.split(' ')[0]!), 'utf8'), /X-Keywords/i)
  }
})

test('sync without synclabels moves no label; the records keep no label base', async () => {
  const w = world()
  await put(w.a, 'm1', ['Work'])
  assert.equal((await run(w)).result.exitCode, 0)
  assert.deepEqual(await labelsOf(w.b), { '<m1@test>': [] })
  assert.deepEqual(labelBases(w), [undefined])
})

test('backup from a labels-keeping Maildir into a plain Maildir keeps the labels (the jobs layer makes it keep them)', async () => {
  const w = world({ typeB: 'Maildir' })
  await put(w.a, 'm1', ['Work', 'My Label'])
  await put(w.a, 'm2', [])
  const first = await run(w, 'backup')
  assert.equal(first.result.exitCode, 0)
  assert.deepEqual(await labelsOf(w.b), { '<m1@test>': ['My Label', 'Work'], '<m2@test>': [] })
  // the server side relabels: the backup follows, without a copy
  await relabel(w.a, 'm2', ['Home'], [])
  const before = files(w.b)
  const second = await run(w, 'backup')
  assert.equal(second.result.counts.copiedAtoB, 0)
  assert.deepEqual(files(w.b), before)
  assert.deepEqual(await labelsOf(w.b), { '<m1@test>': ['My Label', 'Work'], '<m2@test>': ['Home'] })
})

/** Labels by Message-ID on both sides, and how many files each Message-ID has (never two). */
async function labelState(w: World) {
  const count = async (root: string) => {
    const s = await store(root).openFolder('all', { readOnly: true })
    try {
      const n: Record<string, number> = {}
      for (const m of (await s.list({ withMessageId: true })).messages) n[m.messageId!] = (n[m.messageId!] ?? 0) + 1
      return n
    } finally {
      await s.close()
    }
  }
  return { a: await labelsOf(w.a), b: await labelsOf(w.b), filesA: await count(w.a), filesB: await count(w.b) }
}

/** A synced pair, then relabels on both sides and a new labelled message on each. */
async function changedWorld(): Promise<World> {
  const w = world({ account: 'synclabels = yes\n' })
  await put(w.a, 'm1', ['Work', '\\Inbox'])
  await put(w.a, 'm2', ['Lists/Debian'])
  await put(w.b, 'm3', ['Home'])
  assert.equal((await run(w)).result.exitCode, 0)
  await relabel(w.a, 'm1', ['Done'], ['\\Inbox'])
  await relabel(w.b, 'm2', ['Lists/Debian/Archive'], ['Lists/Debian'])
  await relabel(w.b, 'm3', ['Urgent'], [])
  await put(w.a, 'm4', ['New on A'])
  await put(w.b, 'm5', ['New on B'])
  return w
}

test('labels sync killed after each side effect and resumed: ends like an uninterrupted run, no label lost or doubled', async () => {
  const ref = await changedWorld()
  const full = runJobChild(ref.config, 'sync')
  assert.equal(full.exitCode, 0)
  const expected = await labelState(ref)
  assert.deepEqual(expected.a, {
    '<m1@test>': ['Done', 'Work'], '<m2@test>': ['Lists/Debian/Archive'], '<m3@test>': ['Home', 'Urgent'], '<m4@test>': ['New on A'], '<m5@test>': ['New on B'],
  })
  assert.deepEqual(expected.b, expected.a)
  const steps = full.sideEffects!
  assert.ok(steps >= 5, `expected several side effects, got ${steps}`)
  if (process.env.SHOW_STEPS) console.log(`side effects: ${steps}`)
  for (let n = 1; n <= steps; n++) {
    const w = await changedWorld()
    const killed = runJobChild(w.config, 'sync', n)
    assert.equal(killed.exitCode, undefined, `run ${n} should have been killed`)
    const resumed = runJobChild(w.config, 'sync')
    assert.equal(resumed.exitCode, 0, `resume after kill ${n}: ${JSON.stringify(resumed)}`)
    assert.deepEqual(await labelState(w), expected, `state after kill at side effect ${n}`)
  }
})

test('deletion guard: a mass label removal is held back like a mass deletion, said so, planned again next run, and goes with --force', async () => {
  const w = world({ account: 'synclabels = yes\n' })
  const ids = Array.from({ length: 30 }, (_, i) => `g${i}`)
  for (const id of ids) await put(w.a, id, ['Work'])
  assert.equal((await run(w)).result.exitCode, 0)
  // Work taken off 10 of 30 messages on A: more than 25% (7) of B's folder would lose a label
  for (const id of ids.slice(0, 10)) await relabel(w.a, id, [], ['Work'])
  const held = await run(w)
  assert.notEqual(held.result.exitCode, 0)
  assert.ok(held.events.some((e) => e.type === 'error' && e.kind === 'guard' && /0 deletions and 10 label removals on side B exceed the limit of 7/.test(e.message)), JSON.stringify(held.result.errors))
  const b = await labelsOf(w.b)
  assert.equal(Object.values(b).filter((l) => l?.includes('Work')).length, 30, 'no label removed on B')
  // the label base did not move: the next run holds the same removals back again
  const again = await run(w)
  assert.ok(again.events.some((e) => e.type === 'error' && e.kind === 'guard'))
  const config = await loadConfig({ path: w.config })
  const forced = await runJob({ policy: 'sync', config, accounts: accountsToSync(config), dryRun: false, force: true }, () => undefined)
  assert.equal(forced.exitCode, 0)
  const afterForce = await labelsOf(w.b)
  assert.equal(Object.values(afterForce).filter((l) => l?.includes('Work')).length, 20)
  assert.deepEqual(await labelsOf(w.a), afterForce)
})

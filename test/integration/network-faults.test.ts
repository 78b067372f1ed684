// Network faults between mailsync and a real Dovecot, through a loopback proxy: a connection
// dropped after K bytes (either way), stalled after K bytes, connections refused for a while.
// For each of backup, sync, restore and migrate, over several K: the run resumes the folder on a
// new connection and completes, with exactly the expected messages (none lost, none twice); a
// run the faults outlast stops with a network error, counts what the server really took, and
// the next run completes exactly. FAULT_SEEDS=N runs N values of K per command instead of 4.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDovecot, type DovecotInstance } from '../support/dovecot.js'
import { loggedRepo } from '../support/imap-folder-session.js'
import { startFaultProxy, type FaultProxy, type Fault } from '../support/fault-proxy.js'
import { SeededRandom } from '../support/seeded-random.js'
import { loadConfig, accountsToSync } from '../../src/config/index.js'
import { runJob, type JobResult } from '../../src/jobs/run-job.js'
import type { EngineEvent } from '../../src/engine/events.js'
import { MailsyncError } from '../../src/errors.js'

const FOLDERS = ['INBOX', 'Archive']
const PER_FOLDER = 150
const SEEDS = Number(process.env.FAULT_SEEDS ?? 4)

let d: DovecotInstance
let proxy: FaultProxy
let root: string
let runs = 0

before(async () => {
  d = await startDovecot({ users: ['src', 'mg', 'sy', 'cnt', ...Array.from({ length: SEEDS }, (_, i) => `rs${i}`)], separator: '/' })
  proxy = await startFaultProxy(d.port)
  root = mkdtempSync(join(tmpdir(), 'mailsync-faults-'))
  await seed('src', FOLDERS, PER_FOLDER, 'src')
})
after(async () => {
  await proxy?.close()
  await d?.stop()
  if (root && !process.env.KEEP) rmSync(root, { recursive: true, force: true })
})

function message(tag: string, i: number, size: number): Buffer {
  const line = `${tag} line of message ${i} `.padEnd(76, '.') + '\r\n'
  return Buffer.from(`From: a@example.org\r\nTo: b@example.org\r\nMessage-ID: <${tag}-${i}@faults.test>\r\nSubject: ${tag} ${i}\r\n\r\n${line.repeat(Math.ceil(size / line.length))}`)
}

/** `n` messages of 1-7 KB per folder, Message-IDs `<tag-i@faults.test>`. */
async function seed(user: string, folders: string[], n: number, tag: string): Promise<void> {
  const rng = new SeededRandom(tag.length * 7919 + n)
  const rnd = (): number => rng.next()
  const repo = loggedRepo(d, user, [])
  try {
    let i = 0
    for (const folder of folders) {
      if (folder !== 'INBOX') await repo.createFolder(folder).catch(() => undefined)
      const s = await repo.openFolder(folder)
      for (let k = 0; k < n; k++) {
        const m = message(`${tag}-${folder}`, i++, 1024 + Math.floor(rnd() * 6 * 1024))
        await s.append({ content: m, size: m.length, flags: k % 3 === 0 ? ['\\Seen'] : [], internalDate: Date.UTC(2024, 0, 1) + i * 60_000 })
      }
      await s.close()
    }
  } finally {
    await repo.close()
  }
}

/** Message-IDs per folder on the server (direct, not through the proxy). */
async function serverIds(user: string): Promise<Record<string, string[]>> {
  const repo = loggedRepo(d, user, [])
  try {
    const out: Record<string, string[]> = {}
    for (const f of await repo.listFolders()) {
      if (!f.selectable) continue
      const s = await repo.openFolder(f.name, { readOnly: true })
      const ms = (await s.list({ withMessageId: true })).messages
      await s.close()
      if (ms.length) out[f.name] = ms.map((m) => m.messageId ?? '?').sort()
    }
    return out
  } finally {
    await repo.close()
  }
}

/** Message-IDs per folder in a Maildir (files in cur/ and new/). */
function maildirIds(dir: string): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const folder of readdirSync(dir)) {
    const ids: string[] = []
    for (const sub of ['cur', 'new']) {
      const p = join(dir, folder, sub)
      if (!existsSync(p)) continue
      for (const f of readdirSync(p)) ids.push(/^Message-ID: (.*)$/m.exec(readFileSync(join(p, f), 'latin1').replaceAll('\r', ''))?.[1] ?? '?')
    }
    if (ids.length) out[folder] = ids.sort()
  }
  return out
}

function rc(name: string, o: { user: string; maildir?: string; newUser?: string; socktimeout?: number }): string {
  const imap = (section: string, user: string) => [
    `[Repository ${section}]`, 'type = IMAP', 'remotehost = 127.0.0.1', `remoteport = ${proxy.port}`, `remoteuser = ${user}`, `remotepass = ${d.password}`, 'ssl = no', 'starttls = no', '',
  ]
  const lines = ['[general]', `metadata = ${join(root, `${name}-state`)}`, `socktimeout = ${o.socktimeout ?? 2}`, '',
    '[Account t]', `localrepository = ${o.newUser ? 'N' : 'L'}`, 'remoterepository = R', '',
    ...imap('R', o.user),
    ...(o.newUser ? imap('N', o.newUser) : ['[Repository L]', 'type = Maildir', `localfolders = ${o.maildir}`, '']),
  ]
  const file = join(root, `${name}.rc`)
  writeFileSync(file, lines.join('\n'))
  return file
}

async function mailsync(rcFile: string, policy: 'sync' | 'backup' | 'restore' | 'migrate', events: EngineEvent[] = []): Promise<JobResult> {
  runs++
  const config = await loadConfig({ path: rcFile })
  return runJob({ policy, config, accounts: accountsToSync(config), dryRun: false }, (e) => events.push(e))
}

/** K values spread over a transfer of `total` bytes, the same every run. */
function seeds(total: number, salt: number): number[] {
  const rng = new SeededRandom(salt)
  const rnd = (): number => rng.next()
  return Array.from({ length: SEEDS }, (_, i) => Math.floor(total * (i + rnd()) / SEEDS * 0.9) + 200)
}

const totalIds = (x: Record<string, string[]>): number => Object.values(x).reduce((n, v) => n + v.length, 0)
const FAULTS: Omit<Fault, 'afterBytes'>[] = [{ kind: 'drop', direction: 'down' }, { kind: 'drop', direction: 'up' }, { kind: 'stall', direction: 'down' }, { kind: 'drop', direction: 'down' }]

/** A run with `fault` armed: it must complete, having resumed the folder the fault hit. */
async function faultedRun(rcFile: string, policy: 'sync' | 'backup' | 'restore' | 'migrate', fault: Fault): Promise<JobResult> {
  proxy.arm(fault)
  const fired = proxy.fired
  const events: EngineEvent[] = []
  try {
    const r = await mailsync(rcFile, policy, events)
    const what = `${fault.kind} ${fault.direction} after ${fault.afterBytes} bytes`
    assert.equal(r.exitCode, 0, `${policy} with ${what}: ${JSON.stringify(r.errors)}`)
    if (proxy.fired > fired) {
      assert.ok(events.some((e) => e.type === 'warning' && /resuming in|trying again in/.test(e.message)), `${what}: the run reconnected and said so`)
    }
    return r
  } finally {
    proxy.disarm()
  }
}

test('backup: a dropped or stalled connection is resumed; the Maildir ends with exactly the server\'s messages', async () => {
  const want = await serverIds('src')
  let hit = 0
  for (const [i, k] of seeds(PER_FOLDER * FOLDERS.length * 4500, 1).entries()) {
    const maildir = join(root, `bk-${i}`)
    const file = rc(`bk-${i}`, { user: 'src', maildir })
    const before = proxy.fired
    const f = FAULTS[i % FAULTS.length]!
    // a backup sends little (commands): an upward fault comes within its first 1.5 KB
    await faultedRun(file, 'backup', { ...f, afterBytes: f.direction === 'up' ? 100 + (k % 1500) : k })
    if (proxy.fired > before) hit++
    assert.deepEqual(maildirIds(maildir), want, `K=${k}: nothing lost, nothing twice`)
    const again = await mailsync(file, 'backup')
    assert.deepEqual([again.exitCode, again.counts.copiedAtoB], [0, 0], `K=${k}: the next run has nothing left to do`)
  }
  assert.equal(hit, SEEDS, 'every fault hit the transfer')
})

test('restore: uploads cut short are resumed without a duplicate on the server', async () => {
  const maildir = join(root, 'rs-src')
  assert.equal((await mailsync(rc('rs-fill', { user: 'src', maildir }), 'backup')).exitCode, 0)
  const want = await serverIds('src')
  for (const [i, k] of seeds(PER_FOLDER * FOLDERS.length * 4500, 2).entries()) {
    const user = `rs${i}`
    const file = rc(`rs-${i}`, { user, maildir })
    await faultedRun(file, 'restore', { kind: i % 2 ? 'stall' : 'drop', direction: 'up', afterBytes: k })
    assert.deepEqual(await serverIds(user), want, `K=${k}: each message once on the server`)
  }
})

test('migrate: faults on the way out or in are resumed; the new account ends exact', async () => {
  const want = await serverIds('src')
  const file = rc('mg', { user: 'src', newUser: 'mg' })
  // one run per fault, over the same migration: each resumes where the last stopped
  for (const [i, k] of seeds(PER_FOLDER * FOLDERS.length * 4500, 3).entries()) {
    await faultedRun(file, 'migrate', { ...FAULTS[(i + 1) % FAULTS.length]!, afterBytes: Math.floor(k / SEEDS) + 200 })
  }
  await mailsync(file, 'migrate')
  assert.deepEqual(await serverIds('mg'), want)
})

test('sync: changes on both sides travel once through dropped connections', async () => {
  await seed('sy', ['INBOX'], 60, 'sy')
  const maildir = join(root, 'sy-mail')
  const file = rc('sy', { user: 'sy', maildir })
  assert.equal((await mailsync(file, 'sync')).exitCode, 0)
  for (const [i, k] of seeds(40 * 4500, 4).entries()) {
    // 20 new on the server, 20 new in the Maildir, then a faulted sync
    await seed('sy', ['INBOX'], 20, `sy-s${i}`)
    const cur = join(maildir, 'INBOX', 'cur')
    for (let n = 0; n < 20; n++) writeFileSync(join(cur, `17000${i}${n}.M${n}P9.host:2,S`), message(`sy-l${i}`, n, 3000).toString('latin1').replaceAll('\r\n', '\n'))
    await faultedRun(file, 'sync', { kind: 'drop', direction: i % 2 ? 'up' : 'down', afterBytes: k })
    const server = await serverIds('sy')
    assert.deepEqual(maildirIds(maildir), server, `K=${k}: both sides hold the same messages`)
    assert.equal(totalIds(server), 60 + (i + 1) * 40, `K=${k}: each message once`)
  }
})

test('connections refused for a while: the run waits and goes on; refused for good: a network error (69)', async () => {
  const maildir = join(root, 'ref-mail')
  const file = rc('ref', { user: 'src', maildir })
  await proxy.refuse(2500)
  const r = await mailsync(file, 'backup')
  assert.equal(r.exitCode, 0, JSON.stringify(r.errors))
  assert.deepEqual(maildirIds(maildir), await serverIds('src'))

  await proxy.refuse()
  try {
    await assert.rejects(mailsync(rc('ref2', { user: 'src', maildir: join(root, 'ref2-mail') }), 'backup'), (e: unknown) => {
      assert.ok(e instanceof MailsyncError)
      assert.equal(e.kind, 'network')
      assert.equal(e.exitCode, 69)
      assert.match(e.message, /ECONNREFUSED/)
      return true
    })
  } finally {
    await proxy.accept()
  }
})

test('a run the faults outlast fails with a network error, counts what the server took, and the next run completes exactly', async () => {
  // 600 messages (~2.7 MB) in one Maildir folder, more than four cut-short attempts can upload
  const maildir = join(root, 'cnt-src')
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(maildir, 'INBOX', sub), { recursive: true })
  for (let n = 0; n < 600; n++) writeFileSync(join(maildir, 'INBOX', 'cur', `1700${n}.M${n}P7.host:2,S`), message('cnt', n, 4500).toString('latin1').replaceAll('\r\n', '\n'))
  const file = rc('cnt', { user: 'cnt', maildir })
  // every upload connection is cut after ~300 KB, more often than the folder is retried
  proxy.arm({ kind: 'drop', direction: 'up', afterBytes: 300_000, times: 50 })
  let r: JobResult
  try {
    r = await mailsync(file, 'restore')
  } finally {
    proxy.disarm()
  }
  assert.equal(r.exitCode, 69, JSON.stringify(r.errors))
  assert.ok(r.errors.some((e) => e.kind === 'network' && e.folder === 'INBOX'), JSON.stringify(r.errors))
  const onServer = totalIds(await serverIds('cnt'))
  assert.ok(onServer > 0 && onServer < 600, `part of the upload landed (${onServer})`)
  assert.equal(r.counts.copiedBtoA, onServer, 'the summary counts every message the server took, also in a folder that failed')
  const next = await mailsync(file, 'restore')
  assert.equal(next.exitCode, 0)
  assert.deepEqual(await serverIds('cnt'), maildirIds(maildir))
  assert.equal(totalIds(await serverIds('cnt')), 600)
  process.stdout.write(`# fault runs: ${runs} mailsync runs, ${proxy.fired} faults fired, ${proxy.connections} connections through the proxy\n`)
})

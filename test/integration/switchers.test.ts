// Switching from OfflineIMAP or mbsync: the real tools (Debian's offlineimap3 and isync) fill a
// Maildir from a real Dovecot, then mailsync takes it over with the same config. Its first sync
// must copy nothing, double no folder and leave both counts as they were; then changes on both
// sides travel exactly once; and the old tool still runs cleanly on the Maildir afterwards.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, existsSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDovecot, type DovecotInstance } from '../support/dovecot.js'
import { loggedRepo } from '../support/imap-folder-session.js'
import { ensurePeerTools, mbsyncrc, offlineimaprc, runMbsync, runOfflineimap, writeRc } from '../support/peer-tools.js'
import { loadConfig, accountsToSync } from '../../src/config/index.js'
import { runJob, type JobResult } from '../../src/jobs/run-job.js'
import { bodyBytes } from '../support/message-body.js'
import { collectLiveInfo } from '../../src/cli/info-live.js'
import { renderRepositoryLive } from '../../src/cli/render-info-live.js'

const FOLDERS = ['INBOX', 'Archive/2023', 'Entwürfe & Notizen', '日本語/受信']

let d: DovecotInstance
let root: string

before(async () => {
  ensurePeerTools()
  d = await startDovecot({ users: ['oi', 'mb', 'rt', 'rt2', 'ob', 'or', 'gd'], separator: '/' })
  root = mkdtempSync(join(tmpdir(), 'mailsync-switch-'))
  for (const user of ['oi', 'mb', 'ob', 'or']) await seed(user)
})
after(async () => {
  await d?.stop()
  if (root && !process.env.KEEP) rmSync(root, { recursive: true, force: true })
})

function message(i: number, o: { id?: string | null; body?: string } = {}): Buffer {
  const id = o.id === null ? '' : `Message-ID: <${o.id ?? `m${i}`}@switch.test>\r\n`
  return Buffer.from(`From: a@example.org\r\nTo: b@example.org\r\n${id}Subject: message ${i}\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\n${o.body ?? `body of ${i}`}\r\nsecond line\r\n`)
}

/** ~30 messages over four folders (nested, non-ASCII with "&", CJK): flags, no Message-ID, a shared Message-ID, a 3 MiB message. */
async function seed(user: string): Promise<void> {
  const repo = loggedRepo(d, user, [])
  try {
    let i = 0
    for (const folder of FOLDERS) {
      if (folder !== 'INBOX') await repo.createFolder(folder)
      const s = await repo.openFolder(folder)
      for (let n = 0; n < 6; n++) {
        i++
        const flags = [[], ['\\Seen'], ['\\Seen', '\\Flagged'], ['\\Answered', '\\Seen'], ['$Forwarded'], []][n]!
        const m = n === 5 && folder === 'INBOX' ? message(i, { id: null }) : n === 4 && folder === 'INBOX' ? message(i, { id: 'm1' }) : message(i)
        await s.append({ content: m, size: m.length, flags, internalDate: Date.UTC(2024, 0, 1, 10, i) })
      }
      if (folder === 'Archive/2023') {
        const line = 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3\r\n'
        const big = message(999, { body: line.repeat(Math.ceil((3 * 1024 * 1024) / line.length)) })
        await s.append({ content: big, size: big.length, flags: ['\\Seen'], internalDate: Date.UTC(2024, 0, 2) })
      }
      await s.close()
    }
  } finally {
    await repo.close()
  }
}

/** Messages per folder on the server. */
async function serverCounts(user: string): Promise<Record<string, number>> {
  const repo = loggedRepo(d, user, [])
  try {
    const out: Record<string, number> = {}
    for (const f of await repo.listFolders()) {
      if (!f.selectable) continue
      const s = await repo.openFolder(f.name, { readOnly: true })
      out[f.name] = (await s.list()).messages.length
      await s.close()
    }
    return out
  } finally {
    await repo.close()
  }
}

/** Message files per folder directory (path below the root as spelled on disk). */
function maildirCounts(dir: string): Record<string, number> {
  const out: Record<string, number> = {}
  const walk = (path: string, rel: string): void => {
    if (existsSync(join(path, 'cur')) && existsSync(join(path, 'new'))) {
      out[rel] = readdirSync(join(path, 'cur')).length + readdirSync(join(path, 'new')).length
    }
    for (const e of readdirSync(path)) {
      if (['cur', 'new', 'tmp'].includes(e) || !statSync(join(path, e)).isDirectory()) continue
      walk(join(path, e), rel ? `${rel}/${e}` : e)
    }
  }
  walk(dir, '')
  return out
}

async function mailsync(rcFile: string, policy: 'sync' | 'backup' | 'restore' = 'sync', imapLog?: string[], o: { dryRun?: boolean; force?: boolean } = {}): Promise<JobResult> {
  const config = await loadConfig({ path: rcFile })
  return runJob({ policy, config, accounts: accountsToSync(config), dryRun: o.dryRun ?? false, force: o.force, imapLogger: imapLog ? (l) => imapLog.push(l) : undefined }, () => undefined)
}

test('first-sync guard: two full stores that match in nothing are not merged without --force; --dry-run shows it', async () => {
  const maildir = join(root, 'gd-mail')
  const inboxDir = join(maildir, 'INBOX')
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(inboxDir, sub), { recursive: true })
  for (let i = 0; i < 12; i++) writeFileSync(join(inboxDir, 'cur', `17000000${i}.M${i}P1.host:2,S`), message(800 + i, { id: `local-${i}` }).toString('latin1').replaceAll('\r\n', '\n'))
  await seedFolder('gd', Array.from({ length: 12 }, (_, i) => message(900 + i, { id: `server-${i}` })))
  const rcFile = writeRc(root, 'gd.rc', [
    '[general]', `metadata = ${join(root, 'gd-state')}`, '', '[Account t]', 'localrepository = L', 'remoterepository = R', '',
    '[Repository R]', 'type = IMAP', 'remotehost = 127.0.0.1', `remoteport = ${d.port}`, 'remoteuser = gd', `remotepass = ${d.password}`, 'ssl = no', 'starttls = no', '',
    '[Repository L]', 'type = Maildir', `localfolders = ${maildir}`, '',
  ].join('\n'))
  const guardOf = (r: JobResult) => r.errors.filter((e) => e.kind === 'guard' && e.folder === 'INBOX').map((e) => e.message)
  const dry = await mailsync(rcFile, 'sync', undefined, { dryRun: true })
  assert.match(guardOf(dry)[0] ?? '', /first-sync guard: this first sync would copy 12 messages A->B and 12 B->A.*--force/)
  const held = await mailsync(rcFile)
  assert.equal(held.exitCode, 75, 'the guard leaves the folder for the user to decide')
  assert.equal(guardOf(held).length, 1)
  assert.deepEqual([held.counts.copiedAtoB, held.counts.copiedBtoA], [0, 0])
  assert.equal((await serverCounts('gd')).INBOX, 12)
  assert.equal(maildirCounts(maildir).INBOX, 12)
  const forced = await mailsync(rcFile, 'sync', undefined, { force: true })
  assert.equal(forced.exitCode, 0, JSON.stringify(forced.errors))
  assert.deepEqual([forced.counts.copiedAtoB, forced.counts.copiedBtoA], [12, 12])
  assert.equal((await serverCounts('gd')).INBOX, 24)
  assert.equal(maildirCounts(maildir).INBOX, 24)
})

/** Commands that asked the server for message bodies. */
const bodyFetches = (log: string[]): string[] => log.filter((l) => / C: \S+ UID FETCH .*BODY(\.PEEK)?\[\]/.test(l))

const total = (c: Record<string, number>): number => Object.values(c).reduce((n, x) => n + x, 0)

/** Marks one message file of a folder directory \Flagged (as a mail reader does: a rename). */
function flagOneLocally(folderDir: string): void {
  const cur = join(folderDir, 'cur')
  const name = readdirSync(cur).find((n) => /:2,[A-Z]*$/.test(n) && !/:2,.*F/.test(n))!
  const [base, letters] = name.split(':2,') as [string, string]
  renameSync(join(cur, name), join(cur, `${base}:2,${[...letters, 'F'].sort().join('')}`))
}

async function flaggedOnServer(user: string, folder: string): Promise<number> {
  const repo = loggedRepo(d, user, [])
  try {
    const s = await repo.openFolder(folder, { readOnly: true })
    const n = (await s.list()).messages.filter((m) => m.flags.includes('\\Flagged')).length
    await s.close()
    return n
  } finally {
    await repo.close()
  }
}

async function appendOnServer(user: string, folder: string, m: Buffer): Promise<void> {
  const repo = loggedRepo(d, user, [])
  try {
    const s = await repo.openFolder(folder)
    await s.append({ content: m, size: m.length, flags: [], internalDate: Date.now() })
    await s.close()
  } finally {
    await repo.close()
  }
}

async function takeOver(o: { user: string; maildir: string; rcFile: string; flagIn: string; runOld: () => Promise<{ code: number | null; timedOut: boolean; stderr: string }>; bodies: number }): Promise<void> {
  const serverBefore = await serverCounts(o.user)
  const localBefore = maildirCounts(o.maildir)
  assert.equal(total(serverBefore), 25)
  assert.equal(total(localBefore), 25, `the old tool filled the Maildir: ${JSON.stringify(localBefore)}`)

  const log: string[] = []
  const first = await mailsync(o.rcFile, 'sync', log)
  assert.equal(first.exitCode, 0, JSON.stringify(first.errors))
  assert.equal(bodyFetches(log).length, o.bodies, `body fetches: ${bodyFetches(log).join('\n')}`)
  assert.deepEqual([first.counts.copiedAtoB, first.counts.copiedBtoA], [0, 0], 'nothing copied either way')
  assert.equal(first.counts.adopted, 25, 'every message paired by content')
  assert.deepEqual(await serverCounts(o.user), serverBefore, 'no message and no folder added on the server')
  assert.deepEqual(maildirCounts(o.maildir), localBefore, 'no message and no folder (no decoded twin) added in the Maildir')

  // changes on both sides travel exactly once
  const flaggedBefore = await flaggedOnServer(o.user, 'INBOX')
  flagOneLocally(join(o.maildir, o.flagIn))
  await appendOnServer(o.user, 'Entwürfe & Notizen', message(500, { id: 'new-after-switch' }))
  const second = await mailsync(o.rcFile)
  assert.equal(second.exitCode, 0, JSON.stringify(second.errors))
  assert.deepEqual([second.counts.copiedAtoB, second.counts.copiedBtoA, second.counts.flagsBtoA], [1, 0, 1])
  assert.equal(await flaggedOnServer(o.user, 'INBOX'), flaggedBefore + 1)
  const after = maildirCounts(o.maildir)
  assert.equal(total(after), 26)
  assert.deepEqual(Object.keys(after).sort(), Object.keys(localBefore).sort(), 'the new message went into the existing folder directory')
  const third = await mailsync(o.rcFile)
  assert.deepEqual([third.exitCode, third.counts.copiedAtoB, third.counts.copiedBtoA, third.counts.flagsAtoB, third.counts.flagsBtoA], [0, 0, 0, 0, 0])

  // going back: the old tool still runs on the Maildir, and nothing is lost
  const back = await o.runOld()
  assert.equal(back.timedOut, false, 'the old tool finished')
  assert.equal(back.code, 0, back.stderr)
  assert.ok(total(await serverCounts(o.user)) >= 26)
  assert.ok(total(maildirCounts(o.maildir)) >= 26)
}

test('an OfflineIMAP Maildir (LF files, modified UTF-7 names, "." hierarchy) is taken over with the same offlineimaprc: nothing doubled', async () => {
  const maildir = join(root, 'oi-mail')
  const rcFile = writeRc(root, 'offlineimaprc', offlineimaprc({ dovecot: d, user: 'oi', localfolders: maildir, metadata: join(root, 'oi-meta') }))
  const made = await runOfflineimap(rcFile)
  assert.equal(made.code, 0, made.stderr)
  assert.ok(existsSync(join(maildir, 'Entw&APw-rfe &- Notizen', 'cur')), `OfflineIMAP spells names in modified UTF-7: ${readdirSync(maildir).join(', ')}`)
  const inbox = readdirSync(join(maildir, 'INBOX', 'cur'))
  assert.ok(inbox.every((n) => /,U=\d+,FMD5=[0-9a-f]{32}:2,/.test(n)), inbox.join(' '))
  // info says which directory each name is, before anything is synced
  const config = await loadConfig({ path: rcFile })
  const live = await collectLiveInfo(config, [], accountsToSync(config), { offline: true })
  const local = live.repositories.find((r) => r.type === 'Maildir')!
  const spelled = new Map(local.folders!.map((f) => [f.name, f.diskName]))
  assert.equal(spelled.get('Entwürfe & Notizen'), 'Entw&APw-rfe &- Notizen')
  assert.equal(spelled.get('日本語.受信'), '&ZeVnLIqe-.&U9dP4Q-')
  assert.equal(spelled.get('INBOX'), undefined)
  assert.ok(renderRepositoryLive(local, true).includes('    Entwürfe & Notizen  ->  Entw&APw-rfe &- Notizen'))
  await takeOver({ user: 'oi', maildir, rcFile, flagIn: 'INBOX', runOld: () => runOfflineimap(rcFile), bodies: 0 })
})

test('an mbsync Maildir (SubFolders Verbatim) is taken over by a config naming the same Maildir: nothing doubled', async () => {
  const maildir = join(root, 'mb-mail')
  mkdirSync(maildir)
  const rcFile = writeRc(root, 'mbsyncrc', mbsyncrc({ dovecot: d, user: 'mb', maildir }))
  const made = await runMbsync(rcFile)
  assert.equal(made.code, 0, made.stderr)
  assert.ok(existsSync(join(maildir, 'INBOX', '.mbsyncstate')) || existsSync(join(maildir, 'INBOX', '.uidvalidity')), 'mbsync keeps its state in the folder')
  const config = writeRc(root, 'mailsync-mb.rc', [
    '[general]', `metadata = ${join(root, 'mb-state')}`, '', '[Account t]', 'localrepository = L', 'remoterepository = R', '',
    '[Repository R]', 'type = IMAP', 'remotehost = 127.0.0.1', `remoteport = ${d.port}`, 'remoteuser = mb', `remotepass = ${d.password}`, 'ssl = no', 'starttls = no', '',
    '[Repository L]', 'type = Maildir', `localfolders = ${maildir}`, 'sep = /', '',
  ].join('\n'))
  await takeOver({ user: 'mb', maildir, rcFile: config, flagIn: 'INBOX', runOld: () => runMbsync(rcFile), bodies: 0 })
})

test('backup into an existing OfflineIMAP Maildir adopts everything from its state: no body fetched, nothing doubled', async () => {
  const maildir = join(root, 'ob-mail')
  const rcFile = writeRc(root, 'ob.rc', offlineimaprc({ dovecot: d, user: 'ob', localfolders: maildir, metadata: join(root, 'ob-meta') }))
  assert.equal((await runOfflineimap(rcFile)).code, 0)
  const before = maildirCounts(maildir)
  const log: string[] = []
  const r = await mailsync(rcFile, 'backup', log)
  assert.equal(r.exitCode, 0, JSON.stringify(r.errors))
  assert.deepEqual([r.counts.copiedAtoB, r.counts.copiedBtoA, r.counts.adopted], [0, 0, 25])
  assert.deepEqual(bodyFetches(log), [], 'OfflineIMAP\'s U=/FMD5= names and FolderValidity pair every message')
  assert.deepEqual(maildirCounts(maildir), before)
  await appendOnServer('ob', 'INBOX', message(600, { id: 'after-switch-backup' }))
  const next = await mailsync(rcFile, 'backup')
  assert.deepEqual([next.exitCode, next.counts.copiedAtoB], [0, 1])
  assert.equal(total(maildirCounts(maildir)), 26)
})

test('restore from an OfflineIMAP Maildir to a server that already holds its mail, without the old state: paired by content, nothing uploaded', async () => {
  const maildir = join(root, 'or-mail')
  const rcFile = writeRc(root, 'or.rc', offlineimaprc({ dovecot: d, user: 'or', localfolders: maildir, metadata: join(root, 'or-meta') }))
  assert.equal((await runOfflineimap(rcFile)).code, 0)
  // mailsync's own state elsewhere, and OfflineIMAP's gone: nothing but the messages to go by
  rmSync(join(root, 'or-meta'), { recursive: true, force: true })
  const serverBefore = await serverCounts('or')
  const r = await mailsync(rcFile, 'restore')
  assert.equal(r.exitCode, 0, JSON.stringify(r.errors))
  assert.deepEqual([r.counts.copiedAtoB, r.counts.copiedBtoA, r.counts.adopted], [0, 0, 25])
  assert.deepEqual(await serverCounts('or'), serverBefore, 'no message uploaded twice, no folder made from an mUTF-7 spelling')
  flagOneLocally(join(maildir, 'INBOX'))
  const local = join(maildir, 'INBOX', 'new')
  const extra = message(700, { id: 'local-only' }).toString('latin1').replaceAll('\r\n', '\n')
  writeFileSync(join(local, '1700000000.M1P1.host'), extra)
  const next = await mailsync(rcFile, 'restore')
  assert.deepEqual([next.exitCode, next.counts.copiedBtoA], [0, 1])
  assert.equal(total(await serverCounts('or')), total(serverBefore) + 1)
})

test('round trip: server -> Maildir (LF files) -> restore to an empty server gives the original bytes', async () => {
  const maildir = join(root, 'rt-mail')
  const original = [message(1), message(2, { id: null }), message(3, { body: 'x'.repeat(70) + '\r\n' + 'é'.repeat(10) })]
  await seedFolder('rt', original)
  const rc = (user: string) => writeRc(root, `rt-${user}.rc`, [
    '[general]', `metadata = ${join(root, `rt-state-${user}`)}`, '', '[Account t]', 'localrepository = L', 'remoterepository = R', '',
    '[Repository R]', 'type = IMAP', 'remotehost = 127.0.0.1', `remoteport = ${d.port}`, `remoteuser = ${user}`, `remotepass = ${d.password}`, 'ssl = no', 'starttls = no', '',
    '[Repository L]', 'type = Maildir', `localfolders = ${maildir}`, '',
  ].join('\n'))
  assert.equal((await mailsync(rc('rt'), 'backup')).exitCode, 0)
  const cur = join(maildir, 'INBOX', 'cur')
  const files = readdirSync(cur)
  assert.equal(files.length, 3)
  for (const f of files) assert.ok(!readFileSync(join(cur, f)).includes(0x0d), `${f} holds LF line endings`)
  const restored = await mailsync(rc('rt2'), 'restore')
  assert.equal(restored.exitCode, 0, JSON.stringify(restored.errors))
  assert.equal(restored.counts.copiedBtoA, 3)
  const back = await readFolder('rt2')
  assert.deepEqual(back.map((b) => b.toString('latin1')).sort(), original.map((b) => b.toString('latin1')).sort(), 'byte for byte the server\'s original messages')
})

async function seedFolder(user: string, msgs: Buffer[]): Promise<void> {
  const repo = loggedRepo(d, user, [])
  try {
    const s = await repo.openFolder('INBOX')
    for (const m of msgs) await s.append({ content: m, size: m.length, flags: [], internalDate: Date.UTC(2024, 1, 1) })
    await s.close()
  } finally {
    await repo.close()
  }
}

async function readFolder(user: string): Promise<Buffer[]> {
  const repo = loggedRepo(d, user, [])
  try {
    const s = await repo.openFolder('INBOX', { readOnly: true })
    const uids = (await s.list()).messages.map((m) => m.uid)
    const out: Buffer[] = []
    for await (const b of s.fetch(uids)) out.push(await bodyBytes(b))
    await s.close()
    return out
  } finally {
    await repo.close()
  }
}

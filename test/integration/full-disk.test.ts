// A backup into a real file system that fills up (a small tmpfs, see test/support/small-fs.ts):
// the run ends with exit 74 (local disk problem, not "run again") and one line naming the
// problem, stops starting folders, leaves no partial message file and no record of a file that
// is not there; once there is space again the next run ends with exactly the server's mail.
// The same for a status cache on the full disk, and for a Maildir on a read-only file system.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync, chmodSync, rmSync, readdirSync, readFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { startDovecot, type DovecotInstance, TEST_PASSWORD } from '../support/dovecot.js'
import { generateCorpus, type Corpus } from '../support/corpus.js'
import { fillDovecotMaildir } from '../support/corpus-maildir.js'
import { ImapRepository } from '../../src/repository/imap/imap-repository.js'
import { MaildirRepository } from '../../src/repository/maildir/maildir-repository.js'
import { parseFileName } from '../../src/repository/maildir/filename.js'
import { readUidState } from '../../src/repository/maildir/uid-state.js'
import { servedLength } from '../../src/repository/maildir/line-endings.js'
import { StatusDb } from '../../src/state/status-db.js'
import { statusDbPath } from '../../src/state/locate.js'
import { snapshot, normalizeNames, contentOnly, type Snapshot } from '../support/store-snapshot.js'
import { BIN } from '../e2e/cli-child.js'
import { imapRepository, plainServer, maildirRepository, oneAccountConfig } from '../support/config-text.js'
import { mountSmallFs, type SmallFs } from '../support/small-fs.js'

const MIB = 1024 * 1024
let srv: DovecotInstance
let corpus: Corpus
let dir: string
const mounts: SmallFs[] = []
let serverSnap: Snapshot

before(async () => {
  srv = await startDovecot({ users: ['full'] })
  // ~4.5 MiB in 15 folders: about twice what the small file system holds
  corpus = generateCorpus({ seed: 17, messages: 300, maxSize: 200 * 1024 })
  await fillDovecotMaildir(corpus, srv, 'full')
  dir = mkdtempSync(join(tmpdir(), 'mailsync-fulldisk-'))
  serverSnap = await snap(new ImapRepository({ name: 's', host: '127.0.0.1', port: srv.port, user: 'full', password: TEST_PASSWORD, tls: { mode: 'none' }, maxConnections: 2 }))
})
after(async () => {
  for (const m of mounts) m.unmount()
  await srv?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

async function snap(repo: ImapRepository | MaildirRepository): Promise<Snapshot> {
  try {
    const s = normalizeNames(await snapshot(repo))
    return Object.fromEntries(Object.entries(s).filter(([, v]) => v.length > 0))
  } finally {
    await repo.close()
  }
}

interface World { root: string; state: string; config: string; fs: SmallFs }

/** A Maildir (and, with `stateOnDisk`, the status cache) on a fresh small file system. */
function world(name: string, bytes: number, stateOnDisk = false): World {
  const fs = mountSmallFs(join(dir, name, 'mnt'), bytes)
  mounts.push(fs)
  const root = join(fs.dir, 'mail')
  const state = stateOnDisk ? join(fs.dir, 'state') : join(dir, name, 'state')
  const config = join(dir, name, 'config')
  writeFileSync(config, oneAccountConfig({ metadata: state, remote: imapRepository('R', { server: plainServer(srv), user: 'full' }), local: maildirRepository('L', root) }))
  chmodSync(config, 0o600)
  return { root, state, config, fs }
}

function backup(w: World): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'backup', '-c', w.config], { encoding: 'utf8', env: { ...process.env }, maxBuffer: 64 << 20 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** Every message file in cur/ and new/ of every folder is whole: its bytes as served are one of the server's messages of that folder, none twice. */
async function checkNoPartialFiles(w: World): Promise<number> {
  const local = await snap(new MaildirRepository({ name: 'l', root: w.root, readOnly: true }))
  const server = contentOnly(serverSnap)
  let files = 0
  for (const [folder, items] of Object.entries(contentOnly(local))) {
    const left = [...(server[folder] ?? [])]
    for (const h of items) {
      const i = left.indexOf(h)
      assert.ok(i >= 0, `${folder}: a file that is not one of the server's messages (partial?) or one stored twice: ${h}`)
      left.splice(i, 1)
      files++
    }
  }
  // And by size, file by file: what the file serves is the size the server gave (W=).
  const repo = new MaildirRepository({ name: 'l', root: w.root, readOnly: true })
  for (const f of await repo.listFolders()) {
    if (!f.selectable) continue
    const fdir = join(w.root, await repo.diskName(f.name))
    for (const sub of ['cur', 'new']) {
      if (!existsSync(join(fdir, sub))) continue
      for (const name of readdirSync(join(fdir, sub))) {
        const served = servedLength(readFileSync(join(fdir, sub, name)))
        assert.equal(served, parseFileName(name).servedSize, `${f.name}/${sub}/${name} is cut short`)
      }
    }
    if (existsSync(join(fdir, 'tmp'))) assert.deepEqual(readdirSync(join(fdir, 'tmp')), [], `${f.name}/tmp holds a half-written file`)
  }
  return files
}

/** Every message pair the status cache records has its Maildir file, under the folder's UIDVALIDITY. */
async function checkRecordsHaveFiles(w: World): Promise<number> {
  const db = StatusDb.open(statusDbPath(w.state, 't'))
  const repo = new MaildirRepository({ name: 'l', root: w.root, readOnly: true })
  let recorded = 0
  try {
    for (const fp of db.listFolderPairs()) {
      const pairs = db.listMessagePairs(fp.id).filter((p) => p.uidB !== null)
      if (!pairs.length) continue
      const fdir = join(w.root, await repo.diskName(fp.nameB))
      assert.equal(fp.uidValidityB, readUidState(fdir)?.uidValidity, `${fp.nameB}: records of another UIDVALIDITY`)
      const uids = new Set(['cur', 'new'].flatMap((sub) => (existsSync(join(fdir, sub)) ? readdirSync(join(fdir, sub)) : []).map((n) => parseFileName(n).uid)))
      for (const p of pairs) assert.ok(uids.has(p.uidB!), `${fp.nameB}: UID ${p.uidB} is recorded but has no file`)
      recorded += pairs.length
    }
  } finally {
    db.close()
  }
  return recorded
}

function checkFullDiskRun(r: { code: number | null; stdout: string; stderr: string }): void {
  if (process.env.SHOW_OUTPUT) console.log(r.stdout + r.stderr)
  assert.equal(r.code, 74, `exit 74 (local disk problem):\n${r.stderr}`)
  const stopped = r.stderr.split('\n').filter((l) => l.includes('stopped: '))
  assert.equal(stopped.length, 1, `one line says why the run stopped:\n${r.stderr}`)
  assert.match(stopped[0]!, /no space left on device \(ENOSPC\)|disk full/)
  assert.match(stopped[0]!, /free some disk space and run again/)
  // the folders not started are named in that line, and are not each an error of their own
  const notStarted = Number(/(\d+) folders? not started/.exec(stopped[0]!)?.[1] ?? 0)
  assert.ok(notStarted > 0, `the full disk stopped folders from starting:\n${r.stderr}`)
  const folderErrors = r.stderr.split('\n').filter((l) => l.startsWith('error: ') && !l.includes('stopped: '))
  assert.ok(folderErrors.length + notStarted <= corpus.folders.length, `each folder is either failed or not started, never both:\n${r.stderr}`)
  assert.match(r.stdout, /not started/, 'the summary shows the folders that were not started')
}

test('backup into a file system that fills up: exit 74, one line naming it, no partial file, records match files; with space again the next run completes exactly', async () => {
  const w = world('maildir-full', 2 * MIB)
  const r = backup(w)
  checkFullDiskRun(r)
  const stored = await checkNoPartialFiles(w)
  assert.ok(stored > 0 && stored < corpus.messages.length, `part of the mail was stored before the disk was full (${stored})`)
  await checkRecordsHaveFiles(w)

  w.fs.resize(64 * MIB)
  const again = backup(w)
  assert.equal(again.code, 0, again.stderr)
  assert.deepEqual(await snap(new MaildirRepository({ name: 'l', root: w.root, readOnly: true })), serverSnap, "exactly the server's messages and flags, none twice")
  assert.equal(await checkRecordsHaveFiles(w), corpus.messages.length)
})

test('status cache on the same full file system: exit 74, records still match files; the next run completes exactly', async () => {
  const w = world('state-full', 2 * MIB, true)
  const r = backup(w)
  checkFullDiskRun(r)
  await checkNoPartialFiles(w)
  await checkRecordsHaveFiles(w)

  w.fs.resize(64 * MIB)
  const again = backup(w)
  assert.equal(again.code, 0, again.stderr)
  assert.deepEqual(await snap(new MaildirRepository({ name: 'l', root: w.root, readOnly: true })), serverSnap)
  assert.equal(await checkRecordsHaveFiles(w), corpus.messages.length)
})

test('a Maildir on a file system mounted read-only: exit 74 naming EROFS, nothing changed; read-write again, the next run completes exactly', async () => {
  const w = world('read-only', 64 * MIB)
  // a first backup of part of the mail (--folder), then the file system goes read-only
  const first = spawnSync(process.execPath, [BIN, 'backup', '-c', w.config, '--folder', 'INBOX'], { encoding: 'utf8' })
  assert.equal(first.status, 0, first.stderr)
  w.fs.readOnly(true)
  const r = backup(w)
  assert.equal(r.code, 74, r.stderr)
  const stopped = r.stderr.split('\n').filter((l) => l.includes('stopped: '))
  assert.equal(stopped.length, 1, r.stderr)
  assert.match(stopped[0]!, /read-only file system \(EROFS\)/)
  w.fs.readOnly(false)
  await checkNoPartialFiles(w)
  await checkRecordsHaveFiles(w)
  const again = backup(w)
  assert.equal(again.code, 0, again.stderr)
  assert.deepEqual(await snap(new MaildirRepository({ name: 'l', root: w.root, readOnly: true })), serverSnap)
})

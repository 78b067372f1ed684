// Issue 17, the intent table. A copy made by a killed run is found again without it: the status
// kept is the one seen *before* a run, so whatever a killed run did shows up as a change on the
// next one (CHANGEDSINCE on IMAP, a new change token on a Maildir) and its copies are paired by
// fingerprint. The intents only ever disabled the fast paths, and those a kill left open were
// never cleared: the folder was then never skipped again. They are gone (schema 6 drops them).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ImapFlow } from 'imapflow'
import { startDovecot, type DovecotInstance, TEST_PASSWORD } from '../support/dovecot.js'
import { MaildirRepository } from '../../src/repository/maildir/maildir-repository.js'
import { ImapRepository } from '../../src/repository/imap/imap-repository.js'
import { loadConfig, accountsToSync } from '../../src/config/index.js'
import { runJob } from '../../src/jobs/run-job.js'
import type { EngineEvent } from '../../src/engine/events.js'
import { runJobChild } from '../support/job-child.js'
import { snapshot } from '../support/store-snapshot.js'
import { imapRepository, maildirRepository, oneAccountConfig, plainServer } from '../support/config-text.js'

let d: DovecotInstance
before(async () => { d = await startDovecot({ users: ['k1', 'k2'] }) })
after(async () => { await d?.stop() })

const msg = (id: string) => Buffer.from(`From: t@example.org\r\nMessage-ID: <${id}@test>\r\nSubject: ${id}\r\n\r\nbody of ${id}\r\n`)
const pause = () => new Promise((r) => setTimeout(r, 1200))

function world(user: string) {
  const root = mkdtempSync(join(tmpdir(), 'mailsync-intents-'))
  const local = join(root, 'local')
  const config = join(root, 'config')
  writeFileSync(config, oneAccountConfig({ metadata: join(root, 'state'), remote: imapRepository('R', { server: plainServer(d), user }), local: maildirRepository('L', local) }), { mode: 0o600 })
  return { root, local, config, user }
}

async function putLocal(root: string, ids: string[]): Promise<void> {
  const repo = new MaildirRepository({ name: 'x', root, createRoot: true })
  await repo.open()
  if (!(await repo.listFolders()).some((f) => f.name === 'INBOX')) await repo.createFolder('INBOX')
  const s = await repo.openFolder('INBOX')
  for (const id of ids) await s.append({ content: msg(id), size: msg(id).length, flags: [], internalDate: Date.UTC(2024, 0, 2) })
  await s.close()
  await repo.close()
}

async function sync(config: string) {
  const cfg = await loadConfig({ path: config })
  const events: EngineEvent[] = []
  const r = await runJob({ policy: 'sync', config: cfg, accounts: accountsToSync(cfg), dryRun: false }, (e) => { events.push(e) })
  assert.equal(r.exitCode, 0, JSON.stringify(r.errors))
  return { r, events }
}

async function serverMessageIds(user: string): Promise<string[]> {
  const c = new ImapFlow({ host: '127.0.0.1', port: d.port, secure: false, doSTARTTLS: false, auth: { user, pass: TEST_PASSWORD }, logger: false })
  await c.connect()
  try {
    const lock = await c.getMailboxLock('INBOX')
    try {
      const out: string[] = []
      for await (const m of c.fetch('1:*', { uid: true, envelope: true })) out.push(m.envelope?.messageId ?? '')
      return out.sort()
    } finally {
      lock.release()
    }
  } finally {
    await c.logout()
  }
}

test('killed after an APPEND, before its record: the next run (QRESYNC fast path) pairs the copy, copies nothing twice, and a later unchanged run skips the folder', async () => {
  const w = world('k1')
  try {
    await putLocal(w.local, ['a1', 'a2'])
    await sync(w.config)
    await pause()
    await sync(w.config) // settles: both sides' status recorded after a clean run
    await putLocal(w.local, ['n1', 'n2', 'n3'])
    await pause()
    // Dovecot has MULTIAPPEND: the three go in one command, then their records in one commit
    const killed = runJobChild(w.config, 'sync', { at: 'imap-multiappend:1' })
    assert.equal(killed.exitCode, undefined, 'killed after the MULTIAPPEND, before the records were committed')
    const all = ['<a1@test>', '<a2@test>', '<n1@test>', '<n2@test>', '<n3@test>']
    assert.deepEqual(await serverMessageIds(w.user), all)
    const resumed = await sync(w.config)
    const plan = resumed.events.find((e) => e.type === 'folder-plan' && e.folderA === 'INBOX') as Extract<EngineEvent, { type: 'folder-plan' }>
    assert.equal(plan.listedA, 'changes', 'the server was listed from the records plus CHANGEDSINCE')
    assert.equal(resumed.r.counts.copiedBtoA, 0, 'nothing is copied again')
    assert.equal(resumed.r.counts.adopted, 3, 'the three copies are paired by fingerprint')
    assert.deepEqual(await serverMessageIds(w.user), all)
    await pause()
    await sync(w.config) // records the status seen after the repair
    await pause()
    const quiet = await sync(w.config)
    assert.ok(quiet.events.some((e) => e.type === 'folder-skip' && e.folderA === 'INBOX'), 'an unchanged folder is skipped again after a kill')
    const a = await snapshot(new ImapRepository({ name: 's', host: '127.0.0.1', port: d.port, user: w.user, password: TEST_PASSWORD, tls: { mode: 'none' }, maxConnections: 1 }))
    const b = await snapshot(new MaildirRepository({ name: 'b', root: w.local }))
    assert.deepEqual(a, b)
  } finally {
    rmSync(w.root, { recursive: true, force: true })
  }
})

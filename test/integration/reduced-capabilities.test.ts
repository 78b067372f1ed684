// The end-to-end scenarios against Dovecot playing a plainer server (issue 17): once with a bare
// `IMAP4rev1` (no AUTH=PLAIN or SASL-IR either: mailsync must log in with LOGIN), once without
// UIDPLUS, CONDSTORE, QRESYNC, SPECIAL-USE, LIST-STATUS and MOVE. Backup is byte-exact with flags
// and dates, a re-backup copies nothing, a two-way sync carries a new message, a flag change and a
// deletion from each side and ends with both sides equal, a restore into an empty account copies
// everything once, and migrate to and from a full-featured Dovecot verifies every copy.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDovecot, type DovecotInstance } from '../support/dovecot.js'
import { generateCorpus } from '../support/corpus.js'
import { fillDovecotMaildir } from '../support/corpus-maildir.js'
import { backupScenario, imapRepo, imapSession, migrateScenario, repoSection, restoreScenario, scenarioConfig, snap, syncScenario } from '../support/scenario-cli.js'

const LISTS = {
  'bare IMAP4rev1': 'IMAP4rev1',
  'no UIDPLUS CONDSTORE QRESYNC SPECIAL-USE LIST-STATUS MOVE': 'IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE NAMESPACE',
}
const HIDDEN = ['UIDPLUS', 'CONDSTORE', 'QRESYNC', 'SPECIAL-USE', 'LIST-STATUS', 'MOVE']

let full: DovecotInstance
before(async () => {
  full = await startDovecot({ users: ['m0', 'm1'] })
})
after(async () => {
  await full?.stop()
})

for (const [[name, capability], i] of Object.entries(LISTS).map((e, i) => [e, i] as const)) {
  describe(name, () => {
    let srv: DovecotInstance
    let dir: string
    let config: string
    const backup = () => join(dir, 'backup')
    const local = () => join(dir, 'local')

    before(async () => {
      srv = await startDovecot({ users: ['alice', 'syncer', 'empty', 'back'], capability })
      // specials (no Message-ID, duplicate Message-IDs, raw 8-bit headers) and a 1.5 MB message
      const corpus = generateCorpus({ seed: 170 + i, messages: 40, maxSize: 64 * 1024 })
      await fillDovecotMaildir(corpus, srv, 'alice')
      await fillDovecotMaildir(corpus, srv, 'syncer')
      dir = mkdtempSync(join(tmpdir(), 'mailsync-reduced-'))
      config = scenarioConfig({
        dir, name: 'c', backup: backup(), local: local(),
        sections: [repoSection('src', srv, 'alice'), repoSection('sync', srv, 'syncer'), repoSection('empty', srv, 'empty'),
          repoSection('back', srv, 'back'), repoSection('full', full, `m${i}`)],
      })
    })
    after(async () => {
      await srv?.stop()
      if (dir) rmSync(dir, { recursive: true, force: true })
    })

    test('the server really hides the capabilities', async () => {
      const caps = await imapSession(srv, 'alice', async (c) => [...c.capabilities.keys()])
      for (const cap of HIDDEN) assert.ok(!caps.includes(cap), `${cap} hidden: ${caps.join(' ')}`)
      if (capability === 'IMAP4rev1') assert.ok(!caps.some((c) => c.startsWith('AUTH=') || c === 'SASL-IR'), `no AUTH=: ${caps.join(' ')}`)
    })

    test('backup byte-exact, re-backup copies nothing, restore to an empty account twice', async () => {
      const source = await backupScenario({ srv, user: 'alice', config, backup: backup() })
      await restoreScenario({ srv, user: 'empty', repo: 'empty', config, expected: source })
    })

    test('two-way sync with changes on both sides', async () => {
      await syncScenario({ srv, user: 'syncer', config, local: local(), account: 'two' })
    })

    test('migrate to a full Dovecot and back, verified', async () => {
      await migrateScenario({ config, from: 'src', to: 'full', source: () => snap(imapRepo(srv, 'alice')), target: () => snap(imapRepo(full, `m${i}`)) })
      await migrateScenario({ config, from: 'full', to: 'back', source: () => snap(imapRepo(full, `m${i}`)), target: () => snap(imapRepo(srv, 'back')) })
    })
  })
}

// The end-to-end scenarios against a second server brand (issue 17): Cyrus IMAP 3.6, unpacked
// from Debian's packages beside Dovecot (test/support/cyrus.ts), with Debian's namespace (every
// folder under `INBOX.`, separator '.', special-use flags spelled `\sent` in lower case).
// What Cyrus alters: with its default `munge8bit: yes` it replaces every byte >= 0x80 in a
// message's header with 'X' (same length; the body is kept). Everything else it keeps byte for
// byte, so the scenarios compare bytes: backup, re-backup copies nothing, two-way sync with
// changes on both sides, restore into an empty account twice, migrate Cyrus -> Dovecot and
// Dovecot -> Cyrus with verify (zero lost, zero duplicated); and a migrate of raw 8-bit headers
// into Cyrus says which copies differ (exit 65), and so does every later run (copying nothing
// twice) until the user removes those copies, which are then copied (and checked) again.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDovecot, type DovecotInstance } from '../support/dovecot.js'
import { hash, munged, startCyrus, type CyrusInstance } from '../support/cyrus.js'
import { generateCorpus, renderMessage, type Corpus } from '../support/corpus.js'
import { fillImap } from '../support/corpus-imap.js'
import { fillDovecotMaildir } from '../support/corpus-maildir.js'
import { contentOnly, type Snapshot } from '../support/store-snapshot.js'
import { backupScenario, cli, imapRepo, migrateScenario, repoSection, restoreScenario, scenarioConfig, snap, syncScenario } from '../support/scenario-cli.js'


let cyrus: CyrusInstance
let dovecot: DovecotInstance
let corpus: Corpus
let eightBit: Corpus['messages']
let dir: string
let config: string
const backup = () => join(dir, 'backup')
const local = () => join(dir, 'local')

before(async () => {
  cyrus = await startCyrus({ users: ['alice', 'syncer', 'empty', 'back', 'rawcopy'] })
  dovecot = await startDovecot({ users: ['moved', 'raw'] })
  // specials: no Message-ID, duplicate Message-IDs, raw UTF-8 and Latin-1 headers, a 1.5 MB message
  corpus = generateCorpus({ seed: 17, messages: 40, maxSize: 64 * 1024 })
  eightBit = corpus.messages.filter((m) => !munged(renderMessage(m)).equals(renderMessage(m)))
  await fillDovecotMaildir(corpus, dovecot, 'raw')
  for (const user of ['alice', 'syncer']) await fillImap(corpus, { host: cyrus.host, port: cyrus.port, user, password: cyrus.password })
  dir = mkdtempSync(join(tmpdir(), 'mailsync-second-'))
  config = scenarioConfig({
    dir, name: 'c', backup: backup(), local: local(),
    sections: [repoSection('src', cyrus, 'alice'), repoSection('sync', cyrus, 'syncer'), repoSection('empty', cyrus, 'empty'),
      repoSection('back', cyrus, 'back'), repoSection('dovecot', dovecot, 'moved'), repoSection('raw', dovecot, 'raw'), repoSection('rawcopy', cyrus, 'rawcopy')],
  })
})
after(async () => {
  await cyrus?.stop()
  await dovecot?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/** A folder name as Debian's Cyrus spells it (separators as '/'): under the personal namespace `INBOX/`. */
const cyrusName = (f: string): string => (f === 'INBOX' || f.startsWith('INBOX/') ? f : `INBOX/${f}`)
/** Cyrus's names as Dovecot holds them after a migrate: without `INBOX/` (INBOX.Receipts is Receipts). */
const unprefixed = (s: Snapshot): Snapshot =>
  Object.fromEntries(Object.entries(s).map(([k, v]) => [k.startsWith('INBOX/') ? k.slice(6) : k, v] as const).sort(([a], [b]) => (a < b ? -1 : 1)))

test('Cyrus keeps every corpus message byte for byte except 8-bit header bytes, which become X', async () => {
  const expected: Record<string, string[]> = {}
  for (const m of corpus.messages) (expected[cyrusName(m.folder)] ??= []).push(hash(munged(renderMessage(m))))
  for (const v of Object.values(expected)) v.sort()
  assert.deepEqual(contentOnly(await snap(imapRepo(cyrus, 'alice'))), expected)
  assert.ok(eightBit.length >= 4, `the corpus has raw 8-bit headers (${eightBit.length})`)
})

test('backup byte-exact, re-backup copies nothing, restore to an empty Cyrus account twice', async () => {
  const source = await backupScenario({ srv: cyrus, user: 'alice', config, backup: backup() })
  await restoreScenario({ srv: cyrus, user: 'empty', repo: 'empty', config, expected: source })
})

test('two-way sync between Cyrus and a Maildir with changes on both sides', async () => {
  await syncScenario({ srv: cyrus, user: 'syncer', config, local: local(), account: 'two' })
})

test('migrate Cyrus -> Dovecot and Dovecot -> Cyrus, verified', async () => {
  await migrateScenario({ config, from: 'src', to: 'dovecot', source: async () => unprefixed(await snap(imapRepo(cyrus, 'alice'))), target: () => snap(imapRepo(dovecot, 'moved')) })
  await migrateScenario({ config, from: 'dovecot', to: 'back', source: () => snap(imapRepo(dovecot, 'moved')), target: async () => unprefixed(await snap(imapRepo(cyrus, 'back'))) })
})

/** The Message-IDs a migrate's report names as copies that differ from the source. */
function namedInReport(file: string): string[] {
  const rep = JSON.parse(readFileSync(file, 'utf8')) as { folders: { problems: { messageId?: string; reason: string; verification?: boolean }[] }[] }
  return rep.folders.flatMap((f) => f.problems).filter((p) => p.verification && /differs from the source/.test(p.reason)).map((p) => p.messageId ?? '').sort()
}

test('migrate of raw 8-bit headers into Cyrus: the altered copies are reported (exit 65) by every run until removed, and never copied twice', async () => {
  const report = join(dir, 'raw-report.json')
  const first = cli(['migrate', '-c', config, 'raw', 'rawcopy', '--report', report])
  assert.equal(first.code, 65, 'copies that differ from the source are a data problem')
  const n = corpus.messages.length
  assert.deepEqual([first.done!.counts.copiedAtoB, first.done!.counts.verified, first.done!.counts.failed], [n, n - eightBit.length, eightBit.length])
  const altered = eightBit.map((m) => m.messageId ?? '').sort()
  assert.deepEqual(namedInReport(report), altered, 'each altered copy is named')
  // every later run says so again (the status cache remembers the failed checks), and copies nothing
  for (const run of [2, 3]) {
    const again = cli(['migrate', '-c', config, 'raw', 'rawcopy', '--report', report])
    assert.equal(again.code, 65, `run ${run}: the altered copies are still a data problem`)
    assert.deepEqual([again.done!.counts.copiedAtoB, again.done!.counts.failed], [0, eightBit.length], `run ${run}: no second copy of an altered message`)
    assert.deepEqual(namedInReport(report), altered, `run ${run} names each altered copy again`)
  }
  const want: Record<string, string[]> = {}
  for (const m of corpus.messages) (want[m.folder.startsWith('INBOX/') ? m.folder.slice(6) : m.folder] ??= []).push(hash(munged(renderMessage(m))))
  for (const v of Object.values(want)) v.sort()
  assert.deepEqual(contentOnly(unprefixed(await snap(imapRepo(cyrus, 'rawcopy')))), want, 'Cyrus holds each message once, as it munges it')

  // the user removes the altered copies: the next run copies them again, Cyrus alters them again, and says so
  const alteredHashes = new Set(eightBit.map((m) => hash(munged(renderMessage(m)))))
  const repo = imapRepo(cyrus, 'rawcopy')
  let removed = 0
  try {
    for (const f of (await repo.listFolders()).filter((x) => x.selectable !== false)) {
      const s = await repo.openFolder(f.name)
      try {
        const uids: number[] = []
        for await (const b of s.fetch((await s.list()).messages.map((m) => m.uid))) {
          const bytes = Buffer.isBuffer(b.content) ? b.content : Buffer.concat(await b.content.toArray())
          if (alteredHashes.has(hash(bytes))) uids.push(b.uid)
        }
        if (uids.length) await s.delete(uids)
        removed += uids.length
      } finally {
        await s.close()
      }
    }
  } finally {
    await repo.close()
  }
  assert.equal(removed, eightBit.length)
  const recopied = cli(['migrate', '-c', config, 'raw', 'rawcopy', '--report', report])
  assert.equal(recopied.code, 65)
  assert.deepEqual([recopied.done!.counts.copiedAtoB, recopied.done!.counts.verified, recopied.done!.counts.failed], [eightBit.length, 0, eightBit.length])
  assert.deepEqual(namedInReport(report), altered)
  assert.deepEqual(contentOnly(unprefixed(await snap(imapRepo(cyrus, 'rawcopy')))), want, 'still each message once')
})

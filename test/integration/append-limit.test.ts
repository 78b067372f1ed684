// appendlimit (set, or a provider preset's figure; the server's APPENDLIMIT otherwise) against the
// real Dovecot: a migration whose target takes messages up to a limit copies every smaller
// message exactly and skips each larger one with one warning naming its size and the limit,
// reading no body of it; the folder goes on, nothing fails, and a re-run copies nothing twice.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { startDovecot, type DovecotInstance, TEST_PASSWORD } from '../support/dovecot.js'
import { generateCorpus, type Corpus } from '../support/corpus.js'
import { fillDovecotMaildir } from '../support/corpus-maildir.js'
import { ImapRepository } from '../../src/repository/imap/imap-repository.js'
import { snapshot } from '../support/store-snapshot.js'
import { BIN } from '../e2e/cli-child.js'
import { imapRepository, plainServer } from '../support/config-text.js'

let srv: DovecotInstance
let corpus: Corpus
let dir: string
const LIMIT = 100 * 1024

before(async () => {
  srv = await startDovecot({ users: ['alice', 'bob'] })
  corpus = generateCorpus({ seed: 16, messages: 30, maxSize: 400 * 1024 })
  await fillDovecotMaildir(corpus, srv, 'alice')
  dir = mkdtempSync(join(tmpdir(), 'mailsync-appendlimit-'))
})
after(async () => {
  await srv?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

function migrate(): { code: number | null; stderr: string; events: Record<string, unknown>[] } {
  const file = join(dir, 'mailsync.conf')
  writeFileSync(file, `[general]\nmetadata = ${join(dir, 'state')}\n\n`
    + imapRepository('alice', { server: plainServer(srv), user: 'alice' }) + '\n'
    + imapRepository('bob', { server: plainServer(srv), user: 'bob', extra: `appendlimit = ${LIMIT}\n` }), { mode: 0o600 })
  const r = spawnSync(process.execPath, [BIN, 'migrate', '-c', file, 'alice', 'bob', '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 })
  return { code: r.status, stderr: r.stderr, events: r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)) }
}

test('messages over the target\'s appendlimit are skipped one by one with their reason; the rest is copied exactly', async () => {
  const big = corpus.messages.filter((m) => m.size > LIMIT)
  assert.ok(big.length > 0 && big.length < corpus.messages.length, `the corpus has messages on both sides of the limit (${big.length} over)`)
  const r = migrate()
  assert.equal(r.code, 0, r.stderr)
  const done = r.events.find((e) => e.type === 'run-done') as { counts: Record<string, number> }
  assert.equal(done.counts.copiedAtoB, corpus.messages.length - big.length)
  assert.equal(done.counts.skipped, big.length)
  assert.equal(done.counts.failed, 0)
  const warnings = r.events.filter((e) => e.type === 'warning' && /is larger than bob takes/.test(String(e.message))).map((e) => String(e.message))
  assert.equal(warnings.length, big.length)
  for (const w of warnings) assert.match(w, /\(100 KB|\(102400 bytes|appendlimit = 102400\): skipped, it stays where it is$/)
  // no body of a skipped message was fetched: nothing of its size was copied
  assert.ok(!r.events.some((e) => e.type === 'message-copied' && (e.size as number) > LIMIT))
  const bob = new ImapRepository({ name: 'bob', host: '127.0.0.1', port: srv.port, user: 'bob', password: TEST_PASSWORD, tls: { mode: 'none' } })
  const alice = new ImapRepository({ name: 'alice', host: '127.0.0.1', port: srv.port, user: 'alice', password: TEST_PASSWORD, tls: { mode: 'none' } })
  try {
    const nonEmpty = (s: Record<string, string[]>) => Object.fromEntries(Object.entries(s).filter(([, v]) => v.length > 0))
    assert.deepEqual(nonEmpty(await snapshot(bob)), nonEmpty(await snapshot(alice, { maxSize: LIMIT })), 'exactly the small ones are on the target, byte-exact with their flags')
  } finally {
    await bob.close()
    await alice.close()
  }
  const again = migrate()
  assert.equal(again.code, 0, again.stderr)
  const done2 = again.events.find((e) => e.type === 'run-done') as { counts: Record<string, number> }
  assert.equal(done2.counts.copiedAtoB, 0, 'nothing copied twice')
  assert.equal(done2.counts.skipped, big.length, 'the large ones are looked at again, and skipped again')
})

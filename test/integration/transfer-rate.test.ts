// maxbytespersecond and maxmessagespersecond against the real Dovecot: a backup limited in bytes
// (fetches) and a restore limited in messages (appends) still copy the corpus exactly, bytes,
// flags and dates. No timing is asserted (a shared machine); the rate reached is printed as a
// `#` line for the report.
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
import { MaildirRepository } from '../../src/repository/maildir/maildir-repository.js'
import { snapshot, normalizeNames, type Snapshot } from '../support/store-snapshot.js'
import { BIN } from '../e2e/cli-child.js'
import { imapRepository, plainServer } from '../support/config-text.js'

let srv: DovecotInstance
let corpus: Corpus
let dir: string
const BYTES_PER_SECOND = 1024 * 1024
const MESSAGES_PER_SECOND = 25

before(async () => {
  srv = await startDovecot({ users: ['alice', 'bob'] })
  corpus = generateCorpus({ seed: 15, messages: 40 })
  await fillDovecotMaildir(corpus, srv, 'alice')
  dir = mkdtempSync(join(tmpdir(), 'mailsync-rate-'))
})
after(async () => {
  await srv?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

function config(): string {
  const file = join(dir, 'mailsync.conf')
  writeFileSync(file, `[general]\nmetadata = ${join(dir, 'state')}\n\n[Account arch]\nremoterepository = alice\nlocalrepository = backup\n\n`
    + imapRepository('alice', { server: plainServer(srv), user: 'alice', extra: `maxbytespersecond = ${BYTES_PER_SECOND}\nmaxconnections = 3\n` }) + '\n'
    + imapRepository('bob', { server: plainServer(srv), user: 'bob', extra: `maxmessagespersecond = ${MESSAGES_PER_SECOND}\nmaxconnections = 3\n` }) + '\n'
    + `[Repository backup]\ntype = Maildir\nlocalfolders = ${join(dir, 'maildir')}\n`, { mode: 0o600 })
  return file
}

function cli(args: string[]): { code: number | null; stderr: string; done: { counts: Record<string, number>; ms: number } } {
  const r = spawnSync(process.execPath, [BIN, ...args, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 })
  const done = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((e) => e.type === 'run-done')
  return { code: r.status, stderr: r.stderr, done }
}

async function snap(repo: ImapRepository | MaildirRepository): Promise<Snapshot> {
  try {
    const s = normalizeNames(await snapshot(repo, { dates: true }))
    return Object.fromEntries(Object.entries(s).filter(([, v]) => v.length > 0))
  } finally {
    await repo.close()
  }
}
const imap = (user: string) => new ImapRepository({ name: user, host: '127.0.0.1', port: srv.port, user, password: TEST_PASSWORD, tls: { mode: 'none' } })

test('a backup at maxbytespersecond and a restore at maxmessagespersecond copy the corpus exactly', async () => {
  const cfg = config()
  const total = corpus.messages.reduce((n, m) => n + m.size, 0)
  const b = cli(['backup', '-c', cfg, 'arch'])
  assert.equal(b.code, 0, b.stderr)
  assert.equal(b.done.counts.copiedAtoB, corpus.messages.length)
  assert.equal(b.done.counts.failed, 0)
  assert.equal(b.done.counts.bytes, total, 'the bytes of the corpus, no more, no less')
  const source = await snap(imap('alice'))
  assert.deepEqual(await snap(new MaildirRepository({ name: 'backup', root: join(dir, 'maildir') })), source, 'every byte, flag and date')
  console.log(`# backup of ${corpus.messages.length} messages, ${b.done.counts.bytes} bytes at maxbytespersecond = ${BYTES_PER_SECOND}: ${b.done.ms} ms, ${Math.round(b.done.counts.bytes / (b.done.ms / 1000))} bytes/s in all (corpus ${total} bytes as generated)`)

  const r = cli(['restore', '-c', cfg, 'backup', 'bob'])
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.done.counts.copiedBtoA, corpus.messages.length)
  assert.deepEqual(await snap(imap('bob')), source, 'the restored server holds the same bytes, flags and dates')
  console.log(`# restore of ${r.done.counts.copiedBtoA} messages at maxmessagespersecond = ${MESSAGES_PER_SECOND}: ${r.done.ms} ms, ${(r.done.counts.copiedBtoA / (r.done.ms / 1000)).toFixed(1)} messages/s in all`)
})

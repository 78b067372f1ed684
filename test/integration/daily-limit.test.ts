// dailydownloadlimit against the real Dovecot: a backup that reaches the day's limit stops cleanly
// with exit 81 and says when to go on; what it stored is whole and recorded. A run while the day
// is still full copies nothing; once the counted hours have passed (the state file is aged here:
// no test waits a day) the next run goes on, and in the end the Maildir holds the source exactly,
// each message once.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync, rmSync, readFileSync, readdirSync } from 'node:fs'
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

before(async () => {
  srv = await startDovecot({ users: ['alice'] })
  corpus = generateCorpus({ seed: 17, messages: 40, maxSize: 200 * 1024 })
  await fillDovecotMaildir(corpus, srv, 'alice')
  dir = mkdtempSync(join(tmpdir(), 'mailsync-daily-'))
})
after(async () => {
  await srv?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

function backup(limit: number): { code: number | null; stderr: string; events: Record<string, unknown>[] } {
  const file = join(dir, 'mailsync.conf')
  writeFileSync(file, `[general]\nmetadata = ${join(dir, 'state')}\n\n[Account arch]\nremoterepository = alice\nlocalrepository = backup\n\n`
    + imapRepository('alice', { server: plainServer(srv), user: 'alice', extra: `dailydownloadlimit = ${limit}\nmaxconnections = 1\n` }) + '\n'
    + `[Repository backup]\ntype = Maildir\nlocalfolders = ${join(dir, 'maildir')}\n`, { mode: 0o600 })
  const r = spawnSync(process.execPath, [BIN, 'backup', '-c', file, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 })
  return { code: r.status, stderr: r.stderr, events: r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)) }
}
const done = (r: ReturnType<typeof backup>) => r.events.find((e) => e.type === 'run-done') as { counts: Record<string, number> }

async function snap(repo: ImapRepository | MaildirRepository): Promise<Snapshot> {
  try {
    return Object.fromEntries(Object.entries(normalizeNames(await snapshot(repo, { dates: true }))).filter(([, v]) => v.length > 0))
  } finally {
    await repo.close()
  }
}

test('the day\'s download limit stops the backup cleanly (exit 81, when to go on); after the day the next run completes it exactly', async () => {
  const total = corpus.messages.reduce((n, m) => n + m.size, 0)
  const limit = Math.floor(total * 0.6)
  const first = backup(limit)
  assert.equal(first.code, 81, first.stderr)
  const stop = first.events.filter((e) => e.type === 'error' && e.kind === 'quota')
  assert.ok(stop.length >= 1, JSON.stringify(first.events.filter((e) => e.type === 'error')))
  assert.match(String(stop[0]!.message), /the daily download limit of .* \(dailydownloadlimit = \d+\) is reached/)
  assert.ok(stop.some((e) => /^stopped: .*run again after \d{4}-\d\d-\d\d \d\d:\d\d UTC to go on$/.test(String(e.message))), 'the stop says when to go on')
  const copied1 = done(first).counts.copiedAtoB
  assert.ok(copied1 > 0 && copied1 < corpus.messages.length, `part was copied: ${copied1}`)
  assert.ok(done(first).counts.bytes <= limit, 'never past the limit')

  // the same day: nothing more goes
  const again = backup(limit)
  assert.equal(again.code, 81, again.stderr)
  const bytesAgain = done(again).counts.bytes
  assert.ok(done(first).counts.bytes + bytesAgain <= limit, 'the second run counts the first one\'s bytes')

  // a day later (the counted hours aged by 24 h): the backup goes on from where it stopped
  const stateDir = join(dir, 'state', 'daily-transfer')
  for (const f of readdirSync(stateDir)) {
    const data = JSON.parse(readFileSync(join(stateDir, f), 'utf8')) as { hours: { hour: number }[] }
    for (const h of data.hours) h.hour -= 24
    writeFileSync(join(stateDir, f), JSON.stringify(data), { mode: 0o600 })
  }
  const last = backup(limit)
  assert.equal(last.code, 0, last.stderr)
  assert.equal(copied1 + done(again).counts.copiedAtoB + done(last).counts.copiedAtoB, corpus.messages.length, 'each message copied once over the three runs')
  const source = await snap(new ImapRepository({ name: 'alice', host: '127.0.0.1', port: srv.port, user: 'alice', password: TEST_PASSWORD, tls: { mode: 'none' } }))
  assert.deepEqual(await snap(new MaildirRepository({ name: 'backup', root: join(dir, 'maildir') })), source, 'the Maildir holds the source exactly')
})

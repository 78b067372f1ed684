// SIGTERM / SIGINT during a run (the real binary): the run stops taking new work, records what it
// did, releases the account's lock and ends with 143 / 130; a second signal ends it at once; a run
// stuck on a stalled connection still ends by itself; a watcher stopped inside a round does the
// same (its push closed too). After each, a normal run ends in exactly
// the state of an uninterrupted run: nothing lost, nothing twice.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDovecot, type DovecotInstance } from '../support/dovecot.js'
import { generateCorpus } from '../support/corpus.js'
import { fillDovecotMaildir } from '../support/corpus-maildir.js'
import { imapRepository, maildirRepository, oneAccountConfig, plainServer } from '../support/config-text.js'
import { startCli } from '../support/cli-process.js'
import { startFaultProxy } from '../support/fault-proxy.js'
import { snapshot } from '../support/store-snapshot.js'
import { loggedRepo } from '../support/imap-folder-session.js'
import { MaildirRepository } from '../../src/repository/maildir/maildir-repository.js'
import { runLockPath } from '../../src/state/locate.js'

const USERS = ['term', 'int', 'stall', 'watcher']
let d: DovecotInstance
let dir: string
let total = 0

before(async () => {
  d = await startDovecot({ users: USERS })
  dir = mkdtempSync(join(tmpdir(), 'mailsync-signals-'))
  const corpus = generateCorpus({ seed: 1313, messages: 900, folders: 3, maxSize: 48 * 1024 })
  total = corpus.messages.length
  for (const u of USERS) await fillDovecotMaildir(corpus, d, u)
})
after(async () => {
  await d?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

function world(user: string, port = d.port) {
  const root = join(dir, user)
  mkdirSync(root, { recursive: true })
  const config = join(root, 'config')
  writeFileSync(config, oneAccountConfig({
    metadata: join(root, 'state'),
    remote: imapRepository('R', { server: plainServer({ port }), user, extra: 'timeout = 60\n' }),
    local: maildirRepository('L', join(root, 'mail')),
  }), { mode: 0o600 })
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root }
  return { root, config, env, mail: join(root, 'mail'), lock: runLockPath(join(root, 'state'), 't') }
}

function localCount(mail: string): number {
  let n = 0
  const walk = (p: string): void => {
    for (const e of readdirSync(p, { withFileTypes: true })) {
      if (!e.isDirectory()) continue
      if (e.name === 'cur' || e.name === 'new') n += readdirSync(join(p, e.name)).length
      else if (e.name !== 'tmp') walk(join(p, e.name))
    }
  }
  if (existsSync(mail)) walk(mail)
  return n
}

function tmpFiles(mail: string): string[] {
  const out: string[] = []
  const walk = (p: string): void => {
    for (const e of readdirSync(p, { withFileTypes: true })) {
      if (!e.isDirectory()) continue
      if (e.name === 'tmp') out.push(...readdirSync(join(p, e.name)).map((f) => join(p, e.name, f)))
      else if (e.name !== 'cur' && e.name !== 'new') walk(join(p, e.name))
    }
  }
  if (existsSync(mail)) walk(mail)
  return out
}

async function assertExact(user: string, mail: string): Promise<void> {
  const server = await snapshot(loggedRepo(d, user, []))
  const local = await snapshot(new MaildirRepository({ name: 'L', root: mail }))
  assert.deepEqual(local, server, 'the Maildir holds exactly the server\'s messages, each once, with its flags')
}

test('SIGTERM in the middle of a copy: clean stop with 143, lock released, nothing half-written; the next run completes exactly', async () => {
  const w = world('term')
  const run = startCli(['backup', '-c', w.config, '--json'], w.env)
  await run.waitForEvent((e) => e.type === 'message-copied', 'the first copy')
  run.child.kill('SIGTERM')
  const end = await run.ended
  assert.equal(end.code, 143, end.stderr)
  const done = run.events.find((e) => e.type === 'run-done')
  assert.ok(done, 'the stopped run still reports its end')
  assert.deepEqual([done!.stopped, done!.exitCode], [true, 143])
  const copied = run.events.filter((e) => e.type === 'message-copied').length
  assert.ok(copied > 0 && copied < total, `stopped in the middle (${copied} of ${total})`)
  assert.equal(done!.counts.copiedAtoB, copied, 'the summary counts what was stored')
  assert.equal(localCount(w.mail), copied, 'every message reported as copied is in the Maildir, and no other')
  assert.deepEqual(tmpFiles(w.mail), [], 'no message left half-written in tmp/')
  assert.equal(existsSync(w.lock), false, 'the lock is released')
  assert.match(end.stderr, /SIGTERM: stopping cleanly/)

  const again = startCli(['backup', '-c', w.config, '--json'], w.env)
  const next = await again.ended
  assert.equal(next.code, 0, next.stderr)
  const nextDone = again.events.find((e) => e.type === 'run-done')!
  assert.equal(nextDone.counts.copiedAtoB, total - copied, 'the next run copies only the rest')
  await assertExact('term', w.mail)
})

test('SIGINT twice during a sync: the second ends it at once (130); the next run still ends exact', async () => {
  const w = world('int')
  const run = startCli(['sync', '-c', w.config, '--json'], w.env)
  await run.waitForEvent((e) => e.type === 'message-copied', 'the first copy')
  run.child.kill('SIGINT')
  await run.waitForStderr(/SIGINT: stopping cleanly/)
  run.child.kill('SIGINT')
  const end = await run.ended
  assert.equal(end.code, 130, end.stderr)
  assert.match(end.stderr, /SIGINT again: stopping now/)
  assert.equal(existsSync(w.lock), false, 'the lock is released even so')
  const again = startCli(['sync', '-c', w.config, '--json'], w.env)
  const next = await again.ended
  assert.equal(next.code, 0, next.stderr)
  const nextDone = again.events.find((e) => e.type === 'run-done')!
  assert.equal(nextDone.counts.copiedBtoA, 0, 'nothing is uploaded back to the server')
  await assertExact('int', w.mail)
})

test('SIGTERM while the connection is stalled: the run ends by itself after the stop deadline (143), the next run is exact', async () => {
  const proxy = await startFaultProxy(d.port)
  try {
    const w = world('stall', proxy.port)
    proxy.arm({ kind: 'stall', direction: 'down', afterBytes: 2_000_000 })
    const run = startCli(['backup', '-c', w.config, '--json'], w.env)
    await run.waitForEvent((e) => e.type === 'message-copied', 'the first copy')
    while (proxy.fired === 0) await new Promise((r) => setTimeout(r, 50))
    run.child.kill('SIGTERM')
    const end = await run.ended
    assert.equal(end.signal, null, 'not killed: it ended by itself')
    assert.equal(end.code, 143, end.stderr)
    assert.match(end.stderr, /still busy 8 s after SIGTERM: stopping now/)
    assert.equal(existsSync(w.lock), false, 'the lock is released')
    proxy.disarm()
    const again = startCli(['backup', '-c', w.config, '--json'], w.env)
    const next = await again.ended
    assert.equal(next.code, 0, next.stderr)
    await assertExact('stall', w.mail)
  } finally {
    await proxy.close()
  }
})

test('a watcher stopped by SIGTERM inside a round (its NOTIFY push open): clean stop with 143, not 0, lock released; the next run is exact', async () => {
  const w = world('watcher')
  const run = startCli(['backup', '-c', w.config, '--watch=60', '--json'], w.env)
  try {
    await run.waitForEvent((e) => e.type === 'message-copied', 'the first copy of the first round')
    assert.ok(run.events.some((e) => e.type === 'watch' && /watching R: NOTIFY/.test(e.message)), 'the push is open')
    run.child.kill('SIGTERM')
    const end = await run.ended
    assert.equal(end.signal, null)
    assert.equal(end.code, 143, `stopped with work left is not a success: ${end.stderr}`)
    assert.doesNotMatch(end.stderr, /stopping now/, 'it stopped cleanly, before the deadline')
    assert.ok(run.events.find((e) => e.type === 'run-done')!.counts.copiedAtoB < total, 'stopped part-way')
    assert.equal(existsSync(w.lock), false, 'the lock is released')
  } finally {
    run.child.kill('SIGKILL')
  }
  const next = await startCli(['backup', '-c', w.config, '--json'], w.env).ended
  assert.equal(next.code, 0, next.stderr)
  await assertExact('watcher', w.mail)
})

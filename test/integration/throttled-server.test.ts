// A server that throttles (the scripted server of test/support/hostile-imap.ts; no real server
// throttles on demand) against the real `mailsync backup`: answers `NO [THROTTLED]` and Gmail's
// "Account exceeded command or bandwidth limits" for the first tries, then serves; or throttles
// for ever. The first run ends exact and says it was throttled and how long it waited; the second
// stops with exit 80 (try again later), and nothing it did is lost or done twice: the next run
// against a server that serves again completes with each message stored once.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startHostileImap, type CommandContext, type HostileMessage, type HostileScript } from '../support/hostile-imap.js'
import { tempRoots } from '../support/temp-roots.js'
import { BIN } from '../e2e/cli-child.js'
import { imapRepository, maildirRepository, oneAccountConfig } from '../support/config-text.js'

const roots = tempRoots('mailsync-throttled-')

const msg = (uid: number): HostileMessage =>
  ({ uid, flags: ['\\Seen'], body: Buffer.from(`From: a@example.org\r\nMessage-ID: <t${uid}@throttle.test>\r\nSubject: message ${uid}\r\n\r\nbody ${uid}\r\n`) })
const MESSAGES = [1, 2, 3, 4, 5].map(msg)
const lf = (b: Buffer) => b.toString('latin1').replace(/\r\n/g, '\n')

interface Run { code: number | null; stdout: string; stderr: string; events: Record<string, unknown>[] }

async function backup(base: string, port: number, json: boolean, budgetSeconds = 60): Promise<Run> {
  const config = join(base, 'config')
  writeFileSync(config, oneAccountConfig({
    metadata: join(base, 'state'),
    remote: imapRepository('R', { server: `remoteport = ${port}\nssl = no\nstarttls = no\ntimeout = 5`, user: 'u', password: 'pw', extra: `maxthrottlewait = ${budgetSeconds}\n` }),
    local: maildirRepository('L', join(base, 'mail')),
  }), { mode: 0o600 })
  const child = spawn(process.execPath, [BIN, 'backup', '-c', config, ...(json ? ['--json'] : [])], { env: { ...process.env, HOME: base }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c) => (stdout += c))
  child.stderr.on('data', (c) => (stderr += c))
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)))
  const events = json ? stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>) : []
  return { code, stdout, stderr, events }
}

/** Stored messages of INBOX (LF form), from cur/ and new/. */
function storedInbox(base: string): string[] {
  const dir = join(base, 'mail', 'INBOX')
  return ['cur', 'new'].flatMap((d) => {
    try {
      return readdirSync(join(dir, d)).map((f) => readFileSync(join(dir, d, f), 'latin1'))
    } catch {
      return []
    }
  }).sort()
}

const isBodyFetch = (c: CommandContext) => c.command === 'UID FETCH' && /BODY\.PEEK\[\]/i.test(c.args)

/** Answers the first `n` commands that `which` picks with the throttle replies, in turn; then serves. */
function throttleFirst(n: number, which: (c: CommandContext) => boolean, replies: string[]): HostileScript['hooks'] & { count: () => number } {
  let seen = 0
  return {
    count: () => seen,
    command(c) {
      if (!which(c) || seen >= n) return false
      c.write(`${c.tag} ${replies[seen++ % replies.length]}\r\n`)
      return true
    },
  }
}

test('throttled for the first tries (SELECT and FETCH, [THROTTLED] and Gmail\'s words): the backup completes exactly and says how long it waited', async () => {
  const base = await roots.fresh()
  mkdirSync(join(base, 'mail'))
  const replies = ['NO [THROTTLED] Too many commands, slow down', 'NO [ALERT] Account exceeded command or bandwidth limits. (Failure)']
  const select = throttleFirst(1, (c) => c.command === 'SELECT' || c.command === 'EXAMINE', replies.slice(1))
  const fetch = throttleFirst(2, isBodyFetch, replies)
  const srv = await startHostileImap({
    folders: [{ name: 'INBOX', uidValidity: 7, messages: MESSAGES }],
    hooks: { command: (c) => select.command!(c) || fetch.command!(c) },
  })
  try {
    const r = await backup(base, srv.port, true)
    assert.equal(r.code, 0, r.stderr + r.stdout)
    assert.equal(select.count(), 1)
    assert.equal(fetch.count(), 2)
    assert.deepEqual(storedInbox(base), MESSAGES.map((m) => lf(m.body)).sort(), 'every message once, byte-exact')
    const throttled = r.events.filter((e) => e.type === 'throttled')
    assert.ok(throttled.length >= 2, `throttled events: ${JSON.stringify(throttled)}`)
    assert.ok(throttled.some((e) => String(e.message).includes('Account exceeded command or bandwidth limits')))
    assert.ok(throttled.every((e) => e.repository === 'R' && typeof e.waitMs === 'number'))
    const done = r.events.find((e) => e.type === 'run-done')!
    assert.equal(done.throttledTimes, throttled.length)
    assert.equal(done.throttledMs, throttled.reduce((n, e) => n + (e.waitMs as number), 0))
    assert.ok((done.throttledMs as number) >= 2000, 'the pauses are real: 1 s and more each')
    assert.equal((done.counts as { failed: number }).failed, 0, 'a throttle reply is no failure')
    assert.ok(!r.events.some((e) => e.type === 'error'), 'no error')
  } finally {
    await srv.close()
  }
  // the text summary says it too (a new world, same script)
  const base2 = await roots.fresh()
  mkdirSync(join(base2, 'mail'))
  const again = throttleFirst(2, isBodyFetch, ['NO [THROTTLED] slow down']) // the first refused is sent again by imapflow at once
  const srv2 = await startHostileImap({ folders: [{ name: 'INBOX', uidValidity: 7, messages: MESSAGES }], hooks: { command: (c) => again.command!(c) } })
  try {
    const r = await backup(base2, srv2.port, false)
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /^throttled by the server 1 time: waited 1(\.0)? s in all before trying again/m)
    assert.match(r.stderr, /^warning: t: repository R: fetching messages from INBOX throttled by the server \(\[THROTTLED\] slow down\); waiting 1 s before trying again/m)
  } finally {
    await srv2.close()
  }
})

test('a server that throttles for ever: exit 80 with a clear error, nothing lost, and the next run completes with each message once', async () => {
  const base = await roots.fresh()
  mkdirSync(join(base, 'mail'))
  // INBOX is served; Work's bodies are always throttled
  const work = [6, 7, 8].map(msg)
  const always = throttleFirst(Infinity, (c) => isBodyFetch(c) && c.selected?.name === 'Work', ['NO [THROTTLED] Try again later'])
  const script: HostileScript = {
    folders: [{ name: 'INBOX', uidValidity: 7, messages: MESSAGES }, { name: 'Work', uidValidity: 9, messages: work }],
    hooks: { command: (c) => always.command!(c) },
  }
  const srv = await startHostileImap(script)
  let first: Run
  try {
    first = await backup(base, srv.port, true, 3)
  } finally {
    await srv.close()
  }
  assert.equal(first.code, 80, first.stderr + first.stdout)
  const errors = first.events.filter((e) => e.type === 'error')
  assert.ok(errors.some((e) => e.kind === 'throttled' && /still throttled after waiting 3 s in all \(maxthrottlewait = 3\)/.test(String(e.message))), JSON.stringify(errors))
  assert.doesNotMatch(first.stderr, /\n\s+at .+:\d+:\d+\)?/, 'no stack trace')
  const waits = first.events.filter((e) => e.type === 'throttled').map((e) => e.waitMs)
  assert.deepEqual(waits, [1000, 2000], 'doubling pauses within maxthrottlewait, then the error')
  // whatever the first run stored is whole (INBOX may be done, Work not)
  const before = storedInbox(base)
  for (const b of before) assert.ok(MESSAGES.some((m) => lf(m.body) === b))

  // the provider serves again: the next run completes, nothing twice
  script.hooks = undefined
  const srv2 = await startHostileImap(script)
  try {
    const r = await backup(base, srv2.port, true, 3)
    assert.equal(r.code, 0, r.stderr + r.stdout)
  } finally {
    await srv2.close()
  }
  assert.deepEqual(storedInbox(base), MESSAGES.map((m) => lf(m.body)).sort())
  const workDir = join(base, 'mail', 'Work')
  const workFiles = ['cur', 'new'].flatMap((d) => readdirSync(join(workDir, d)).map((f) => readFileSync(join(workDir, d, f), 'latin1'))).sort()
  assert.deepEqual(workFiles, work.map((m) => lf(m.body)).sort(), 'Work complete, each message once')
})

test('BYE [UNAVAILABLE] at the greeting and a BYE with Gmail\'s words in a session: waited for, the backup completes exactly', async () => {
  const base = await roots.fresh()
  mkdirSync(join(base, 'mail'))
  let byes = 0
  const srv = await startHostileImap({
    folders: [{ name: 'INBOX', uidValidity: 7, messages: MESSAGES }],
    hooks: {
      greeting: (n) => (n <= 1 ? '* BYE [UNAVAILABLE] Server busy, try again later' : undefined),
      command(c) {
        if ((c.command === 'SELECT' || c.command === 'EXAMINE') && byes++ === 0) {
          c.write('* BYE [ALERT] Account exceeded command or bandwidth limits.\r\n')
          c.destroy()
          return true
        }
        return false
      },
    },
  })
  try {
    const r = await backup(base, srv.port, true)
    assert.equal(r.code, 0, r.stderr + r.stdout)
    assert.deepEqual(storedInbox(base), MESSAGES.map((m) => lf(m.body)).sort(), 'every message once, byte-exact')
    const said = r.events.filter((e) => e.type === 'throttled' || e.type === 'warning').map((e) => String(e.message))
    assert.ok(said.some((m) => /Server busy/.test(m)), `the greeting's BYE is told: ${said.join(' | ')}`)
    assert.ok(said.some((m) => /Account exceeded command or bandwidth limits/.test(m)), `the session's BYE is told: ${said.join(' | ')}`)
    assert.ok(!r.events.some((e) => e.type === 'error'), 'no error')
  } finally {
    await srv.close()
  }
})

test('a throttled login (Gmail\'s words on a NO) is waited for and tried again, not taken for a wrong password', async () => {
  const base = await roots.fresh()
  mkdirSync(join(base, 'mail'))
  const login = throttleFirst(1, (c) => c.command === 'LOGIN' || c.command === 'AUTHENTICATE', ['NO [ALERT] Account exceeded command or bandwidth limits.'])
  const srv = await startHostileImap({ folders: [{ name: 'INBOX', uidValidity: 7, messages: MESSAGES }], hooks: { command: (c) => login.command!(c) } })
  try {
    const r = await backup(base, srv.port, true)
    assert.equal(r.code, 0, r.stderr + r.stdout)
    assert.equal(login.count(), 1)
    assert.ok(r.events.some((e) => e.type === 'throttled' && /connecting to/.test(String(e.message))), 'the pause is told')
    assert.deepEqual(storedInbox(base), MESSAGES.map((m) => lf(m.body)).sort())
  } finally {
    await srv.close()
  }
})

test('Microsoft\'s "Request is throttled. Suggested Backoff Time" (a BAD): the suggested wait is honoured, counted once, and the backup completes', async () => {
  const base = await roots.fresh()
  mkdirSync(join(base, 'mail'))
  const select = throttleFirst(2, (c) => c.command === 'SELECT' || c.command === 'EXAMINE', ['BAD Request is throttled. Suggested Backoff Time: 700 milliseconds'])
  const srv = await startHostileImap({ folders: [{ name: 'INBOX', uidValidity: 7, messages: MESSAGES }], hooks: { command: (c) => select.command!(c) } })
  try {
    const r = await backup(base, srv.port, true)
    assert.equal(r.code, 0, r.stderr + r.stdout)
    assert.equal(select.count(), 2)
    assert.deepEqual(storedInbox(base), MESSAGES.map((m) => lf(m.body)).sort())
    const waits = r.events.filter((e) => e.type === 'throttled').map((e) => e.waitMs)
    assert.deepEqual(waits, [700, 700], 'each pause is the suggested one (imapflow waits it, mailsync counts it, neither waits twice)')
  } finally {
    await srv.close()
  }
})

// A hostile IMAP server (test/support/hostile-imap.ts, for what Dovecot will not do) against the
// real `mailsync backup`: folder names `../x`, `/abs`, `.`, with control characters; a flag named
// `../x`; a lying RFC822.SIZE; unasked and duplicated FETCH responses; UIDVALIDITY changing between
// SELECTs; a 1 MB line; BYE in the middle of a literal. Each run goes into a Maildir whose root
// already holds a folder with mail. For each: the run ends by itself (timeout = 3) with a
// documented exit code and no stack trace, nothing is written outside the Maildir root and the
// status cache, the existing mail is byte-identical, and what was stored equals the real bytes.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, readdirSync, lstatSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { startHostileImap, fetchResponse, type HostileScript, type HostileMessage } from '../support/hostile-imap.js'
import { tempRoots } from '../support/temp-roots.js'
import { BIN } from '../e2e/cli-child.js'
import { imapRepository, maildirRepository, oneAccountConfig } from '../support/config-text.js'

const roots = tempRoots('mailsync-hostile-server-')
const OLD = Buffer.from('From: old@example.org\nMessage-ID: <old@test>\nSubject: old\n\nkept as it is\n')
const DOCUMENTED = new Set([0, 65, 69, 74, 75, 76])

const msg = (uid: number, text = `message ${uid}`, flags: string[] = ['\\Seen']): HostileMessage =>
  ({ uid, flags, body: Buffer.from(`From: a@example.org\r\nMessage-ID: <m${uid}-${text.length}@hostile.test>\r\nSubject: ${text}\r\n\r\n${text}\r\n`) })

interface Run { code: number | null; signal: NodeJS.Signals | null; stderr: string; errors: string[]; files: Map<string, Buffer>; base: string; root: string }

/** Every regular file under `dir`, by path relative to `base`. */
function scan(dir: string, base: string, out = new Map<string, Buffer>()): Map<string, Buffer> {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e)
    const st = lstatSync(p)
    if (st.isDirectory()) scan(p, base, out)
    else out.set(relative(base, p), st.isFile() ? readFileSync(p) : Buffer.from('<not a file>'))
  }
  return out
}

/** A world: `<base>/mail` (with folder Old holding one message), `<base>/state`, `<base>/config`. */
async function world(): Promise<{ base: string; root: string; config: (port: number) => string }> {
  const base = await roots.fresh()
  const root = join(base, 'mail')
  mkdirSync(join(root, 'Old', 'cur'), { recursive: true })
  mkdirSync(join(root, 'Old', 'new'))
  mkdirSync(join(root, 'Old', 'tmp'))
  writeFileSync(join(root, 'Old', 'cur', '1700000000.M1P1.host,U=1:2,S'), OLD)
  const config = (port: number) => {
    const file = join(base, 'config')
    writeFileSync(file, oneAccountConfig({
      metadata: join(base, 'state'),
      remote: imapRepository('R', { server: `remoteport = ${port}\nssl = no\nstarttls = no\ntimeout = 3`, user: 'u', password: 'pw' }),
      local: maildirRepository('L', root),
    }), { mode: 0o600 })
    return file
  }
  return { base, root, config }
}

/** The CLI as a child (asynchronously: the scripted server runs in this process); killed only after 60 s. */
async function backup(w: { base: string; root: string }, config: string, command = 'backup'): Promise<Run> {
  const child = spawn(process.execPath, [BIN, command, '-c', config, '--json'], { env: { ...process.env, HOME: w.base }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c) => (stdout += c))
  child.stderr.on('data', (c) => (stderr += c))
  const [status, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])))
  const r = { status, signal, stdout, stderr }
  const errors: string[] = []
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue
    const e = JSON.parse(line)
    if (e.type === 'error') errors.push(`${e.kind}: ${e.message}`)
  }
  return { code: r.status, signal: r.signal, stderr: r.stderr, errors, files: scan(w.base, w.base), base: w.base, root: w.root }
}

/** What every hostile run must keep: ended by itself, documented code, no stack, nothing outside, old mail intact. */
function assertContained(r: Run): void {
  assert.equal(r.signal, null, 'the run ended by itself (not killed by the test timeout)')
  assert.ok(DOCUMENTED.has(r.code!), `documented exit code, got ${r.code}; stderr: ${r.stderr}`)
  assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+\)?/, 'no stack trace')
  for (const p of r.files.keys()) assert.ok(p === 'config' || p.startsWith('mail/') || p.startsWith('state/'), `written outside the Maildir root: ${p}`)
  assert.deepEqual(r.files.get('mail/Old/cur/1700000000.M1P1.host,U=1:2,S'), OLD, 'existing mail byte-identical')
  assert.ok(![...r.files.keys()].some((p) => /\/tmp\/[^/]+$/.test(p) && p.startsWith('mail/')), 'no file left in a tmp/')
}

/** Stored messages (LF form) by folder directory, from cur/ and new/ under the root. */
function stored(r: Run): Map<string, Buffer[]> {
  const out = new Map<string, Buffer[]>()
  for (const [p, b] of r.files) {
    const m = /^mail\/(.+)\/(cur|new)\/[^/]+$/.exec(p)
    if (!m || m[1] === 'Old') continue
    out.set(m[1]!, [...(out.get(m[1]!) ?? []), b])
  }
  return out
}

const lf = (b: Buffer) => Buffer.from(b.toString('latin1').replace(/\r\n/g, '\n'), 'latin1')

async function run(script: HostileScript, command = 'backup'): Promise<Run> {
  const w = await world()
  const srv = await startHostileImap(script)
  try {
    const r = await backup(w, w.config(srv.port), command)
    if (process.env.HOSTILE_DEBUG) console.log(srv.commands, r.stderr)
    return r
  } finally {
    await srv.close()
  }
}

test('a well-behaved script: backup copies its messages byte-exact (the server model works)', async () => {
  const r = await run({ folders: [{ name: 'INBOX', uidValidity: 7, messages: [msg(1), msg(2), msg(5)] }] })
  assertContained(r)
  assert.equal(r.code, 0, r.stderr + r.errors.join('\n'))
  assert.deepEqual(stored(r).get('INBOX')?.map((b) => b.toString()).sort(), [msg(1), msg(2), msg(5)].map((m) => lf(m.body).toString()).sort())
})

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

type World = Awaited<ReturnType<typeof world>>

/** One run of `command` against `script` (made for the world, which is new unless given). */
async function run(script: HostileScript | ((w: World) => HostileScript), command = 'backup', given?: World): Promise<Run> {
  const w = given ?? (await world())
  const srv = await startHostileImap(typeof script === 'function' ? script(w) : script)
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

const folderMessage = (uid: number, folder: string): HostileMessage => msg(uid, `in folder ${JSON.stringify(folder)}`)

for (const [separator, command] of [['/', 'backup'], ['.', 'backup'], ['/', 'sync']] as const) {
  test(`${command}: folder names ../x, .., ., an absolute path, control characters, cur (separator ${separator}): nothing outside the root, no crash`, async () => {
    let names: string[] = []
    let abs = ''
    const r = await run((w) => {
      abs = join(w.base, 'ESCAPED')
      names = ['INBOX', '../x', `..${separator}..${separator}y`, '..', '.', abs, 'ctl\x01x', 'new\r\nline', 'tab\there', 'cur', `a${separator}cur`, `a${separator}..${separator}b`]
      return { separator, folders: names.map((name, i) => ({ name, uidValidity: 100 + i, messages: [folderMessage(1, name)] })) }
    }, command)
    assertContained(r)
    assert.ok(!existsSync(abs), 'the absolute folder name made nothing at that path')
    // every message stored is one of the real ones, byte-exact, and once
    const all = [...stored(r).values()].flat().map((b) => b.toString('latin1'))
    const real = new Set(names.map((n) => lf(folderMessage(1, n).body).toString('latin1')))
    for (const b of all) assert.ok(real.has(b), `a stored message is one the server sent: ${b.slice(0, 80)}`)
    assert.equal(new Set(all).size, all.length, 'no message stored twice')
    assert.ok(stored(r).get('INBOX')?.length === 1, 'INBOX was backed up')
    if (all.length < names.length) {
      // a folder it would not store must be named in a one-line error
      assert.notEqual(r.code, 0, 'a folder left out is not a success')
      // one error per folder left out, and each names its folder (as the server sent it, or its last level)
      assert.ok(r.errors.length >= names.length - all.length, `each folder left out is reported: ${r.errors.join(' | ')}`)
      for (const n of names) {
        const stem = n.split(separator).filter(Boolean).pop() ?? n
        assert.ok(!n || r.errors.some((e) => e.includes(JSON.stringify(n).slice(1, -1)) || e.includes(n) || e.includes(stem)) || all.some((b) => b.includes(JSON.stringify(n))), `folder ${JSON.stringify(n)} stored or named in an error`)
      }
    }
    console.log(`# ${command}, separator ${separator}: ${all.length}/${names.length} folders stored (${[...stored(r).keys()].map((k) => JSON.stringify(k)).join(', ')}), exit ${r.code}; ${r.errors.join(' | ').slice(0, Number(process.env.HOSTILE_LOG ?? 300))}`)
  })
}

for (const command of ['backup', 'sync']) test(`${command}: a flag named ../x makes no path and keeps a valid Maildir file name`, async () => {
  const m = msg(1, 'flagged', ['\\Seen', '../x', '..', 'a/b', 'x:2,T'])
  const r = await run({ folders: [{ name: 'INBOX', uidValidity: 7, messages: [m] }] }, command)
  assertContained(r)
  const files = [...r.files.keys()].filter((p) => /^mail\/INBOX\/(cur|new)\//.test(p))
  assert.equal(files.length, 1, `one file: ${files.join(', ')}`)
  assert.match(files[0]!, /^mail\/INBOX\/(cur|new)\/[^/]+$/)
  assert.equal((files[0]!.match(/:2,/g) ?? []).length, 1, `one info suffix in ${files[0]}`)
  assert.deepEqual(r.files.get(files[0]!), lf(m.body))
})

test('a lying RFC822.SIZE (smaller and larger than the body): the stored bytes are the real body', async () => {
  const small = { ...msg(1, 'size says 10'), reportedSize: 10 }
  const big = { ...msg(2, 'size says 100000'), reportedSize: 100_000 }
  const zero = { ...msg(3, 'size says 0'), reportedSize: 0 }
  const r = await run({ folders: [{ name: 'INBOX', uidValidity: 7, messages: [small, big, zero] }] })
  assertContained(r)
  assert.equal(r.code, 0, r.stderr + r.errors.join('\n'))
  assert.deepEqual(stored(r).get('INBOX')?.map((b) => b.toString()).sort(), [small, big, zero].map((m) => lf(m.body).toString()).sort())
})

test('duplicated and unasked UIDs in FETCH responses: no duplicate file, nothing for the unasked UID', async () => {
  const ms = [msg(1), msg(2), msg(3)]
  const ghost = msg(99, 'never asked for')
  const r = await run({
    folders: [{ name: 'INBOX', uidValidity: 7, messages: ms }],
    hooks: {
      fetchResponse: (ctx, m, std) => {
        // each answer twice (listing and bodies); with the bodies, one for a UID nobody asked for
        // and that the listing never had
        if (!/BODY/i.test(ctx.args)) return Buffer.concat([std, std])
        return Buffer.concat([std, std, fetchResponse(1, ghost, ctx.args.slice(ctx.args.indexOf(' ') + 1))])
      },
    },
  })
  assertContained(r)
  const got = stored(r).get('INBOX')?.map((b) => b.toString()).sort()
  assert.deepEqual(got, ms.map((m) => lf(m.body).toString()).sort(), `exit ${r.code} ${r.errors.join(' | ')}`)
})

test('UIDVALIDITY changing between SELECTs: no mail lost locally, handled as a UIDVALIDITY change', async () => {
  const w = await world()
  const folder = { name: 'INBOX', uidValidity: 7, messages: [msg(1), msg(2)] }
  const first = await run({ folders: [folder] }, 'backup', w)
  assert.equal(first.code, 0, first.stderr)
  // now each SELECT/EXAMINE answers a new UIDVALIDITY (STATUS said the old one), and UIDs are renumbered
  const again = { name: 'INBOX', uidValidity: 7, messages: [{ ...msg(1), uid: 11 }, { ...msg(2), uid: 12 }, { ...msg(3), uid: 13 }] }
  const second = await run({
    folders: [again],
    hooks: { command: (ctx) => { if (ctx.command === 'SELECT' || ctx.command === 'EXAMINE') again.uidValidity = 7 + ctx.selects; return false } },
  }, 'backup', w)
  assertContained(second)
  console.log(`# uidvalidity change: exit ${second.code}; ${second.errors.join(' | ').slice(0, 400)}`)
  const bodies = (stored(second).get('INBOX') ?? []).map((b) => b.toString())
  for (const m of [msg(1), msg(2)]) assert.ok(bodies.includes(lf(m.body).toString()), 'a message backed up before is still there')
  if (second.code === 0) assert.ok(bodies.includes(lf(msg(3).body).toString()), 'a run that says ok copied the new message')
  else assert.ok(second.errors.some((e) => /uidvalidity/i.test(e)), `the error names UIDVALIDITY: ${second.errors.join(' | ')}`)
})

test('a 1 MB line (an untagged response and a message header): no crash, the message byte-exact', async () => {
  const long = Buffer.from(`From: a@example.org\r\nX-Long: ${'y'.repeat(1024 * 1024)}\r\nSubject: long\r\n\r\nbody\r\n`)
  const m: HostileMessage = { uid: 1, flags: [], body: long }
  const r = await run({
    folders: [{ name: 'INBOX', uidValidity: 7, messages: [m, msg(2)] }],
    hooks: { command: (ctx) => { if (ctx.command === 'UID FETCH') ctx.write(`* OK ${'z'.repeat(1024 * 1024)}\r\n`); return false } },
  })
  assertContained(r)
  assert.equal(r.code, 0, r.stderr + r.errors.join('\n'))
  assert.deepEqual(stored(r).get('INBOX')?.map((b) => b.toString()).sort(), [m, msg(2)].map((x) => lf(x.body).toString()).sort())
})

test('BYE in the middle of a literal: a network error, no partial file, the next run completes', async () => {
  const w = await world()
  const ms = [msg(1), msg(2, 'x'.repeat(5000)), msg(3)]
  const folders = () => [{ name: 'INBOX', uidValidity: 7, messages: ms }]
  const first = await run({
    folders: folders(),
    hooks: {
      command: (ctx) => {
        if (ctx.command !== 'UID FETCH' || !/BODY/i.test(ctx.args)) return false
        const body = ms[1]!.body
        ctx.write(fetchResponse(1, ms[0]!, 'UID BODY.PEEK[]'))
        ctx.write(Buffer.concat([Buffer.from(`* 2 FETCH (UID 2 BODY[] {${body.length}}\r\n`), body.subarray(0, 2000), Buffer.from('\r\n* BYE shutting down\r\n')]))
        ctx.destroy()
        return true
      },
    },
  }, 'backup', w)
  assertContained(first)
  assert.ok([69, 75].includes(first.code!), `a network error or partial run, got ${first.code}: ${first.stderr}`)
  assert.ok(first.errors.length > 0 && first.errors.every((e) => !e.includes('\n')), `one-line errors: ${first.errors.join(' | ')}`)
  for (const b of stored(first).get('INBOX') ?? []) assert.ok(ms.some((m) => lf(m.body).equals(b)), 'no partial message in cur/ or new/')
  const second = await run({ folders: folders() }, 'backup', w)
  assertContained(second)
  assert.equal(second.code, 0, second.stderr)
  assert.deepEqual(stored(second).get('INBOX')?.map((b) => b.toString()).sort(), ms.map((m) => lf(m.body).toString()).sort())
})

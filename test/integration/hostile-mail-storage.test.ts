// What a Maildir holds of broken and hostile mail from a real Dovecot (issue 17; the server-side
// round trip is in hostile-mail.test.ts): one file per message, a bare CR stored as sent, a NUL as
// Dovecot serves it (0x80), both same-Message-ID messages; with the default Maildir sep '.', the
// folders holding a '.' fail alone with one clear data error each; a leading-dot folder, which has
// no Maildir spelling, is backed up and restored under its own name through nametrans (the hint
// the error gives). Also: re-backup copies nothing, restore and migrate are byte-exact, nothing
// is written outside the Maildir root. Dovecot refuses `..`, `../x`, `/abs`, `cur`, `new`,
// `x/cur`, and any name holding '/' with separator '.' (listed as a diagnostic); those names are
// played by test/support/hostile-imap.ts (hostile-server.test.ts).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtempSync, writeFileSync, rmSync, readdirSync, lstatSync, realpathSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { spawnSync } from 'node:child_process'
import { ImapFlow } from 'imapflow'
import { startDovecot, type DovecotInstance, TEST_PASSWORD } from '../support/dovecot.js'
import { BIN } from '../e2e/cli-child.js'
import { imapRepository, plainServer, maildirRepository } from '../support/config-text.js'

let srv: DovecotInstance
let dir: string

before(async () => {
  srv = await startDovecot({ users: ['src', 'dst', 'mig', 'nt'], layout: 'fs' })
  dir = mkdtempSync(join(tmpdir(), 'mailsync-hostile-store-'))
})
after(async () => {
  await srv?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const b = (s: string, enc: BufferEncoding = 'latin1') => Buffer.from(s, enc)

/** The hostile messages, by a short name. */
const MESSAGES: Record<string, Buffer> = {
  nul: b('From: a@example.org\r\nSubject: nul\r\nMessage-ID: <nul@h>\r\n\r\nbefore\0after\r\n'),
  bareCr: b('From: a@example.org\r\nSubject: bare cr\r\nMessage-ID: <cr@h>\r\n\r\nline one\rline two\r\n'),
  bareLf: b('From: a@example.org\nSubject: bare lf\nMessage-ID: <lf@h>\n\nline one\nline two\n'),
  mixed: b('From: a@example.org\r\nSubject: mixed\nMessage-ID: <mixed@h>\r\n\nbody\rmore\nend\r\n'),
  eightBit: Buffer.concat([b('From: J\xf6rg <j@example.org>\r\nSubject: Gr\xfc\xdfe latin-1\r\n'), b('X-Utf8: Grüße 📬\r\nMessage-ID: <8bit@h>\r\n\r\nk\xf6rper\r\n')]),
  noHeader: b('no header here, only text\r\nsecond line\r\n'),
  oneLine: b('Subject: one line and nothing else'),
  longHeader: b(`From: a@example.org\r\nX-Long: ${'x'.repeat(100 * 1024)}\r\nSubject: long header\r\nMessage-ID: <long@h>\r\n\r\nbody\r\n`),
  dupA: b('From: a@example.org\r\nSubject: dup A\r\nMessage-ID: <same@h>\r\n\r\nfirst body\r\n'),
  dupB: b('From: a@example.org\r\nSubject: dup B\r\nMessage-ID: <same@h>\r\n\r\nsecond, different body\r\n'),
}

/** Folder names tried on the source account (Maildir layout fs, separator '/'). */
const FOLDERS = ['..', 'a..b', 'back\\slash', '.hidden', 'cur', 'x/cur', 'new', 'Post 📬 Ü', 'L'.repeat(200), '../escape', '/abs']

function client(user: string): ImapFlow {
  return new ImapFlow({ host: '127.0.0.1', port: srv.port, secure: false, doSTARTTLS: false, auth: { user, pass: TEST_PASSWORD }, logger: false })
}

async function imap<T>(user: string, fn: (c: ImapFlow) => Promise<T>): Promise<T> {
  const c = client(user)
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.logout().catch(() => undefined)
  }
}

const sha = (x: Buffer) => createHash('sha256').update(x).digest('hex').slice(0, 20)

/** Per folder: the sorted SHA-256 of every message's BODY[] as the server serves it. */
async function serverBytes(user: string): Promise<Record<string, string[]>> {
  return imap(user, async (c) => {
    const out: Record<string, string[]> = {}
    for (const f of await c.list()) {
      if (f.flags.has('\\Noselect') || f.flags.has('\\NonExistent')) continue
      const lock = await c.getMailboxLock(f.path, { readOnly: true })
      try {
        const got: string[] = []
        if ((c.mailbox as { exists: number }).exists > 0) for await (const m of c.fetch('1:*', { source: true })) got.push(sha(m.source!))
        if (got.length > 0) out[f.path] = got.sort()
      } finally {
        lock.release()
      }
    }
    return out
  })
}

function config(name: string, pairs: { source: string; dst: string; mig: string }, sep = '/', o: { remote?: string; local?: string } = {}): { file: string; root: string } {
  const root = join(dir, `maildir-${name}`)
  const file = join(dir, `${name}.conf`)
  const repos = Object.entries(pairs).map(([repo, user]) => imapRepository(repo, { server: plainServer(srv), user, extra: `timeout = 10\n${o.remote ?? ''}` })).join('\n')
  writeFileSync(file, `[general]\nmetadata = ${join(dir, `state-${name}`)}\n\n[Account arch]\nremoterepository = source\nlocalrepository = backup\n\n${repos}\n${maildirRepository('backup', root, `sep = ${sep}\n${o.local ?? ''}`)}`, { mode: 0o600 })
  return { file, root }
}

interface Run { code: number | null; signal: NodeJS.Signals | null; stderr: string; counts: Record<string, number>; errors: string[] }

function cli(args: string[]): Run {
  const r = spawnSync(process.execPath, [BIN, ...args, '--json'], { encoding: 'utf8', env: { ...process.env }, timeout: 300_000, maxBuffer: 64 << 20 })
  let counts: Record<string, number> = {}
  const errors: string[] = []
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue
    const e = JSON.parse(line)
    if (e.type === 'run-done') counts = e.counts
    if (e.type === 'error') errors.push(`${e.kind}: ${e.message}`)
  }
  return { code: r.status, signal: r.signal, stderr: r.stderr, counts, errors }
}

/** Every path under `top` (not following symlinks), relative to it. */
function tree(top: string): string[] {
  const out: string[] = []
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e)
      out.push(relative(top, p))
      if (lstatSync(p).isDirectory()) walk(p)
    }
  }
  walk(top)
  return out
}

/** Nothing but the config files, status caches and Maildir roots in the test directory; no symlink in a root. */
function assertNothingOutside(roots: string[]): void {
  const allowed = new Set(roots.map((r) => relative(dir, r)))
  for (const e of readdirSync(dir)) {
    assert.ok(e.endsWith('.conf') || e.startsWith('state-') || allowed.has(e), `unexpected ${e} in the test directory`)
  }
  for (const r of roots) {
    for (const p of tree(r)) {
      assert.ok(!lstatSync(join(r, p)).isSymbolicLink(), `no symlink in the Maildir: ${p}`)
      assert.ok(realpathSync(join(r, p)).startsWith(realpathSync(r) + '/'), `${p} is inside ${r}`)
    }
  }
  for (const name of FOLDERS.filter((f) => f.startsWith('/'))) assert.ok(!readdirSync('/').includes(name.slice(1)), `nothing at ${name}`)
}

test('hostile messages in hostile folder names: backup, re-backup, restore and migrate keep every byte, double nothing, write nothing outside the root', async (t) => {
  const refused: string[] = []
  const accepted: string[] = ['INBOX']
  await imap('src', async (c) => {
    for (const f of FOLDERS) {
      try {
        await c.mailboxCreate(f)
        accepted.push(f)
      } catch (err) {
        refused.push(`${f}: ${(err as { responseText?: string }).responseText ?? String(err)}`)
      }
    }
    for (const f of accepted) {
      for (const [name, body] of Object.entries(MESSAGES)) {
        try {
          await c.append(f, body, name === 'dupA' ? ['\\Seen'] : [])
        } catch (err) {
          refused.push(`${name} in ${f}: ${(err as { responseText?: string }).responseText ?? String(err)}`)
        }
      }
    }
  })
  t.diagnostic(`Dovecot accepted folders: ${JSON.stringify(accepted)}`)
  t.diagnostic(`Dovecot refused: ${JSON.stringify(refused)}`)
  for (const must of ['a..b', 'back\\slash', '.hidden', 'Post 📬 Ü', 'L'.repeat(200)]) assert.ok(accepted.includes(must), `Dovecot (layout fs) accepts ${must}`)
  const original = await serverBytes('src')
  const total = Object.values(original).reduce((n, v) => n + v.length, 0)
  assert.ok(total >= accepted.length * 9, `the hostile messages are on the source (${total})`)
  for (const v of Object.values(original)) assert.equal(new Set(v).size, v.length, 'the two same-Message-ID messages are two')

  const { file, root } = config('h', { source: 'src', dst: 'dst', mig: 'mig' })
  // A server folder whose name starts with "." has no Maildir spelling (a hidden directory, or
  // Maildir++'s hierarchy): backup refuses that folder alone, with one clear data error, and goes on.
  const hidden = original['.hidden']?.length ?? 0
  const { ['.hidden']: _refused, ...storable } = original
  const first = cli(['backup', '-c', file, 'arch'])
  assert.equal(first.signal, null)
  assert.equal(first.code, 75, first.stderr + first.errors.join('\n'))
  assert.equal(first.errors.length, 1, first.errors.join('\n'))
  assert.match(first.errors[0]!, /^data: folder \.hidden -> \.hidden: invalid Maildir folder name "\.hidden"/)
  assert.equal(first.counts.copiedAtoB, total - hidden)
  assert.doesNotMatch(first.stderr, /\n\s+at /, 'no stack trace')
  assertNothingOutside([root])

  // in the Maildir, what cannot round-trip through LF is stored as sent: the bare CR is there, and
  // the NUL as Dovecot serves it (0x80: Dovecot 2.3 replaces NUL in FETCH BODY[] without BINARY)
  const files = tree(root).filter((p) => /\/(cur|new)\/[^/]+$/.test(p)).map((p) => readFileSync(join(root, p)))
  assert.equal(files.length, total - hidden, 'one file per message')
  assert.equal(files.filter((f) => f.includes(Buffer.from('before\x80after', 'latin1'))).length, accepted.length - 1)
  assert.equal(files.filter((f) => f.includes('line one\rline two')).length, accepted.length - 1)
  assert.equal(files.filter((f) => f.includes('<same@h>')).length, 2 * (accepted.length - 1), 'both same-Message-ID messages, in every folder')

  const again = cli(['backup', '-c', file, 'arch'])
  assert.equal(again.code, 75, again.stderr + again.errors.join('\n'))
  assert.equal(again.counts.copiedAtoB, 0, 'a re-backup copies nothing')

  const restore = cli(['restore', '-c', file, 'backup', 'dst'])
  assert.equal(restore.code, 0, restore.stderr + restore.errors.join('\n'))
  assert.equal(restore.counts.copiedBtoA, total - hidden)
  assert.deepEqual(await serverBytes('dst'), storable, 'restored bytes equal the originals as served, nothing doubled')

  const migrate = cli(['migrate', '-c', file, 'source', 'mig'])
  assert.equal(migrate.code, 0, migrate.stderr + migrate.errors.join('\n'))
  assert.deepEqual(await serverBytes('mig'), original, 'migrated bytes equal the originals, nothing doubled')
  const remigrate = cli(['migrate', '-c', file, 'source', 'mig'])
  assert.equal(remigrate.code, 0)
  assert.equal(remigrate.counts.copiedAtoB ?? 0, 0, 'a second migrate copies nothing')
  assertNothingOutside([root])

  // with the default Maildir separator '.', the two names holding a '.' fail alone, each with one
  // clear data error naming it; everything else is stored
  const dotted = config('dot', { source: 'src', dst: 'dst', mig: 'mig' }, '.')
  const dot = cli(['backup', '-c', dotted.file, 'arch'])
  assert.equal(dot.code, 75, dot.stderr + dot.errors.join('\n'))
  assert.deepEqual(dot.errors.map((e) => /^data: "([^"]+)" maps to .* holds "\."/.exec(e)?.[1]).sort(), ['.hidden', 'a..b'], dot.errors.join('\n'))
  assert.equal(dot.counts.copiedAtoB, total - hidden - (original['a..b']?.length ?? 0))
  assert.doesNotMatch(dot.stderr, /\n\s+at /, 'no stack trace')
  assertNothingOutside([root, dotted.root])
})

test('the hint works: nametrans gives a leading-dot folder a Maildir name, and a restore brings it back under its own name', async () => {
  const original = await serverBytes('src')
  assert.ok(original['.hidden'], 'the first test filled the source')
  const { file, root } = config('nt', { source: 'src', dst: 'nt', mig: 'nt' }, '/', {
    remote: 'nametrans = folder => folder.replace(/^\\./, "dot-")\n',
    local: 'nametrans = folder => folder.replace(/^dot-/, ".")\n',
  })
  const r = cli(['backup', '-c', file, 'arch'])
  assert.equal(r.code, 0, r.stderr + r.errors.join('\n'))
  assert.ok(readdirSync(root).includes('dot-hidden'), readdirSync(root).join(' '))
  const restore = cli(['restore', '-c', file, 'backup', 'dst'])
  assert.equal(restore.code, 0, restore.stderr + restore.errors.join('\n'))
  assert.deepEqual(await serverBytes('nt'), original, 'every folder back, .hidden under its own name, byte-exact')
  assertNothingOutside([root, ...readdirSync(dir).filter((e) => /^maildir-(h|dot)$/.test(e)).map((e) => join(dir, e))])
})

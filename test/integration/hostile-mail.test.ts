// Broken and hostile mail through a real Dovecot: NUL bytes, bare CR, bare LF, mixed endings,
// 8-bit headers, no header at all, a 1-line message, a 100 KB header line, two messages with one
// Message-ID and different bodies, and a large attachment (HOSTILE_BIG_MB, 20 MB by default; set
// 100 for the size), in folders named with `..`, `\`, a leading dot, `cur`, an emoji and
// 200 characters (the ones Dovecot refuses are logged and left out: `cur`; mailsync refuses a
// Maildir level with a leading dot, as a one-line data error, and backs up the rest). backup -> backup again
// (nothing copied) -> restore to a fresh account -> migrate to another: the bytes on each server
// equal the originals as FETCHed (BODY[]), both same-Message-ID messages survive, nothing is
// written outside the Maildir root and the status cache.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { lstatSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import type { ImapFlow } from 'imapflow'
import { startDovecot, type DovecotInstance, TEST_PASSWORD } from '../support/dovecot.js'
import { BIN } from '../e2e/cli-child.js'
import { imapRepository, plainServer } from '../support/config-text.js'
import { withImapClient } from '../support/imap-client.js'

const BIG_MB = Number(process.env.HOSTILE_BIG_MB ?? 20)
let d: DovecotInstance
let dir: string

before(async () => {
  d = await startDovecot({ users: ['src', 'dst', 'mig'], layout: 'fs' })
  dir = mkdtempSync(join(tmpdir(), 'mailsync-hostile-mail-'))
})
after(async () => {
  await d?.stop()
  if (dir && !process.env.KEEP) rmSync(dir, { recursive: true, force: true })
})

const FOLDERS = ['INBOX', 'a..b', 'back\\slash', '.dot', 'cur', 'emoji 📬', 'L'.repeat(200)]

function messages(): Buffer[] {
  const b = (s: string) => Buffer.from(s, 'latin1')
  const hdr = (id: string) => `From: a@example.org\r\nMessage-ID: <${id}@hostile-mail.test>\r\nSubject: ${id}\r\n\r\n`
  return [
    b(hdr('nul') + 'before\x00after\r\nline\x00\x00two\r\n'),
    b(hdr('bare-cr') + 'one\rtwo\rthree\r\n'),
    b(hdr('bare-lf').replace(/\r\n/g, '\n') + 'one\ntwo\n'),
    b(hdr('mixed') + 'crlf\r\nlf only\ncr only\rend\r\n'),
    b('From: J\xf6rg <j@example.org>\r\nSubject: Gr\xfc\xdfe \xe9t\xe9\r\nMessage-ID: <8bit@hostile-mail.test>\r\n\r\nk\xf6rper\r\n'),
    b('just a body, no header at all\r\nsecond line\r\n'),
    b('one line, no newline'),
    b(`From: a@example.org\r\nMessage-ID: <longhdr@hostile-mail.test>\r\nX-Long: ${'h'.repeat(100 * 1024)}\r\n\r\nbody\r\n`),
    b(hdr('dup') + 'first body\r\n'),
    b(hdr('dup') + 'second, different body\r\n'),
  ]
}

function bigMessage(): Buffer {
  const line = 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n'
  const att = line.repeat(Math.ceil((BIG_MB * 1024 * 1024) / line.length))
  return Buffer.from(`From: a@example.org\r\nMessage-ID: <big@hostile-mail.test>\r\nSubject: big\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n--XX\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${att}--XX--\r\n`)
}

function imap<T>(user: string, fn: (c: ImapFlow) => Promise<T>): Promise<T> {
  return withImapClient(d.port, user, fn)
}

/** sha256 of every message's BODY[] per folder (sorted), folders with mail only. */
async function serverHashes(user: string): Promise<Record<string, string[]>> {
  return imap(user, async (c) => {
    const out: Record<string, string[]> = {}
    for (const f of await c.list()) {
      if (f.flags.has('\\Noselect')) continue
      const lock = await c.getMailboxLock(f.path, { readOnly: true })
      try {
        if ((c.mailbox as { exists: number }).exists === 0) continue
        const hs: string[] = []
        for await (const m of c.fetch('1:*', { source: true })) hs.push(createHash('sha256').update(m.source!).digest('hex'))
        out[f.path] = hs.sort()
      } finally {
        lock.release()
      }
    }
    return out
  })
}

function cli(args: string[]): { code: number | null; stderr: string; copied: number } {
  const r = spawnSync(process.execPath, [BIN, ...args, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 300_000 })
  let copied = -1
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue
    const e = JSON.parse(line)
    if (e.type === 'run-done') copied = e.counts.copiedAtoB + e.counts.copiedBtoA
  }
  return { code: r.status, stderr: r.stderr + r.stdout.split('\n').filter((l) => l.includes('"error"')).join('\n'), copied }
}

function everyPath(p: string, out: string[] = []): string[] {
  for (const e of readdirSync(p)) {
    const q = join(p, e)
    out.push(relative(dir, q))
    if (lstatSync(q).isDirectory()) everyPath(q, out)
  }
  return out
}

test('hostile mail in hostile folder names: backup, re-backup, restore, migrate keep every byte, no duplicate, nothing outside', async () => {
  const msgs = messages()
  const refused: string[] = []
  await imap('src', async (c) => {
    for (const folder of FOLDERS) {
      if (folder !== 'INBOX') {
        try {
          await c.mailboxCreate(folder)
        } catch (e) {
          refused.push(`${folder}: ${(e as { responseText?: string }).responseText ?? (e as Error).message}`)
          continue
        }
      }
      for (const m of msgs) await c.append(folder, m, ['\\Seen'], new Date(Date.UTC(2024, 1, 2)))
    }
    await c.append('INBOX', bigMessage(), [], new Date(Date.UTC(2024, 1, 3)))
  })
  console.log(`# Dovecot refused: ${refused.join(' | ') || 'none'}; big message ${BIG_MB} MB`)
  const original = await serverHashes('src')
  assert.ok(Object.keys(original).length >= 4, `most folders were created: ${Object.keys(original).join(', ')}`)
  for (const [f, hs] of Object.entries(original)) assert.equal(hs.length, msgs.length + (f === 'INBOX' ? 1 : 0), `every message appended in ${f}`)

  const root = join(dir, 'maildir')
  const cfg = join(dir, 'config')
  writeFileSync(cfg, `[general]\naccounts = t\nmetadata = ${join(dir, 'state')}\n\n[Account t]\nremoterepository = src\nlocalrepository = local\n\n` +
    ['src', 'dst', 'mig'].map((u) => imapRepository(u, { server: plainServer(d), user: u })).join('\n') +
    `\n[Repository local]\ntype = Maildir\nlocalfolders = ${root}\nsep = /\n`, { mode: 0o600 })

  // mailsync refuses a Maildir folder whose level starts with "." (Maildir++ would read it as a
  // hierarchy): a clear data error naming it, the other folders backed up (exit 75, run again)
  const first = cli(['backup', '-c', cfg, 't'])
  assert.equal(first.code, 75, first.stderr)
  const errs = first.stderr.split('\n').filter((l) => l.includes('"error"'))
  assert.equal(errs.length, 1, first.stderr)
  assert.match(errs[0]!, /"folder":"\.dot".*cannot start with/)
  const again = cli(['backup', '-c', cfg, 't'])
  assert.equal(again.code, 75, again.stderr)
  assert.equal(again.copied, 0, 'a second backup copies nothing')
  const backedUp = Object.fromEntries(Object.entries(original).filter(([f]) => f !== '.dot'))

  const restore = cli(['restore', '-c', cfg, 'local', 'dst'])
  assert.equal(restore.code, 0, restore.stderr)
  assert.deepEqual(await serverHashes('dst'), backedUp, 'restored bytes equal the originals as FETCHed, both duplicate Message-IDs kept')

  const migrate = cli(['migrate', '-c', cfg, 'src', 'mig'])
  assert.equal(migrate.code, 0, migrate.stderr)
  assert.deepEqual(await serverHashes('mig'), original, 'migrated bytes equal the originals')

  for (const p of everyPath(dir)) assert.ok(p === 'config' || p.startsWith('maildir') || p.startsWith('state'), `written outside the root: ${p}`)
})

// -d all: the IMAP protocol dialogue and the engine events go to the debug log (stderr, or
// --logfile), and the password never appears anywhere, in clear or inside a SASL payload.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ImapFlow } from 'imapflow'
import { startDovecot, type DovecotInstance } from '../support/dovecot.js'
import { runCli, sandbox, writeOneAccountConfig } from './cli-child.js'
import { plainServer, tlsServer } from '../support/config-text.js'

const PASSWORD = 'Distinct-Pw-4711'
let d: DovecotInstance
before(async () => {
  d = await startDovecot({ users: [`alice:${PASSWORD}`] })
  const c = new ImapFlow({ host: '127.0.0.1', port: d.port, secure: false, doSTARTTLS: false, auth: { user: 'alice', pass: PASSWORD }, logger: false })
  await c.connect()
  await c.append('INBOX', Buffer.from('From: a@example.org\r\nMessage-ID: <1@t>\r\nSubject: s\r\n\r\nbody\r\n'))
  await c.logout()
})
after(async () => d?.stop())

const forbidden = [PASSWORD, Buffer.from(`\0alice\0${PASSWORD}`).toString('base64'), Buffer.from(`alice\0alice\0${PASSWORD}`).toString('base64'), Buffer.from(PASSWORD).toString('base64')]

function assertClean(where: string, text: string): void {
  for (const f of forbidden) assert.ok(!text.includes(f), `${where} must not contain ${JSON.stringify(f)}`)
}

async function config(tlsPort: boolean): Promise<{ file: string; dir: string; env: Record<string, string> }> {
  const box = await sandbox()
  const server = tlsPort ? tlsServer(d) : plainServer(d)
  const file = await writeOneAccountConfig(box, { user: 'alice', password: PASSWORD, server })
  return { file, dir: box.dir, env: box.env }
}

test('-d all --logfile: protocol lines and events in the log file, no password anywhere', async () => {
  const c = await config(true)
  const logfile = join(c.dir, 'debug.log')
  const r = await runCli(['backup', 't', '-c', c.file, '-d', 'all', '--logfile', logfile], c.env)
  assert.equal(r.code, 0, r.stderr)
  const log = readFileSync(logfile, 'utf8')
  assert.match(log, / imap: R\[R#1\] C: .*(LOGIN|AUTHENTICATE)/, 'the login command is logged (masked)')
  assert.match(log, / imap: R\[R#\d+\] C: .*(SELECT|EXAMINE|FETCH)/)
  assert.match(log, / imap: R\[R#\d+\] S: /)
  assert.match(log, / sync: \{"type":"message-copied"/)
  assert.match(log, / maildir: L: INBOX: appended \d+ bytes as UID \d+ flags \[/, 'Maildir operations are logged')
  for (const [where, text] of [['stdout', r.stdout], ['stderr', r.stderr], ['log file', log]] as const) assertClean(where, text)
})

test('-d maildir: the Maildir operations alone, on stderr', async () => {
  const c = await config(false)
  const r = await runCli(['backup', 't', '-c', c.file, '-d', 'maildir'], c.env)
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stderr, /^maildir: L: created folder INBOX$/m)
  assert.match(r.stderr, /^maildir: L: INBOX: appended \d+ bytes as UID 1 /m)
  assert.doesNotMatch(r.stderr, /^imap: /m)
})

test('-d imap without a log file: the dialogue on stderr (plain IMAP, LOGIN in clear on the wire), masked', async () => {
  const c = await config(false)
  const r = await runCli(['backup', 't', '-c', c.file, '-d', 'imap'], c.env)
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stderr, /^imap: R\[R#1\] C: /m)
  assert.match(r.stdout, /^total\s+\d+ folders?/m, 'the summary still comes on stdout')
  assert.doesNotMatch(r.stderr, /^sync: /m, '-d imap does not log engine events')
  assertClean('stdout', r.stdout)
  assertClean('stderr', r.stderr)
})

// The real binary on a pseudo-terminal (util-linux `script`): progress bars are drawn, the cursor
// is given back, and what stays is the line per folder and the summary. Without a terminal (a
// pipe): no escape codes at all.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { ImapFlow } from 'imapflow'
import { startDovecot, TEST_PASSWORD, type DovecotInstance } from '../support/dovecot.js'
import { BIN, ROOT, runCli, sandbox, writeOneAccountConfig } from './cli-child.js'
import { tlsServer } from '../support/config-text.js'

let d: DovecotInstance
before(async () => {
  d = await startDovecot({ users: ['alice', 'bob'] })
  for (const user of ['alice', 'bob']) {
    const c = new ImapFlow({ host: '127.0.0.1', port: d.port, secure: false, doSTARTTLS: false, auth: { user, pass: TEST_PASSWORD }, logger: false })
    await c.connect()
    for (let i = 0; i < 5; i++) await c.append('INBOX', Buffer.from(`From: a@example.org\r\nMessage-ID: <${i}@t>\r\nSubject: ${i}\r\n\r\n${'x'.repeat(2000)}\r\n`))
    await c.logout()
  }
})
after(async () => d?.stop())

async function setup(user: string) {
  const box = await sandbox()
  const file = await writeOneAccountConfig(box, { user, password: TEST_PASSWORD, server: tlsServer(d) })
  return { box, file }
}

function onPty(command: string, env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('script', ['-qec', command, '/dev/null'], { env: { ...env, TERM: 'xterm', COLUMNS: '100' }, cwd: ROOT, timeout: 20_000 }, (err, stdout) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, out: stdout })
    })
  })
}

test('on a terminal: bars drawn with the cursor hidden, then shown again; folder lines and summary stay', async () => {
  const { box, file } = await setup('alice')
  const r = await onPty(`${process.execPath} ${BIN} backup t -c ${file}`, box.env)
  assert.equal(r.code, 0, r.out)
  assert.ok(r.out.includes('\x1b[?25l') && r.out.includes('\x1b[?25h'), 'cursor hidden while drawing and given back')
  assert.match(r.out, /total [█░]{20} \d+\/\d+ msgs/, 'the overall bar was drawn')
  assert.match(r.out, /t INBOX -> INBOX: \+5 new A->B/)
  assert.match(r.out, /total\s+\d+ folders\s+5\s+0/)
  assert.ok(r.out.indexOf('done.') > r.out.lastIndexOf('\x1b[?25h'), 'the summary comes after the bars are gone')
})

test('not a terminal: no bars and no escape codes, a line per folder', async () => {
  const { box, file } = await setup('bob')
  const r = await runCli(['backup', 't', '-c', file], box.env)
  assert.equal(r.code, 0, r.stderr)
  assert.ok(!r.stdout.includes('\x1b') && !r.stderr.includes('\x1b'))
  assert.match(r.stdout, /^t INBOX -> INBOX: \+5 new A->B/m)
})

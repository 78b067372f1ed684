// With no password source set and stdin a terminal, mailsync asks for the password without
// echoing it. The terminal is a pseudo-terminal made by python3's pty module.
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { startDovecot, type DovecotInstance } from '../support/dovecot.js'
import { BIN, ROOT, sandbox, type Sandbox } from './cli-child.js'

const SECRET = 'Pr0mpt-typed-secret'

// Runs argv on a pty; when PROMPT appears, types ANSWER + Enter; prints everything the terminal showed.
const PTY_DRIVER = `
import os, pty, sys, select, time
prompt, answer, argv = sys.argv[1].encode(), sys.argv[2].encode(), sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
out, typed, deadline = b'', False, time.time() + 30
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    if not typed and prompt in out:
        os.write(fd, answer + b'\\r')
        typed = True
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(status))
`

let d: DovecotInstance
let box: Sandbox
before(async () => {
  d = await startDovecot({ users: [`alice:${SECRET}`] })
  box = await sandbox()
})
after(async () => {
  await d?.stop()
})

function onPty(args: string[], answer: string): Promise<{ code: number; screen: string }> {
  return new Promise((resolve) => {
    execFile('python3', ['-c', PTY_DRIVER, 'Password for', answer, process.execPath, BIN, ...args], { env: box.env, cwd: ROOT, timeout: 40_000 }, (err, stdout) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, screen: stdout })
    })
  })
}

async function configFile(name: string): Promise<string> {
  return box.writeConfig(`[Account work]
localrepository = Local
remoterepository = Remote

[Repository Local]
type = Maildir
localfolders = ${join(box.dir, `mail-${name}`)}

[Repository Remote]
type = IMAP
remotehost = 127.0.0.1
remoteport = ${d.tlsPort}
remoteuser = alice
sslcacertfile = ${d.certFile}
`, name)
}

it('asks on the terminal, does not echo, and logs in with what was typed', async () => {
  const r = await onPty(['backup', 'work', '-c', await configFile('ok')], SECRET)
  assert.equal(r.code, 0, r.screen)
  assert.match(r.screen, /Password for alice@127\.0\.0\.1 \(repository Remote\): /)
  assert.ok(!r.screen.includes(SECRET), `the typed password is not echoed:\n${r.screen}`)
  const promptLine = r.screen.split('Password for')[1]!.split('\n')[0]!
  assert.ok(!promptLine.includes('total'), `asked before progress output starts:\n${promptLine}`)
})

it('a wrong typed password: exit 77, asked once', async () => {
  const r = await onPty(['backup', 'work', '-c', await configFile('wrong')], 'not-the-password')
  assert.equal(r.code, 77, r.screen)
  assert.equal(r.screen.split('Password for').length - 1, 1, 'asked once')
  assert.ok(!r.screen.includes('not-the-password'))
})

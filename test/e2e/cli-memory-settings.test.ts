// The installed binary keeps V8's young generation at its starting size and runs glibc with few
// malloc arenas through its first line (bin/run.js says why). Those malloc settings are for
// mailsync's process only: a password command it starts must not inherit them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { BIN, ROOT, sandbox } from './cli-child.js'

test('the binary run directly gets its memory settings; commands it starts do not inherit them', async () => {
  const box = await sandbox()
  const envFile = join(box.dir, 'passcmd-env.txt')
  // Port 1 on loopback: nothing listens, so the run fails after asking the password command.
  const config = await box.writeConfig(`[general]\nmetadata = ${join(box.dir, 'state')}\n\n[Account t]\nlocalrepository = L\nremoterepository = R\n\n[Repository R]\ntype = IMAP\nremotehost = 127.0.0.1\nremoteport = 1\nssl = no\nstarttls = no\nremoteuser = u\nremotepasscmd = sh -c 'env > ${envFile}; echo pw'\n\n[Repository L]\ntype = Maildir\nlocalfolders = ${join(box.dir, 'mail')}\n`)
  // PATH leads `env` to the node running this test, as it would find the user's node.
  const env = { ...box.env, PATH: `${dirname(process.execPath)}:${box.env.PATH}`, MAILSYNC_DEBUG_STARTUP: '1' }
  const r = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(BIN, ['sync', 't', '-c', config], { env, cwd: ROOT, timeout: 20_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stderr })
    })
  })
  const young = /young generation at exit ([0-9.]+) MiB/.exec(r.stderr)
  assert.ok(young, r.stderr)
  // Loading the commands alone grows V8's default young generation to 8 MiB.
  assert.ok(Number(young[1]) <= 2, `young generation ${young[1]} MiB`)
  assert.notEqual(r.code, 0, 'nothing listens on port 1')
  assert.match(r.stderr, /127\.0\.0\.1/, 'the failure names the server')
  const seen = await readFile(envFile, 'utf8')
  assert.match(seen, /^HOME=/m, 'the password command ran with the environment')
  assert.doesNotMatch(seen, /MALLOC_ARENA_MAX|MALLOC_MMAP_THRESHOLD_/)
})

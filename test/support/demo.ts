// `npm run demo`: mailsync's main job without a server of your own. Starts a private Dovecot on
// 127.0.0.1 with a generated mailbox, writes a config file, runs `mailsync backup` into a Maildir
// (then once more, to show that a re-run copies nothing), and cleans up (`--keep` keeps it all).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync, rmSync, chmodSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startDovecot, TEST_PASSWORD, type DovecotInstance } from './dovecot.js'
import { generateCorpus } from './corpus.js'
import { fillDovecotMaildir } from './corpus-maildir.js'

const keep = process.argv.includes('--keep')
const messages = Number(process.argv.find((a) => a.startsWith('--messages='))?.split('=')[1] ?? 500)
const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'run.js')

let d: DovecotInstance
try {
  d = await startDovecot({ users: ['alice'], keep })
} catch (error) {
  // e.g. no Dovecot (`npm run demo` installs it first: scripts/setup.mjs): one line, no stack
  process.stderr.write(`demo: ${(error as Error).message}\n`)
  process.exit(1)
}
const dir = mkdtempSync(join(tmpdir(), 'mailsync-demo-'))
try {
  const corpus = generateCorpus({ seed: 42, messages })
  await fillDovecotMaildir(corpus, d, 'alice')
  const passFile = join(dir, 'password')
  writeFileSync(passFile, `${TEST_PASSWORD}\n`)
  chmodSync(passFile, 0o600)
  const config = join(dir, 'config')
  writeFileSync(config, `# Written by mailsync's demo: a throw-away Dovecot on 127.0.0.1:${d.tlsPort}
[general]
accounts = demo
metadata = ${join(dir, 'state')}

[Account demo]
remoterepository = demo-server
localrepository = demo-backup

[Repository demo-server]
type = IMAP
remotehost = 127.0.0.1
remoteport = ${d.tlsPort}
remoteuser = alice
remotepassfile = ${passFile}
# The demo server's self-signed certificate:
sslcacertfile = ${d.certFile}

[Repository demo-backup]
type = Maildir
localfolders = ${join(dir, 'Maildir')}
`)
  process.stdout.write(`demo: Dovecot on 127.0.0.1:${d.tlsPort} holds ${corpus.messages.length} generated messages (${(corpus.totalBytes / 1e6).toFixed(1)} MB) in ${corpus.folders.length} folders\n`)
  process.stdout.write(`demo: config file ${config}\n\n$ mailsync backup -c ${config}\n`)
  const run = (): number => spawnSync(process.execPath, [bin, 'backup', '-c', config], { stdio: 'inherit' }).status ?? 1
  const first = run()
  process.stdout.write(`\n$ mailsync backup -c ${config}    # again: nothing new to copy\n`)
  const second = run()
  process.stdout.write(`\ndemo: the backup is in ${join(dir, 'Maildir')}${keep ? '' : ' (removed now; run with -- --keep to keep it)'}\n`)
  process.exitCode = first || second
} finally {
  await d.stop()
  if (!keep) rmSync(dir, { recursive: true, force: true })
}

// Real password checking on the second server brand (issue 17): a Cyrus whose SASL checks
// passwords against a sasldb (test/support/cyrus.ts, checkPasswords), not one that takes any.
// A wrong password ends the run with the documented auth exit code (77) and one clear line that
// names the repository, the user and the host and never the password; nothing is written on
// either side. The same config with the right password backs the mail up.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startCyrus, type CyrusInstance } from '../support/cyrus.js'
import { withImapClient } from '../support/imap-client.js'
import { count, imapRepo, repoSection, scenarioConfig, snap } from '../support/scenario-cli.js'
import { MaildirRepository } from '../../src/repository/maildir/maildir-repository.js'

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'run.js')
const WRONG = 'not-alices-password-17'
let cyrus: CyrusInstance
let dir: string

before(async () => {
  cyrus = await startCyrus({ users: ['alice'], checkPasswords: true })
  await withImapClient(cyrus.port, 'alice', async (c) => {
    for (let i = 0; i < 3; i++) await c.append('INBOX', Buffer.from(`Message-ID: <a${i}@auth.test>\r\nSubject: a${i}\r\n\r\nbody ${i}\r\n`), ['\\Seen'])
  }, cyrus.password)
  dir = mkdtempSync(join(tmpdir(), 'mailsync-cyrus-auth-'))
})
after(async () => {
  await cyrus?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const backupDir = () => join(dir, 'backup')
const run = (config: string) => spawnSync(process.execPath, [BIN, 'backup', '-c', config, 'arch'], { encoding: 'utf8' })

test('a wrong password against a Cyrus that checks them: exit 77, one line naming repository, user and host, never the password; nothing written', async () => {
  const config = scenarioConfig({ dir, name: 'wrong', backup: backupDir(), local: join(dir, 'local'), sections: [repoSection('src', { ...cyrus, password: WRONG }, 'alice'), repoSection('sync', cyrus, 'alice')] })
  const r = run(config)
  assert.equal(r.status, 77, `${r.stdout}\n${r.stderr}`)
  const said = r.stderr.split('\n').filter((l) => l.startsWith('mailsync: '))
  assert.deepEqual(said, [`mailsync: repository src: login as alice on ${cyrus.host} refused: authentication failure`], r.stderr)
  assert.ok(!`${r.stdout}${r.stderr}`.includes(WRONG), 'the password is never shown')
  assert.ok(!/\n\s+at /.test(r.stderr), `no stack trace: ${r.stderr}`)
  const inBackup = existsSync(backupDir()) ? count(await snap(new MaildirRepository({ name: 'b', root: backupDir(), readOnly: true }))) : 0
  assert.equal(inBackup, 0, 'nothing was backed up')
  assert.equal(count(await snap(imapRepo(cyrus, 'alice'))), 3, "alice's mail is as it was")
})

test('the same config with the right password backs the mail up', async () => {
  const config = scenarioConfig({ dir, name: 'right', backup: backupDir(), local: join(dir, 'local'), sections: [repoSection('src', cyrus, 'alice'), repoSection('sync', cyrus, 'alice')] })
  const r = run(config)
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`)
  assert.equal(count(await snap(new MaildirRepository({ name: 'b', root: backupDir(), readOnly: true }))), 3)
})

// `mailsync sync` through the binary: --dry-run touches nothing, -f limits the folders, and the
// local Maildir layouts (sep = /, maildir_layout = maildir++) put folders where mail readers look.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { ImapFlow } from 'imapflow'
import { startDovecot, type DovecotInstance, TEST_PASSWORD } from '../support/dovecot.js'
import { sandbox, type Sandbox } from './cli-child.js'
import { BIN } from './cli-child.js'
import { imapRepository, maildirRepository, oneAccountConfig, tlsServer } from '../support/config-text.js'
import { spawnSync } from 'node:child_process'

let d: DovecotInstance
let box: Sandbox

before(async () => {
  d = await startDovecot({ users: ['s1', 's2', 's3'] })
  box = await sandbox()
  for (const user of d.users) {
    const c = new ImapFlow({ host: '127.0.0.1', port: d.port, secure: false, doSTARTTLS: false, auth: { user, pass: TEST_PASSWORD }, logger: false })
    await c.connect()
    await c.mailboxCreate('Work/Projects')
    await c.append('INBOX', Buffer.from('Message-ID: <i1@t>\r\nSubject: in inbox\r\n\r\nhello\r\n'), ['\\Seen'])
    await c.append('Work/Projects', Buffer.from('Message-ID: <p1@t>\r\nSubject: project\r\n\r\nplan\r\n'))
    await c.logout()
  }
})
after(async () => {
  await d?.stop()
})

/** Account `acct`: `user` on the test Dovecot synced with the Maildir `root` (`localExtra`: its further option lines). */
async function configFor(user: string, root: string, localExtra = ''): Promise<string> {
  return box.writeConfig(oneAccountConfig({
    account: 'acct',
    metadata: join(box.dir, `state-${user}`),
    remote: imapRepository('R', { server: tlsServer(d), user }),
    local: maildirRepository('L', root, localExtra),
  }), `${user}.conf`)
}

function mailsync(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: box.env })
}

test('--dry-run shows the plan and writes nothing; -f syncs one folder; sep = / nests directories', async () => {
  const root = join(box.dir, 'mail-s1')
  const cfg = await configFor('s1', root, 'sep = /\n')
  const dry = mailsync(['sync', '-c', cfg, '--dry-run', '--json'])
  assert.equal(dry.status, 0, dry.stderr)
  const plans = dry.stdout.split('\n').filter((l) => l.includes('"folder-plan"')).map((l) => JSON.parse(l))
  assert.equal(plans.find((p) => p.folderA === 'Work/Projects').copyAtoB, 1)
  assert.equal(existsSync(join(root, 'INBOX')), false, 'a dry run creates no folder')
  const one = mailsync(['sync', '-c', cfg, '-f', 'INBOX'])
  assert.equal(one.status, 0, one.stderr)
  assert.equal(readdirSync(join(root, 'INBOX', 'cur')).length, 1)
  assert.equal(existsSync(join(root, 'Work')), false, '-f INBOX leaves other folders alone')
  const all = mailsync(['sync', '-c', cfg])
  assert.equal(all.status, 0, all.stderr)
  assert.equal(readdirSync(join(root, 'Work', 'Projects', 'cur')).length, 1)
  assert.match(readdirSync(join(root, 'INBOX', 'cur'))[0]!, /,U=\d+.*:2,S$/)
})

test('maildir_layout = maildir++ keeps INBOX at the root and folders as .Work.Projects', async () => {
  const root = join(box.dir, 'mail-s2')
  const cfg = await configFor('s2', root, 'maildir_layout = maildir++\nsep = /\n')
  const r = mailsync(['sync', '-c', cfg])
  assert.equal(r.status, 0, r.stderr)
  assert.equal(readdirSync(join(root, 'cur')).length, 1, 'INBOX is the root Maildir')
  assert.equal(readdirSync(join(root, '.Work.Projects', 'cur')).length, 1)
})

test('an unknown account name is a config error with a suggestion, and nothing is synced', async () => {
  const root = join(box.dir, 'mail-s3')
  const cfg = await configFor('s3', root)
  const r = mailsync(['sync', '-c', cfg, 'acc'])
  assert.equal(r.status, 78)
  assert.match(r.stderr, /acct/)
  assert.equal(existsSync(root), false)
})

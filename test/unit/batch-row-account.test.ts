// A batch row as an account: the per-host [Repository] template (matched by host and port) gives
// TLS, the admin login and the password source; the row's user, port, tls and password win; the
// demand counts the mailbox's connections per server; a prefix puts the folders under it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig } from '../../src/config/index.js'
import { parseBatchFile } from '../../src/batch/batch-file.js'
import { rowAccount } from '../../src/batch/row-account.js'
import { passwordSource } from '../../src/credentials/password-source.js'
import { tempRoots } from '../support/temp-roots.js'

const roots = tempRoots('mailsync-row-account-')

async function setup(csv: string) {
  const root = await roots.fresh()
  const file = join(root, 'config')
  writeFileSync(file, '[general]\nmetadata = /tmp/unused\n\n[Repository Old]\ntype = IMAP\nremotehost = OLD.example.org\nremoteport = 1993\nssl = yes\nauthuser = admin\nremotepassfile = /run/old-admin\n', { mode: 0o600 })
  return { config: await loadConfig({ path: file }), rows: parseBatchFile(csv, 'b.csv').rows }
}

test('a row on a templated host takes its admin login and TLS; another host is built from the row alone', async () => {
  const { config, rows } = await setup('host1,user1,port1,host2,user2,password2\nold.example.org,alice,1993,new.example.net,alice,pw2\n')
  const r = rowAccount(config, rows[0]!, 2)
  const src = r.account.remote
  assert.equal(src.get('remoteuser'), 'alice')
  assert.equal(src.get('authuser'), 'admin', 'the admin login of the template')
  assert.equal(src.get('remotepassfile'), '/run/old-admin')
  assert.equal(src.get('ssl'), true)
  assert.equal(src.get('maxconnections'), 2)
  const dst = r.account.local
  assert.equal(dst.get('remotehost'), 'new.example.net')
  assert.equal(dst.get('remotepass'), 'pw2')
  assert.equal(dst.get('remoteport'), 993)
  assert.equal(dst.get('authuser'), undefined)
  assert.equal(r.source, 'imaps://alice@old.example.org:1993')
  assert.deepEqual([...r.demand], [['old.example.org:1993', 2], ['new.example.net:993', 2]])
})

test('a template is not used for another port; both sides on one server count twice', async () => {
  const { config, rows } = await setup('host1;user1;port1;tls1;host2;user2;port2;tls2\nold.example.org;bob;143;starttls;old.example.org;bob2;143;none\n')
  const r = rowAccount(config, rows[0]!, 3)
  assert.equal(r.account.remote.get('authuser'), undefined, 'port 143 is not the template\'s 1993')
  assert.equal(r.account.remote.get('starttls'), true)
  assert.equal(r.account.local.get('starttls'), false)
  assert.equal(r.account.local.get('ssl'), false)
  assert.deepEqual([...r.demand], [['old.example.org:143', 6]])
})

test('a row with a prefix: every source folder goes under it on the target, in each side\'s own separator; only the target\'s folders under it take part', async () => {
  const { config, rows } = await setup('host1,user1,host2,user2,prefix\na.example,u,b.example,u,/Archive/Old/\na.example,v,b.example,v,Archive//Old\n')
  const { account } = rowAccount(config, rows[0]!, 1)
  assert.equal(account.remote.nametrans('INBOX', '.'), 'Archive.Old.INBOX', 'a source with "." as its separator')
  assert.equal(account.remote.nametrans('Work/2024', '/'), 'Archive/Old/Work/2024')
  assert.equal(account.local.folderfilter('Archive/Old/Work', '/'), true)
  assert.equal(account.local.folderfilter('Work', '/'), false, 'the target\'s own folders are not this mailbox\'s')
  assert.equal(account.local.folderfilter('Archive/Older', '/'), false)
  assert.equal(account.local.nametrans('Archive.Old.Work', '.'), 'Work')
  assert.throws(() => rowAccount(config, rows[1]!, 1), /line 3: the prefix "Archive\/\/Old" has an empty level/)
})

test('one password command in a template serves every user of a batch: it is told the user, host and port', async () => {
  const root = await roots.fresh()
  const file = join(root, 'config')
  writeFileSync(file, '[general]\nmetadata = /tmp/unused\n\n[Repository New]\ntype = IMAP\nremotehost = new.example.net\nremotepasscmd = echo "$MAILSYNC_USER@$MAILSYNC_HOST:$MAILSYNC_PORT in $MAILSYNC_REPOSITORY"\n', { mode: 0o600 })
  const config = await loadConfig({ path: file })
  const rows = parseBatchFile('host1;user1;password1;host2;user2;password2\nold.example.org;alice;pw;new.example.net;alice;\nold.example.org;bob;pw;new.example.net;bob.smith;\n', 'b.csv').rows
  const passwords = await Promise.all(rows.map((row) => {
    const target = rowAccount(config, row, 2).account.local
    return passwordSource(target, {}, { interactive: false })!.get()
  }))
  assert.deepEqual(passwords, ['alice@new.example.net:993 in New', 'bob.smith@new.example.net:993 in New'])
})

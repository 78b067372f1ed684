// Repository URLs in place of names, and `describeConfig` (masking, origins).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ConfigError } from '../../src/errors.js'
import { accountsToSync, adHocAccount, describeConfig, emptyConfig, parseConfigText, resolveRepository } from '../../src/config/index.js'

const FILE = '/cfg/mailsync.conf'
const empty = () => emptyConfig({ home: '/home/u', env: {} })

test('imaps://user@host is IMAP over TLS on 993; a port may be given', () => {
  const r = resolveRepository(empty(), 'imaps://me@mail.example.org')
  assert.equal(r.type, 'IMAP')
  assert.equal(r.fromUrl, true)
  assert.equal(r.get('remotehost'), 'mail.example.org')
  assert.equal(r.get('remoteport'), 993)
  assert.equal(r.get('ssl'), true)
  assert.equal(r.get('remoteuser'), 'me')
  assert.equal(r.settings.remotehost?.source, 'url')
  assert.equal(resolveRepository(empty(), 'imaps://me@h:10993').get('remoteport'), 10993)
})

test('imap://user@host requires STARTTLS on 143; userinfo is percent-decoded', () => {
  const r = resolveRepository(empty(), 'imap://me%40example.org@127.0.0.1:1143')
  assert.equal(r.get('ssl'), false)
  assert.equal(r.get('starttls'), true)
  assert.equal(r.get('remoteport'), 1143)
  assert.equal(r.get('remoteuser'), 'me@example.org')
  assert.equal(resolveRepository(empty(), 'imap://me@h').get('remoteport'), 143)
})

test('maildir:PATH and bare paths are Maildir repositories', () => {
  assert.equal(resolveRepository(empty(), 'maildir:~/Mail').get('localfolders'), '/home/u/Mail')
  assert.equal(resolveRepository(empty(), '/var/mail/me').get('localfolders'), '/var/mail/me')
  assert.equal(resolveRepository(empty(), './Mail').get('localfolders'), './Mail')
  assert.equal(resolveRepository(empty(), '~/Mail').type, 'Maildir')
})

test('a password in the URL is refused without echoing it', () => {
  assert.throws(
    () => resolveRepository(empty(), 'imaps://me:hunter2@h'),
    (e: unknown) => e instanceof ConfigError && /refusing a password/.test(e.message) && !e.message.includes('hunter2') && /remotepasscmd/.test(e.hint ?? ''),
  )
})

test('a URL used as an account repository in the file names the line when it is bad', () => {
  assert.throws(
    () => parseConfigText('[Account A]\nlocalrepository = /m\nremoterepository = imaps://me:pw@h\n', FILE, { home: '/h', env: {} }),
    (e: unknown) => e instanceof ConfigError && e.message.startsWith(`${FILE}:3 [Account A] remoterepository: refusing a password`),
  )
})

test('a name that is neither a section nor a URL is an error', () => {
  assert.throws(() => resolveRepository(empty(), 'Work'), /no \[Repository Work\] section, and "Work" is not a repository URL/)
})

test('flag overrides are validated and marked as flags', () => {
  const r = resolveRepository(empty(), 'imaps://me@h').withOverrides({ maxconnections: '8', readonly: true })
  assert.equal(r.get('maxconnections'), 8)
  assert.equal(r.get('readonly'), true)
  assert.equal(r.settings.maxconnections?.source, 'flag')
  assert.equal(r.get('remotehost'), 'h')
  assert.throws(() => r.withOverrides({ maxconnections: 'many' }), /maxconnections: expected an integer/)
  assert.throws(() => r.withOverrides({ maxconection: '2' }), /did you mean `maxconnections`/)
})

test('describeConfig masks secrets and says where each value came from', () => {
  const c = parseConfigText(
    '[Account A]\nlocalrepository = maildir:/m\nremoterepository = R\n[Repository R]\ntype = IMAP\nremotehost = h\nremotepass = hunter2\noauth2_refresh_token = tok\nfolderfilter = f => f !== "Trash"\n',
    FILE,
    { home: '/h', env: {} },
  )
  const d = describeConfig(c)
  assert.ok(!JSON.stringify(d).includes('hunter2'))
  assert.ok(!JSON.stringify(d).includes('"tok"'))
  const r = d.repositories.find((x) => x.name === 'R')!
  const byName = Object.fromEntries(r.settings.map((s) => [s.option, s]))
  assert.deepEqual(byName.remotepass, { option: 'remotepass', value: '********', source: 'file', origin: `${FILE}:7`, secret: true })
  assert.equal(byName.oauth2_refresh_token?.value, '********')
  assert.equal(byName.remotehost?.origin, `${FILE}:6`)
  assert.equal(byName.remoteport?.origin, 'default')
  assert.equal(byName.folderfilter?.value, 'f => f !== "Trash"')
  assert.deepEqual(d.accounts, [{ name: 'A', local: 'maildir:/m', remote: 'R', settings: d.accounts[0]!.settings }])
  const local = d.repositories.find((x) => x.name === 'maildir:/m')!
  assert.equal(local.settings.find((s) => s.option === 'localfolders')?.origin, 'url')
})

test('accountsToSync picks named accounts or [general] accounts; unknown names are errors', () => {
  const c = parseConfigText('[general]\naccounts = B\n[Account A]\nlocalrepository = /a\nremoterepository = /r\n[Account B]\nlocalrepository = /b\nremoterepository = /r\n', FILE, { home: '/h', env: {} })
  assert.deepEqual(accountsToSync(c).map((a) => a.name), ['B'])
  assert.deepEqual(accountsToSync(c, ['A', 'B']).map((a) => a.name), ['A', 'B'])
  assert.throws(() => accountsToSync(c, ['a']), (e: unknown) => e instanceof ConfigError && /no \[Account a\] section in \/cfg/.test(e.message) && e.hint === 'did you mean `A`?')
})

test('adHocAccount builds an account from URLs with validated account options', () => {
  const a = adHocAccount(empty(), 'cli', '~/Mail', 'imaps://me@h', { maxage: '30' })
  assert.equal(a.local.get('localfolders'), '/home/u/Mail')
  assert.equal(a.remote.get('remotehost'), 'h')
  assert.equal(a.get('maxage'), 30)
  assert.equal(a.settings.maxage?.source, 'flag')
  assert.throws(() => adHocAccount(empty(), 'cli', '/m', '/n', { maxage: 'old' }), /maxage: expected an integer/)
  assert.throws(() => adHocAccount(empty(), 'cli', '/m', '/n', { maxag: '3' }), /maxag: unknown account option \(did you mean `maxage`\?\)/)
})

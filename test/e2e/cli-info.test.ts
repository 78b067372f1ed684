// `mailsync info`: accounts, repositories, values and their origins; secrets never shown.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { runCli, sandbox, SAMPLE_CONFIG, SAMPLE_SECRET } from './cli-child.js'
import type { InfoData } from '../../src/cli/info-data.js'

test('info shows accounts, repositories and origins, with the password masked', async () => {
  const box = await sandbox()
  const file = await box.writeConfig(SAMPLE_CONFIG)
  const r = await runCli(['info', '--offline', '-c', file], box.env)
  assert.equal(r.code, 0, r.stderr)
  assert.ok(!r.stdout.includes(SAMPLE_SECRET) && !r.stderr.includes(SAMPLE_SECRET), 'the password is never printed')
  assert.match(r.stdout, new RegExp(`^config file: ${file}$`, 'm'))
  assert.match(r.stdout, /^\[Account work\]\s+local: WorkLocal\s+remote: WorkRemote$/m)
  assert.match(r.stdout, /^\[Repository WorkRemote\]\s+\(IMAP\)$/m)
  assert.match(r.stdout, /^\s+remotepass\s+= \*{8}\s+\(config:18\)$/m)
  assert.match(r.stdout, /^\s+password from:\s+remotepass \(clear text in the config file\)$/m)
  assert.match(r.stdout, /^\s+remotehost\s+= imap\.example\.org\s+\(config:16\)$/m)
  assert.match(r.stdout, /^\s+maxage\s+= 30\s+\(config:7\)$/m)
  assert.match(r.stdout, /^\s+remoteport\s+= 993\s+\(default\)$/m)
  assert.match(r.stdout, new RegExp(`^\\s+localfolders\\s+= ${join(box.home, 'Mail', 'work')}\\s+\\(config:11\\)$`, 'm'))
})

test('info --json is one JSON document with the same data, secret masked', async () => {
  const box = await sandbox()
  const file = await box.writeConfig(SAMPLE_CONFIG)
  const r = await runCli(['info', '--offline', '--json', '-c', file], box.env)
  assert.equal(r.code, 0, r.stderr)
  assert.ok(!r.stdout.includes(SAMPLE_SECRET))
  const data = JSON.parse(r.stdout) as InfoData
  assert.equal(data.config.file, file)
  assert.deepEqual(data.accounts.map((a) => a.name), ['work'])
  const remote = data.repositories.find((x) => x.name === 'WorkRemote')!
  const pass = remote.settings.find((s) => s.option === 'remotepass')!
  assert.equal(pass.secret, true)
  assert.equal(pass.value, '********')
  assert.equal(pass.origin, `${file}:18`)
  assert.equal(remote.credentials?.secret, 'remotepass (clear text in the config file)')
  assert.ok(data.warnings.some((w) => w.includes('folderfiltr')))
})

test('info ACCOUNT shows that account and only its two repositories', async () => {
  const box = await sandbox()
  const file = await box.writeConfig(SAMPLE_CONFIG + '\n[Repository Other]\ntype = Maildir\nlocalfolders = /srv/other\n')
  const r = await runCli(['info', '--offline', 'work', '-c', file, '--json'], box.env)
  assert.equal(r.code, 0, r.stderr)
  const data = JSON.parse(r.stdout) as InfoData
  assert.deepEqual(data.target, { kind: 'account', name: 'work' })
  assert.deepEqual(data.repositories.map((x) => x.name).sort(), ['WorkLocal', 'WorkRemote'])
})

test('info URL works without a config file and says none was found', async () => {
  const box = await sandbox()
  const r = await runCli(['info', '--offline', 'imaps://bob@mail.example.net:994'], box.env)
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /^config file: none \(looked in .*\.mailsyncrc\)$/m)
  assert.match(r.stdout, /^\[Repository imaps:\/\/bob@mail\.example\.net:994\]\s+\(IMAP, from a URL\)$/m)
  assert.match(r.stdout, /^\s+remoteport\s+= 994\s+\(url\)$/m)
})

test('info NAME that is neither account nor repository: exit 78 with a suggestion', async () => {
  const box = await sandbox()
  const file = await box.writeConfig(SAMPLE_CONFIG)
  const r = await runCli(['info', '--offline', 'WorkRemot', '-c', file], box.env)
  assert.equal(r.code, 78)
  assert.match(r.stderr, /^hint: did you mean `WorkRemote`\?$/m)
})

test('a password inside a repository URL is refused without echoing it', async () => {
  const box = await sandbox()
  const r = await runCli(['info', '--offline', 'imaps://bob:hunter2secret@mail.example.net'], box.env)
  assert.equal(r.code, 78)
  assert.ok(!r.stderr.includes('hunter2secret') && !r.stdout.includes('hunter2secret'))
})

test('info says which provider preset applies and why, and marks the settings it gave', async () => {
  const box = await sandbox()
  const file = await box.writeConfig(`[Repository G]
type = IMAP
remotehost = imap.gmail.com
remoteuser = me@gmail.com
remotepass = x
maxconnections = 3

[Repository M]
type = IMAP
preset = office365
remoteuser = me@example.com
remotepass = x
`)
  const r = await runCli(['info', '--offline', '-c', file], box.env)
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /^\s+preset: gmail \(Gmail\), because the host imap\.gmail\.com is Gmail's; it gave: remoteport, ssl, appendlimit, dailydownloadlimit, dailyuploadlimit$/m)
  assert.match(r.stdout, /^\s+appendlimit\s+= 26214400\s+\(preset gmail\)$/m)
  // the config's own value beats the preset's 10
  assert.match(r.stdout, /^\s+maxconnections\s+= 3\s+\(config:6\)$/m)
  assert.match(r.stdout, /^\s+preset: microsoft365 \(Microsoft 365 \/ Outlook\.com\), because preset = microsoft365 is set; it gave: folderfilter, maxconnections, remotehost, remoteport, ssl, appendlimit$/m)
  assert.match(r.stdout, /^\s+remotehost\s+= outlook\.office365\.com\s+\(preset microsoft365\)$/m)
  const j = await runCli(['info', '--offline', '--json', 'M', '-c', file], box.env)
  const data = JSON.parse(j.stdout) as InfoData
  assert.equal(data.repositories[0]!.preset?.name, 'microsoft365')
  assert.equal(data.repositories[0]!.settings.find((s) => s.option === 'folderfilter')?.origin, 'preset microsoft365')
})

// Provider presets: which host means which provider, and the order of precedence: a setting in
// the config (or a URL, or a flag) beats the preset, which beats the schema's default.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseConfigText } from '../../src/config/index.js'
import { choosePreset, presetForHost, PRESETS } from '../../src/config/presets.js'
import { repositoryFromUrl } from '../../src/config/repository.js'
import { ConfigError } from '../../src/errors.js'

const FILE = '/cfg/mailsync.conf'
const repo = (body: string) => parseConfigText(`[Repository R]\ntype = IMAP\nremoteuser = u\n${body}`, FILE, { home: '/home/u', env: {} }).repositories.get('R')!

test('host matcher: each provider\'s IMAP host names, any case, a trailing dot; others match nothing', () => {
  const table: [string, string | undefined][] = [
    ['imap.gmail.com', 'gmail'],
    ['IMAP.GMAIL.COM.', 'gmail'],
    ['imap.googlemail.com', 'gmail'],
    ['outlook.office365.com', 'microsoft365'],
    ['imap-mail.outlook.com', 'microsoft365'],
    ['outlook.com', 'microsoft365'],
    ['imap.fastmail.com', 'fastmail'],
    ['imap.mail.yahoo.com', 'yahoo'],
    ['imap.mail.me.com', 'icloud'],
    ['gmail.com.evil.example', undefined],
    ['imap.gmail.co', undefined],
    ['notoutlook.com', undefined],
    ['mail.example.org', undefined],
    ['127.0.0.1', undefined],
    ['', undefined],
  ]
  for (const [host, want] of table) assert.equal(presetForHost(host)?.name, want, host)
})

test('choosing: preset = NAME first, none for none, then the host, then type = Gmail', () => {
  const table: [Parameters<typeof choosePreset>[0], string | undefined, string | undefined][] = [
    [{ preset: 'icloud', host: 'imap.gmail.com' }, 'icloud', 'option'],
    [{ preset: 'none', host: 'imap.gmail.com' }, undefined, undefined],
    [{ host: 'imap.gmail.com' }, 'gmail', 'host'],
    [{ host: 'mail.example.org', declaredType: 'gmail' }, 'gmail', 'type'],
    [{ declaredType: 'gmailimap' }, 'gmail', 'type'],
    [{ declaredType: 'gmailmaildir' }, undefined, undefined],
    [{ host: 'mail.example.org', declaredType: 'imap' }, undefined, undefined],
  ]
  for (const [input, name, reason] of table) {
    const got = choosePreset(input)
    assert.equal(got?.preset.name, name, JSON.stringify(input))
    assert.equal(got?.reason.kind, reason, JSON.stringify(input))
  }
})

test('precedence: explicit > preset > default, for each setting on its own', () => {
  const table: { body: string; option: string; value: unknown; source: string }[] = [
    // the preset's figure where the config says nothing
    { body: 'remotehost = imap.gmail.com\n', option: 'maxconnections', value: PRESETS.gmail.maxconnections, source: 'preset' },
    { body: 'remotehost = imap.gmail.com\n', option: 'appendlimit', value: 25 * 1024 * 1024, source: 'preset' },
    { body: 'remotehost = imap.gmail.com\n', option: 'remoteport', value: 993, source: 'preset' },
    { body: 'remotehost = imap.gmail.com\n', option: 'dailydownloadlimit', value: 2500 * 1024 * 1024, source: 'preset' },
    { body: 'remotehost = imap.gmail.com\ndailydownloadlimit = 0\n', option: 'dailydownloadlimit', value: 0, source: 'file' },
    // the config's own value beats it
    { body: 'remotehost = imap.gmail.com\nmaxconnections = 2\n', option: 'maxconnections', value: 2, source: 'file' },
    { body: 'remotehost = imap.gmail.com\nappendlimit = 1000\n', option: 'appendlimit', value: 1000, source: 'file' },
    // a port or TLS of the config: the preset's port and TLS stay out (the default follows ssl)
    { body: 'remotehost = imap.gmail.com\nssl = no\n', option: 'remoteport', value: 143, source: 'default' },
    { body: 'remotehost = imap.gmail.com\nremoteport = 1993\n', option: 'ssl', value: true, source: 'default' },
    // no preset: the schema's defaults
    { body: 'remotehost = mail.example.org\n', option: 'maxconnections', value: 4, source: 'default' },
    { body: 'remotehost = mail.example.org\n', option: 'appendlimit', value: undefined, source: 'none' },
    { body: 'remotehost = imap.gmail.com\npreset = none\n', option: 'maxconnections', value: 4, source: 'default' },
    // preset = NAME gives the host too
    { body: 'preset = microsoft365\n', option: 'remotehost', value: 'outlook.office365.com', source: 'preset' },
    { body: 'preset = office365\nremotehost = mail.corp.example\n', option: 'remotehost', value: 'mail.corp.example', source: 'file' },
    { body: 'preset = icloud\n', option: 'appendlimit', value: 20 * 1024 * 1024, source: 'preset' },
    // a provider that publishes no connection figure keeps the default
    { body: 'remotehost = imap.fastmail.com\n', option: 'maxconnections', value: 4, source: 'default' },
  ]
  for (const row of table) {
    const r = repo(row.body)
    const s = r.settings[row.option]
    assert.equal(s?.value, row.value, `${row.body.trim()} -> ${row.option}`)
    assert.equal(s?.source ?? 'none', row.source, `${row.body.trim()} -> ${row.option} source`)
    if (s?.source === 'preset') assert.equal(s.preset, r.preset?.preset.name)
  }
})

test('Microsoft\'s folders that hold no mail are left out (and below them); an explicit folderfilter beats that', () => {
  const r = repo('remotehost = outlook.office365.com\n')
  assert.equal(r.settings.folderfilter?.source, 'preset')
  for (const f of ['Calendar', 'Calendar/Birthdays', 'Contacts', 'Tasks', 'Journal', 'Notes', 'Sync Issues', 'Sync Issues/Conflicts']) {
    assert.equal(r.folderfilter(f, '/'), false, f)
  }
  for (const f of ['INBOX', 'Sent Items', 'Archive/Calendar', 'Notes and more']) assert.equal(r.folderfilter(f, '/'), true, f)
  const own = repo('remotehost = outlook.office365.com\nfolderfilter = folder => folder !== "Junk Email"\n')
  assert.equal(own.folderfilter('Calendar', '/'), true)
  assert.equal(own.folderfilter('Junk Email', '/'), false)
})

test('a URL and a flag take part too: the URL\'s host picks the preset, a flag beats it, a new host drops it', () => {
  const ctx = { home: '/home/u', env: {}, warnings: [] }
  const url = repositoryFromUrl('imaps://me@imap.gmail.com', ctx)!
  assert.equal(url.preset?.preset.name, 'gmail')
  assert.equal(url.settings.maxconnections?.source, 'preset')
  const flagged = url.withOverrides({ maxconnections: 3 })
  assert.equal(flagged.get('maxconnections'), 3)
  assert.equal(flagged.settings.appendlimit?.source, 'preset')
  const moved = url.withOverrides({ remotehost: 'mail.example.org' })
  assert.equal(moved.preset, undefined)
  assert.equal(moved.get('maxconnections'), 4)
})

test('a preset name that does not exist is a config error naming the choices', () => {
  assert.throws(() => repo('preset = hotmail2\nremotehost = h\n'), (e: unknown) => e instanceof ConfigError && /preset/.test(e.message) && /microsoft365/.test(e.message))
})

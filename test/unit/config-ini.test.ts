// The offlineimaprc syntax as Python's ConfigParser reads it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseConfigText } from '../../src/config/index.js'

const FILE = '/cfg/mailsync.conf'
const parse = (text: string) => parseConfigText(text, FILE, { home: '/home/u', env: {} })

const MAILDIR = (extra = '') => `[Repository L]\ntype = Maildir\nlocalfolders = /m\n${extra}`

test('both "=" and ":" delimit; the first delimiter wins; values are trimmed', () => {
  const c = parse(MAILDIR('sep: /\nfolderincludes =  a:b , c\n'))
  const r = c.repositories.get('L')!
  assert.equal(r.get('sep'), '/')
  assert.deepEqual(r.get('folderincludes'), ['a:b', 'c'])
})

test('option names are case-insensitive; section names keep their case', () => {
  const c = parse('[Repository Mixed]\nTYPE = maildir\nLocalFolders = /m\nMaxConnections = 2\n')
  const r = c.repositories.get('Mixed')!
  assert.equal(r.type, 'Maildir')
  assert.equal(r.get('maxconnections'), 2)
  assert.equal(r.settings.localfolders?.line, 3)
})

test('whole-line # and ; comments are skipped, also indented and inside continued values', () => {
  const c = parse(`# a comment\n; another\n${MAILDIR()}  # indented comment\nfolderincludes = a,\n    b,\n  ; comment inside\n    c\n`)
  assert.deepEqual(c.repositories.get('L')!.get('folderincludes'), ['a', 'b', 'c'])
  assert.equal(c.warnings.length, 0)
})

test('a # after a value is part of the value (no inline comments, as ConfigParser)', () => {
  const c = parse(MAILDIR('sep = . # dot\n'))
  assert.equal(c.repositories.get('L')!.get('sep'), '. # dot')
})

test('indented lines continue the value; blank lines inside are kept, trailing ones dropped', () => {
  const c = parse(`${MAILDIR()}folderfilter = folder =>\n    folder !== 'Trash'\n\n    && folder !== 'Spam'\n\n[general]\n`)
  const r = c.repositories.get('L')!
  assert.equal(r.settings.folderfilter?.text, "folder =>\nfolder !== 'Trash'\n\n&& folder !== 'Spam'")
  assert.equal(r.folderfilter('Spam'), false)
  assert.equal(r.folderfilter('INBOX'), true)
  assert.equal(r.settings.folderfilter?.line, 4)
})

test('%(name)s interpolates from the same section and from [DEFAULT]; %% is a literal %', () => {
  const c = parse(`[DEFAULT]\nroot = ~/Mail\nhost = example.org\n\n[Repository L]\ntype = Maildir\nname = work\nlocalfolders = %(root)s/%(name)s-100%%\n[Repository R]\ntype = IMAP\nremotehost = imap.%(host)s\nremoteuser = me@%(HOST)s\n`)
  assert.equal(c.repositories.get('L')!.get('localfolders'), '/home/u/Mail/work-100%')
  assert.equal(c.repositories.get('R')!.get('remotehost'), 'imap.example.org')
  assert.equal(c.repositories.get('R')!.get('remoteuser'), 'me@example.org')
})

test('[DEFAULT] values apply to sections having that option, and DEFAULT values interpolate per section', () => {
  const c = parse(`[DEFAULT]\nsync_deletes = no\nlocalfolders = /mail/%(who)s\n[Repository A]\ntype = Maildir\nwho = ann\n[Repository B]\ntype = Maildir\nwho = bob\nsync_deletes = yes\n`)
  const a = c.repositories.get('A')!
  assert.equal(a.get('sync_deletes'), false)
  assert.equal(a.get('localfolders'), '/mail/ann')
  assert.equal(a.settings.localfolders?.line, 3)
  assert.equal(c.repositories.get('B')!.get('localfolders'), '/mail/bob')
  assert.equal(c.repositories.get('B')!.get('sync_deletes'), true)
})

test('~ is expanded in path options only', () => {
  const c = parse(`${MAILDIR()}[mbnames]\nfilename = ~/muttrc\nheader = ~/x\n`)
  assert.equal(c.mbnames.get('filename'), '/home/u/muttrc')
  assert.equal(c.mbnames.get('header'), '~/x')
  const home = parse('[Repository L]\ntype = Maildir\nlocalfolders = ~\n').repositories.get('L')!
  assert.equal(home.get('localfolders'), '/home/u')
})

test('booleans accept every ConfigParser spelling', () => {
  for (const [text, value] of [['yes', true], ['No', false], ['TRUE', true], ['false', false], ['on', true], ['off', false], ['1', true], ['0', false]] as const) {
    const r = parse(MAILDIR(`readonly = ${text}\n`)).repositories.get('L')!
    assert.equal(r.get('readonly'), value, text)
  }
})

test('defaults fill what is not written, with source "default"; written values carry file and line', () => {
  const c = parse('[Repository R]\ntype = IMAP\nremotehost = h\nssl = no\n')
  const r = c.repositories.get('R')!
  assert.equal(r.get('remoteport'), 143)
  assert.equal(r.get('maxconnections'), 4)
  assert.equal(r.get('createfolders'), true)
  assert.deepEqual(r.settings.maxconnections, { value: 4, source: 'default' })
  assert.deepEqual({ ...r.settings.remotehost, text: undefined }, { value: 'h', source: 'file', file: FILE, line: 3, text: undefined })
  assert.equal(r.isSet('remotehost'), true)
  assert.equal(r.isSet('remoteport'), false)
  assert.equal(parse('[Repository R]\ntype = IMAP\nremotehost = h\n').repositories.get('R')!.get('remoteport'), 993)
})

test('lists: comma-separated or a Python list literal; mbnames strings lose Python quotes; peritem is raw', () => {
  const c = parse(`${MAILDIR('folderincludes = ["debian.user", \'x, y\']\n')}[mbnames]\nheader = "mailboxes "\nsep = "\\n"\nperitem = +%(accountname)s/%(foldername)s\n`)
  assert.deepEqual(c.repositories.get('L')!.get('folderincludes'), ['debian.user', 'x, y'])
  assert.equal(c.mbnames.get('header'), 'mailboxes ')
  assert.equal(c.mbnames.get('sep'), '\n')
  assert.equal(c.mbnames.get('peritem'), '+%(accountname)s/%(foldername)s')
})

test('accounts link their repositories; [general] accounts defaults to every account in file order', () => {
  const c = parse(`[Account B]\nlocalrepository = L\nremoterepository = R\n[Account A]\nlocalrepository = L\nremoterepository = maildir:/other\n${MAILDIR()}[Repository R]\ntype = IMAP\nremotehost = h\n`)
  assert.deepEqual(c.general.get('accounts'), ['B', 'A'])
  const b = c.accounts.get('B')!
  assert.equal(b.local.name, 'L')
  assert.equal(b.remote.type, 'IMAP')
  assert.equal(c.accounts.get('A')!.remote.get('localfolders'), '/other')
  assert.equal(c.general.get('maxsyncaccounts'), 1)
  assert.equal(c.general.get('metadata'), '/home/u/.local/state/mailsync')
})

test('GmailIMAP is the Gmail kind on the IMAP options, without a warning, and gets imap.gmail.com and the store layout', () => {
  const c = parse('[Repository G]\ntype = GmailIMAP\nremoteuser = me\n')
  const g = c.repositories.get('G')!
  assert.equal(g.type, 'IMAP')
  assert.equal(g.declaredType, 'gmailimap')
  assert.equal(g.get('remotehost'), 'imap.gmail.com')
  assert.equal(g.get('labelmode'), 'store')
  assert.deepEqual(c.warnings.map((w) => w.message).filter((m) => /treated as/.test(m)), [])
})

test('GmailMaildir is a Maildir that keeps labels, without a warning', () => {
  const c = parse('[Repository G]\ntype = GmailMaildir\nlocalfolders = /m\n')
  assert.equal(c.repositories.get('G')!.type, 'Maildir')
  assert.equal(c.repositories.get('G')!.declaredType, 'gmailmaildir')
  assert.deepEqual(c.warnings.map((w) => w.message).filter((m) => /gmailmaildir|treated as/i.test(m)), [])
})

test('passcmd is an alias of remotepasscmd; a CRLF file with a BOM reads the same', () => {
  const c = parse('\uFEFF[Repository R]\r\ntype = IMAP\r\nremotehost = h\r\npasscmd = pass show mail\r\n')
  assert.equal(c.repositories.get('R')!.get('remotepasscmd'), 'pass show mail')
})

test('enum values are case-insensitive and accept OfflineIMAP aliases; keyword maps parse', () => {
  const c = parse(`[general]\nui = TTYUI\n${MAILDIR('maildir_layout = Maildir++\nkeywords = a:$Label1, b = Work\n')}`)
  assert.equal(c.general.get('ui'), 'progress')
  const r = c.repositories.get('L')!
  assert.equal(r.get('maildir_layout'), 'maildir++')
  assert.deepEqual(r.get('keywords'), { a: '$Label1', b: 'Work' })
})

test('typed getters: known option names give typed values', () => {
  const r = parse('[Repository R]\ntype = IMAP\nremotehost = h\nremoteport = 1143\n').repositories.get('R')!
  const port: number | undefined = r.get('remoteport')
  const ssl: boolean = r.get('ssl')
  const mechanisms: string[] = r.get('auth_mechanisms')
  const generic = r.get<number>('maxconnections')
  assert.equal(port, 1143)
  assert.equal(ssl, true)
  assert.deepEqual(mechanisms, ['XOAUTH2', 'PLAIN', 'LOGIN'])
  assert.equal(generic, 4)
  assert.equal(r.get('nosuchoption'), undefined)
})

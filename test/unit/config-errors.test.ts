// Bad config: errors name file:line, [section] and option; unknown options only warn.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ConfigError, EXIT } from '../../src/errors.js'
import { parseConfigText } from '../../src/config/index.js'

const FILE = '/cfg/mailsync.conf'
const parse = (text: string) => parseConfigText(text, FILE, { home: '/home/u', env: {} })

/** Assert that parsing fails with a ConfigError whose message contains every part. */
function rejects(text: string, ...parts: (string | RegExp)[]): ConfigError {
  let caught: unknown
  try {
    parse(text)
  } catch (e) {
    caught = e
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`)
  assert.equal(caught.exitCode, EXIT.config)
  assert.ok(!caught.message.includes('\n'), `one line: ${caught.message}`)
  for (const p of parts) {
    if (typeof p === 'string') assert.ok(caught.message.includes(p), `"${caught.message}" should contain "${p}"`)
    else assert.match(caught.message, p)
  }
  return caught
}

const IMAP = '[Repository R]\ntype = IMAP\nremotehost = h\n'

test('unknown option: a warning with the nearest known name, not an error', () => {
  const c = parse('[Repository R]\ntype = IMAP\nremotehots = h\nremotehost = h\n')
  assert.equal(c.warnings.length, 1)
  assert.equal(c.warnings[0]!.message, '/cfg/mailsync.conf:3 [Repository R] remotehots: unknown option, ignored (did you mean `remotehost`?)')
  assert.deepEqual(c.warnings[0]!.location, { file: FILE, line: 3, section: 'Repository R', option: 'remotehots' })
})

test('an option of the other repository type warns that it does not apply', () => {
  const c = parse('[Repository L]\ntype = Maildir\nlocalfolders = /m\nssl = no\n')
  assert.match(c.warnings[0]!.message, /:4 \[Repository L\] ssl: ssl applies only to IMAP repositories/)
})

test('unknown section warns', () => {
  const c = parse('[Acount X]\nfoo = 1\n')
  assert.match(c.warnings[0]!.message, /:1 \[Acount X\]: unknown section, ignored .*did you mean \[Account/)
})

test('bad integer and bad boolean show the expected type', () => {
  rejects(`${IMAP}maxconnections = four\n`, `${FILE}:4`, '[Repository R]', 'maxconnections', 'expected an integer', '"four"')
  rejects(`${IMAP}ssl = maybe\n`, `${FILE}:4`, '[Repository R]', 'ssl', 'expected a boolean (yes/no, true/false, on/off, 1/0)')
  rejects(`${IMAP}maxconnections = 0\n`, 'maxconnections', 'at least 1')
  rejects('[Account A]\nlocalrepository = /m\nremoterepository = /n\nstartdate = 2024-02-30\n', ':4', '[Account A]', 'startdate', 'YYYY-MM-DD')
  rejects('[Account A]\nlocalrepository = /m\nremoterepository = /n\nstartdate = 2024-13-01\n', ':4', '[Account A]', 'startdate', 'YYYY-MM-DD')
})

test('bad enum value lists the accepted values', () => {
  rejects('[Repository L]\ntype = Maildir\nlocalfolders = /m\nmaildir_layout = fs\n', `${FILE}:4 [Repository L] maildir_layout`, 'expected one of verbatim, maildir++', '"fs"')
  rejects('[Repository X]\ntype = mbox\n', `${FILE}:2 [Repository X] type`, 'expected one of IMAP, Maildir')
})

test('missing required options', () => {
  rejects('[Repository L]\ntype = Maildir\n', `${FILE}:1 [Repository L] localfolders`, 'missing required option localfolders')
  rejects('[Repository R]\ntype = IMAP\nremoteuser = me\n', `${FILE}:1 [Repository R] remotehost`, 'missing required option remotehost')
  rejects('[Repository R]\nremotehost = h\n', `${FILE}:1 [Repository R] type`, 'missing required option type')
  rejects('[Account A]\nlocalrepository = /m\n', `${FILE}:1 [Account A] remoterepository`, 'missing required option')
})

test('an account naming a repository without a section is an error at that line', () => {
  const e = rejects(`[Account A]\nlocalrepository = Local\nremoterepository = R\n${IMAP}`, `${FILE}:2 [Account A] localrepository`, 'no [Repository Local] section')
  assert.match(e.hint ?? '', /imaps:\/\/user@host/)
  const near = rejects(`[Account A]\nlocalrepository = r\nremoterepository = R\n${IMAP}`, 'no [Repository r] section')
  assert.equal(near.hint, 'did you mean `R`?')
})

test('general accounts naming an account without a section is an error', () => {
  const e = rejects('[general]\naccounts = Work, Home\n[Account Work]\nlocalrepository = /m\nremoterepository = /n\n', `${FILE}:2 [general] accounts`, 'account "Home" has no [Account Home] section')
  assert.ok(e.hint)
})

test('remotepasseval is refused with a hint to use remotepasscmd', () => {
  const e = rejects(`${IMAP}remotepasseval = get_pass()\n`, `${FILE}:4 [Repository R] remotepasseval`, 'not supported')
  assert.match(e.hint ?? '', /remotepasscmd/)
})

test('synclabels = yes is taken; ignorelabels is a list; labelsheader warns that no header is written', () => {
  const labels = parse('[Account A]\nlocalrepository = /m\nremoterepository = /n\nsynclabels = yes\nignorelabels = \\Important, Lists/Debian\nlabelsheader = X-Keywords\n')
  const account = labels.accounts.get('A')!
  assert.equal(account.get('synclabels'), true)
  assert.deepEqual(account.get('ignorelabels'), ['\\Important', 'Lists/Debian'])
  assert.equal(labels.warnings.length, 1)
  assert.match(labels.warnings[0]!.message, /:6 \[Account A\] labelsheader: .*no header is written.*never changes a message's bytes.*\.mailsync-labels/)
})

test('status_backend other than sqlite warns', () => {
  const c = parse('[Account A]\nlocalrepository = /m\nremoterepository = /n\nstatus_backend = plain\n')
  assert.match(c.warnings[0]!.message, /:4 \[Account A\] status_backend: .*ignored/)
})

test('INI structure errors: option before a section, a line without delimiter, duplicates', () => {
  rejects('ssl = yes\n[general]\n', `${FILE}:1`, 'before any [section]')
  rejects('[general]\nthis is not an option\n', `${FILE}:2 [general]`, 'expected "option = value"')
  rejects('[general]\nui = basic\nUI = quiet\n', `${FILE}:3 [general] ui`, 'set twice', 'line 2')
  rejects('[general]\n[general]\n', `${FILE}:2 [general]`, 'appears twice')
  rejects(`${IMAP}passcmd = a\nremotepasscmd = b\n`, `[Repository R] remotepasscmd`, 'given twice')
})

test('interpolation errors: unknown name, lone %, loops', () => {
  rejects('[Repository L]\ntype = Maildir\nlocalfolders = %(nope)s/x\n', `${FILE}:3 [Repository L] localfolders`, '%(nope)s refers to an option')
  rejects('[Repository L]\ntype = Maildir\nlocalfolders = 100%\n', `${FILE}:3 [Repository L] localfolders`, '"%" must be followed')
  rejects('[Repository L]\ntype = Maildir\na = %(b)s\nb = %(a)s\nlocalfolders = %(a)s\n', '[Repository L] localfolders', 'interpolation loop: %(localfolders)s -> %(a)s -> %(b)s -> %(a)s')
})

test('a bad fingerprint is a type error', () => {
  rejects(`${IMAP}cert_fingerprint = zz:11\n`, ':4 [Repository R] cert_fingerprint', 'hexadecimal')
})

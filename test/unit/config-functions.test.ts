// folderfilter / nametrans: JavaScript in an isolated vm context, and translated Python lambdas.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ConfigError } from '../../src/errors.js'
import { parseConfigText, translatePythonLambda, type RepositoryConfig } from '../../src/config/index.js'
import { folderFunctions } from '../../src/config/folder-functions.js'

const FILE = '/cfg/mailsync.conf'

function repo(lines: string): RepositoryConfig {
  return parseConfigText(`[Repository L]\ntype = Maildir\nlocalfolders = /m\n${lines}\n`, FILE, { home: '/h', env: {} }).repositories.get('L')!
}

function rejects(lines: string, ...parts: string[]): ConfigError {
  try {
    repo(lines)
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e))
    for (const p of parts) assert.ok(e.message.includes(p), `"${e.message}" should contain "${p}"`)
    return e
  }
  assert.fail('expected a ConfigError')
}

test('JavaScript arrow functions filter and rename', () => {
  const r = repo("folderfilter = f => !['Trash', 'Spam'].includes(f)\nnametrans = name => name.replace(/^INBOX\\./, '')")
  assert.equal(r.folderfilter('Trash'), false)
  assert.equal(r.folderfilter('INBOX.Work'), true)
  assert.equal(r.nametrans('INBOX.Work'), 'Work')
})

test('defaults: every folder passes, names are unchanged', () => {
  const r = repo('')
  assert.equal(r.folderfilter('anything'), true)
  assert.equal(r.nametrans('a.b'), 'a.b')
})

test('a JavaScript syntax error names the option, the section and the line', () => {
  rejects('\nfolderfilter = f => f ===', `${FILE}:5 [Repository L] folderfilter`, 'JavaScript syntax error')
})

test('a value that is not a function is refused', () => {
  rejects("nametrans = 'INBOX'", `${FILE}:4 [Repository L] nametrans`, 'expected a function', 'got string')
})

test('a function that throws fails at load time with the line', () => {
  rejects("nametrans = f => { throw new Error('boom') }", `${FILE}:4 [Repository L] nametrans`, 'threw Error: boom', '"INBOX"')
})

test('a function that throws only for some folders fails when called, naming the line', () => {
  const r = repo("nametrans = f => { if (f === 'X') throw new TypeError('bad X'); return f }")
  assert.throws(() => r.nametrans('X'), (e: unknown) => e instanceof ConfigError && e.message.includes(`${FILE}:4 [Repository L] nametrans: threw TypeError: bad X`))
})

test('wrong return types are refused', () => {
  rejects('folderfilter = f => f.length', `${FILE}:4 [Repository L] folderfilter`, 'returned number', 'expected a boolean')
  rejects('nametrans = f => f === "x"', `${FILE}:4 [Repository L] nametrans`, 'returned boolean', 'expected a string')
})

test('no process, require, eval or host escape inside the sandbox', () => {
  rejects('folderfilter = f => process.exit(3) || true', 'folderfilter', 'process is not defined')
  rejects("folderfilter = f => !!require('fs')", 'folderfilter', 'require is not defined')
  rejects("nametrans = f => eval('f')", 'nametrans', 'threw EvalError')
  rejects("nametrans = f => this.constructor.constructor('return process')().version", 'nametrans', 'threw EvalError')
  rejects("nametrans = f => f.constructor.constructor('return process')().version", 'nametrans', 'threw EvalError')
})

test('an endless loop times out', () => {
  rejects('folderfilter = f => { while (true) {} }', `${FILE}:4 [Repository L] folderfilter`, 'did not return within 200 ms')
})

test('Python lambdas: in / not in lists, with continuation lines', () => {
  const r = repo("folderfilter = lambda folder: folder not in ['Trash',\n      'Spam']")
  assert.equal(r.folderfilter('Spam'), false)
  assert.equal(r.folderfilter('Work'), true)
  const inList = repo("folderfilter = lambda f: f in ('INBOX', 'Sent')")
  assert.equal(inList.folderfilter('Sent'), true)
  assert.equal(inList.folderfilter('Drafts'), false)
})

test('Python lambdas: startswith / not startswith combined with and / or', () => {
  const r = repo("folderfilter = lambda f: not f.startswith('[Gmail]') and f != 'Junk' or f == '[Gmail]/Sent Mail'")
  assert.equal(r.folderfilter('[Gmail]/All Mail'), false)
  assert.equal(r.folderfilter('[Gmail]/Sent Mail'), true)
  assert.equal(r.folderfilter('Junk'), false)
  assert.equal(r.folderfilter('Work'), true)
  const tuple = repo("folderfilter = lambda f: f.startswith(('a', 'b'))")
  assert.equal(tuple.folderfilter('bee'), true)
  assert.equal(tuple.folderfilter('cat'), false)
})

test('Python lambdas: nested re.sub with Python regex and \\1 back-references', () => {
  const r = repo("nametrans = lambda folder: re.sub('^(?P<top>[^.]+)\\.', r'\\1/', re.sub('^INBOX\\.', '', folder))")
  assert.equal(r.nametrans('INBOX.Lists.node'), 'Lists/node')
  assert.equal(r.nametrans('INBOX'), 'INBOX')
  const prefix = repo("nametrans = lambda f: re.sub('^', 'INBOX.', f) if f != 'INBOX' else f")
  assert.equal(prefix.nametrans('Work'), 'INBOX.Work')
  assert.equal(prefix.nametrans('INBOX'), 'INBOX')
  const dollars = repo("nametrans = lambda f: re.sub('x', '$1', f)")
  assert.equal(dollars.nametrans('axb'), 'a$1b')
})

test('Python lambdas: re.search / re.match, replace and +', () => {
  const r = repo("folderfilter = lambda f: not re.search('(?i)spam', f)")
  assert.equal(r.folderfilter('SPAM-box'), false)
  const m = repo("folderfilter = lambda f: re.match('Lists', f)")
  assert.equal(m.folderfilter('x.Lists'), false)
  assert.equal(m.folderfilter('Lists.x'), true)
  const rep = repo("nametrans = lambda f: 'Archive/' + f.replace('.', '/')")
  assert.equal(rep.nametrans('a.b.c'), 'Archive/a/b/c')
})

test('the translation is plain JavaScript', () => {
  assert.equal(translatePythonLambda("lambda f: f not in ['a']"), '(f) => !["a"].includes(f)')
  assert.equal(translatePythonLambda("lambda f: re.sub('a(b)', '\\\\1', f)"), '(f) => f.replace(new RegExp("a(b)", "g"), "$1")')
})

test('an untranslatable Python lambda is an error that shows the JavaScript to write', () => {
  const e = rejects('folderfilter = lambda f: f in my_list', `${FILE}:4 [Repository L] folderfilter`, 'cannot be translated', 'the name "my_list"', "folderfilter = folder => !['Trash', 'Spam'].includes(folder)")
  assert.match(e.hint ?? '', /JavaScript arrow function/)
  rejects("nametrans = lambda f: f.split('.')[0]", 'nametrans', 'method .split()', "nametrans = folder => folder.replace(/^INBOX\\./, '')")
})

test('mbnames folderfilter takes (account, folder); Python two-argument lambdas too', () => {
  const c = parseConfigText("[mbnames]\nenabled = yes\nfolderfilter = lambda accountname, foldername: accountname == 'Work' and foldername != 'Trash'\n", FILE, { home: '/h', env: {} })
  assert.equal(c.mbnames.folderfilter('Work', 'INBOX'), true)
  assert.equal(c.mbnames.folderfilter('Work', 'Trash'), false)
  assert.equal(c.mbnames.folderfilter('Home', 'INBOX'), false)
  assert.equal(c.mbnames.get('enabled'), true)
})

test('utf8foldernames = no: the functions see and give modified UTF-7 names, as OfflineIMAP hands them over', () => {
  const r = repo("folderfilter = lambda f: f != 'Entw&APw-rfe'\nnametrans = lambda f: f.replace('&ZeVnLIqe-', 'Japanese')\nfolderincludes = Entw&APw-rfe/Alt")
  const mutf7 = folderFunctions(r, false)
  assert.equal(mutf7.folderfilter('Entwürfe'), false)
  assert.equal(mutf7.folderfilter('Gesendet'), true)
  assert.equal(mutf7.nametrans('日本語/受信'), 'Japanese/受信')
  assert.equal(mutf7.nametrans('R&D'), 'R&D', 'an ASCII "&" goes there and back')
  assert.deepEqual(mutf7.includes, ['Entwürfe/Alt'])
  // unset (or yes): UTF-8 names, so the same filter matches nothing decoded
  const utf8 = folderFunctions(r, undefined)
  assert.equal(utf8.folderfilter('Entwürfe'), true)
  assert.equal(utf8.nametrans('日本/受信'), '日本/受信')
  assert.deepEqual(utf8.includes, ['Entw&APw-rfe/Alt'])
})

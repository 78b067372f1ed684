// Password and user sources: which one wins, what `describe` says, and clear errors (naming the
// file or command, never a secret) for unsafe files and failing commands.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync, chmodSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseConfigText } from '../../src/config/index.js'
import { passwordSource } from '../../src/credentials/password-source.js'
import { envVarName, userSource } from '../../src/credentials/user-source.js'
import { describeCredentials } from '../../src/credentials/describe.js'
import { parseNetrc, findNetrcEntry } from '../../src/credentials/netrc.js'
import { MailsyncError } from '../../src/errors.js'

const dir = mkdtempSync(join(tmpdir(), 'mailsync-cred-'))
const SECRET = 'S3cret-do-not-print'

function repo(lines: string, name = 'Work') {
  const c = parseConfigText(`[Repository ${name}]\ntype = IMAP\nremotehost = mail.example.org\n${lines}`, '/cfg/rc', { home: dir, env: {} })
  return c.repositories.get(name)!
}

function file(name: string, text: string, mode = 0o600): string {
  const p = join(dir, name)
  writeFileSync(p, text)
  chmodSync(p, mode)
  return p
}

async function rejects(p: Promise<unknown>, re: RegExp): Promise<MailsyncError> {
  try {
    await p
  } catch (err) {
    assert.ok(err instanceof MailsyncError, String(err))
    assert.match(err.message, re)
    assert.ok(!err.message.includes(SECRET) && !(err.hint ?? '').includes(SECRET), 'no secret in the error')
    return err
  }
  assert.fail('expected an error')
}

const noNetrc = { HOME: join(dir, 'nohome') }

test('first set wins: remotepass > remotepassfile > remotepasscmd > netrc > env > prompt', async () => {
  const pf = file('pw', `${SECRET}-file\nsecond line\n`)
  const env = { ...noNetrc, [envVarName('Work')]: `${SECRET}-env` }
  const all = repo(`remotepass = ${SECRET}-plain\nremotepassfile = ${pf}\nremotepasscmd = echo ${SECRET}-cmd\n`)
  assert.equal(await passwordSource(all, env)!.get(), `${SECRET}-plain`)
  const fileCmd = repo(`remotepassfile = ${pf}\npasscmd = echo ${SECRET}-cmd\n`)
  assert.equal(passwordSource(fileCmd, env)!.describe, `remotepassfile ${pf}`)
  assert.equal(await passwordSource(fileCmd, env)!.get(), `${SECRET}-file`)
  const cmd = repo(`passcmd = printf '%%s\\n%%s\\n' ${SECRET}-cmd other\n`)
  assert.match(passwordSource(cmd, env)!.describe, /^remotepasscmd `printf/)
  assert.equal(await passwordSource(cmd, env)!.get(), `${SECRET}-cmd`)
  const onlyEnv = repo('remoteuser = alice\n')
  assert.equal(passwordSource(onlyEnv, env, { interactive: true })!.describe, 'environment variable MAILSYNC_PASS_WORK')
  assert.equal(await passwordSource(onlyEnv, env)!.get(), `${SECRET}-env`)
  assert.equal(passwordSource(onlyEnv, noNetrc, { interactive: true })!.describe, 'asked on the terminal')
  assert.equal(passwordSource(onlyEnv, noNetrc, { interactive: false }), undefined)
  assert.ok(!JSON.stringify(describeCredentials(all, env)).includes(SECRET), 'describe never shows a secret')
  assert.equal(envVarName('my-work.acct'), 'MAILSYNC_PASS_MY_WORK_ACCT')
})

test('a password file readable by group or others is refused, naming the file and the fix', async () => {
  const pf = file('pw-open', `${SECRET}\n`, 0o640)
  const err = await rejects(passwordSource(repo(`remotepassfile = ${pf}\n`), noNetrc)!.get(), /readable or writable by others \(mode 640\)/)
  assert.equal(err.kind, 'config')
  assert.equal(err.hint, `chmod 600 ${pf}`)
  assert.ok(err.message.includes(pf) && err.message.includes('remotepassfile'))
  await rejects(passwordSource(repo(`remotepassfile = ${join(dir, 'missing')}\n`), noNetrc)!.get(), /cannot read password file .*missing \(ENOENT\)/)
  await rejects(passwordSource(repo(`remotepassfile = ${file('pw-empty', '\nx\n')}\n`), noNetrc)!.get(), /is empty/)
})

test('a failing or silent password command is an error naming the command, never its output', async () => {
  const secretFile = file('secret-out', `${SECRET}\n`)
  const failing = `cat ${secretFile}; exit 3`
  const err = await rejects(passwordSource(repo(`remotepasscmd = ${failing}\n`), noNetrc)!.get(), /password command `cat .*; exit 3` failed \(exit 3\)/)
  assert.equal(err.kind, 'config')
  assert.match(err.hint ?? '', /run `cat /)
  await rejects(passwordSource(repo(`remotepasscmd = echo; cat ${secretFile}\n`), noNetrc)!.get(), /printed nothing on its first line/)
  await rejects(passwordSource(repo('remotepasscmd = /nonexistent/tool\n'), noNetrc)!.get(), /failed \(exit 127\)/)
})

test('netrc: machine entries (matching the user when one is set), default, quoting; unsafe file refused', async () => {
  const entries = parseNetrc([
    '# comment line',
    'machine other.example login x password y',
    'machine mail.example.org login alice password "pa ss"',
    'machine mail.example.org',
    '  login bob',
    '  password bobpw',
    'macdef init',
    'machine evil password z',
    '',
    'default login anon password anonpw',
  ].join('\n'))
  assert.deepEqual(findNetrcEntry(entries, 'MAIL.example.org'), { machine: 'mail.example.org', login: 'alice', password: 'pa ss' })
  assert.equal(findNetrcEntry(entries, 'mail.example.org', 'bob')?.password, 'bobpw')
  assert.equal(findNetrcEntry(entries, 'elsewhere')?.password, 'anonpw')
  assert.equal(findNetrcEntry(entries, 'evil')?.password, 'anonpw', 'macdef bodies are not entries')

  const home = join(dir, 'home')
  const { mkdirSync } = await import('node:fs')
  mkdirSync(home, { recursive: true })
  file('home/.netrc', `machine mail.example.org login carol password ${SECRET}\n`)
  const r = repo('')
  assert.equal(userSource(r, { HOME: home })?.get(), 'carol')
  const src = passwordSource(r, { HOME: home })!
  assert.equal(src.describe, `${join(home, '.netrc')} (machine mail.example.org)`)
  assert.equal(await src.get(), SECRET)
  assert.equal(passwordSource(repo('remoteuser = dave\n'), { HOME: home }, { interactive: false }), undefined, 'entry for another login')
  chmodSync(join(home, '.netrc'), 0o644)
  assert.match(passwordSource(r, { HOME: home })!.describe, /refused/)
  await rejects(passwordSource(r, { HOME: home })!.get(), /netrc file .* readable or writable by others/)
})

test('user sources: remoteuser > remoteuserfile > remoteusercmd > netrc > env; remoteusereval refused', () => {
  const uf = file('user', 'from-file\n', 0o644)
  assert.equal(userSource(repo(`remoteuser = u1\nremoteuserfile = ${uf}\n`), noNetrc)?.get(), 'u1')
  assert.equal(userSource(repo(`remoteuserfile = ${uf}\nremoteusercmd = echo u3\n`), noNetrc)?.get(), 'from-file')
  const cmd = userSource(repo('remoteusercmd = echo u3\n'), noNetrc)!
  assert.equal(cmd.describe, 'remoteusercmd `echo u3`')
  assert.equal(cmd.get(), 'u3')
  assert.equal(userSource(repo(''), { ...noNetrc, MAILSYNC_USER_WORK: 'u5' })?.get(), 'u5')
  assert.throws(() => userSource(repo('remoteusercmd = exit 4\n'), noNetrc)!.get(), /user name command `exit 4` failed \(exit 4\)/)
  assert.throws(() => repo('remoteusereval = get_user()\n'), (e: Error) => /remoteusereval/.test(e.message) && /remoteusercmd/.test(`${e.message} ${(e as MailsyncError).hint}`))
})

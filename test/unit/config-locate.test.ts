// Where the config file is looked for, in a temporary HOME / XDG_CONFIG_HOME.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError } from '../../src/errors.js'
import { configSearchPaths, loadConfig } from '../../src/config/index.js'

async function withHome(fn: (home: string) => Promise<void>): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'mailsync-config-'))
  try {
    await fn(home)
  } finally {
    await rm(home, { recursive: true, force: true })
  }
}

const config = (account: string) => `[general]\naccounts = ${account}\n[Account ${account}]\nlocalrepository = ~/Mail\nremoterepository = imaps://me@example.org\n`

test('XDG_CONFIG_HOME/mailsync/config wins over ~/.config and ~/.mailsyncrc', () =>
  withHome(async (home) => {
    const xdg = join(home, 'xdg')
    await mkdir(join(xdg, 'mailsync'), { recursive: true })
    await mkdir(join(home, '.config', 'mailsync'), { recursive: true })
    await writeFile(join(xdg, 'mailsync', 'config'), config('FromXdg'))
    await writeFile(join(home, '.config', 'mailsync', 'config'), config('FromDotConfig'))
    await writeFile(join(home, '.mailsyncrc'), config('FromRc'))
    const c = await loadConfig({ env: { HOME: home, XDG_CONFIG_HOME: xdg } })
    assert.equal(c.file, join(xdg, 'mailsync', 'config'))
    assert.deepEqual([...c.accounts.keys()], ['FromXdg'])
    assert.equal(c.accounts.get('FromXdg')!.local.get('localfolders'), join(home, 'Mail'))
    const noXdg = await loadConfig({ env: { HOME: home } })
    assert.deepEqual([...noXdg.accounts.keys()], ['FromDotConfig'])
  }))

test('~/.mailsyncrc is the last place looked at', () =>
  withHome(async (home) => {
    await writeFile(join(home, '.mailsyncrc'), config('FromRc'))
    const c = await loadConfig({ env: { HOME: home, XDG_CONFIG_HOME: join(home, 'none') } })
    assert.equal(c.file, join(home, '.mailsyncrc'))
    assert.deepEqual(c.searched, [join(home, 'none', 'mailsync', 'config'), join(home, '.mailsyncrc')])
  }))

test('an explicit path is the only place looked at', () =>
  withHome(async (home) => {
    await writeFile(join(home, '.mailsyncrc'), config('FromRc'))
    await writeFile(join(home, 'mine.conf'), config('Mine'))
    const c = await loadConfig({ path: '~/mine.conf', env: { HOME: home } })
    assert.deepEqual([...c.accounts.keys()], ['Mine'])
    await assert.rejects(loadConfig({ path: join(home, 'absent.conf'), env: { HOME: home } }), (e: unknown) => {
      assert.ok(e instanceof ConfigError)
      assert.match(e.message, /absent\.conf: config file not found/)
      return true
    })
  }))

test('no file anywhere: the error lists every place looked at; not required gives defaults', () =>
  withHome(async (home) => {
    const env = { HOME: home }
    const paths = configSearchPaths(env, home)
    assert.deepEqual(paths, [join(home, '.config', 'mailsync', 'config'), join(home, '.mailsyncrc')])
    await assert.rejects(loadConfig({ env }), (e: unknown) => {
      assert.ok(e instanceof ConfigError)
      for (const p of paths) assert.ok(e.message.includes(p), e.message)
      return true
    })
    const c = await loadConfig({ env, required: false })
    assert.equal(c.file, undefined)
    assert.deepEqual(c.searched, paths)
    assert.equal(c.accounts.size, 0)
    assert.equal(c.general.get('maxsyncaccounts'), 1)
  }))

test('a password in a file others can read is a warning', () =>
  withHome(async (home) => {
    const file = join(home, 'pw.conf')
    await writeFile(file, '[Repository R]\ntype = IMAP\nremotehost = h\nremotepass = secret\n')
    await chmod(file, 0o644)
    const open = await loadConfig({ path: file, env: { HOME: home } })
    assert.match(open.warnings.map((w) => w.message).join('\n'), /pw\.conf: holds a password .* chmod 600/)
    await chmod(file, 0o600)
    const closed = await loadConfig({ path: file, env: { HOME: home } })
    assert.equal(closed.warnings.length, 0)
  }))

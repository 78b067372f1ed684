// A user's install: `npm pack`, then `npm install -g <tarball> --prefix DIR`, gives a working
// `mailsync` on DIR/bin with its man page, and that binary backs up the test Dovecot. Without any
// network: the dependencies come from a registry on 127.0.0.1 serving the lock's versions out of
// the local npm cache (test/support/local-registry.ts). better-sqlite3 would be compiled there
// (no prebuilt binary can be downloaded here), ~1.5 min on this machine: the install skips install
// scripts and takes the addon this checkout built when the versions are the same, and compiles it
// (`npm rebuild better-sqlite3`) only when they are not.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { ImapFlow } from 'imapflow'
import { startDovecot, TEST_PASSWORD, type DovecotInstance } from '../support/dovecot.js'
import { tempRoots } from '../support/temp-roots.js'
import { startLocalRegistry, type LocalRegistry } from '../support/local-registry.js'
import { imapRepository, maildirRepository, oneAccountConfig, tlsServer } from '../support/config-text.js'
import { ROOT } from '../e2e/cli-child.js'

const run = promisify(execFile)
const roots = tempRoots('mailsync-install-')
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string }
const ADDON = join('build', 'Release', 'better_sqlite3.node')

/** npm's environment without what `npm test` handed us (npm_config_*, npm_lifecycle_*, ...). */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^npm_/i.test(k)) env[k] = v
  return { ...env, ...extra }
}

let d: DovecotInstance
let registry: LocalRegistry
before(async () => {
  d = await startDovecot({ users: ['alice'] })
  const c = new ImapFlow({ host: '127.0.0.1', port: d.port, secure: false, doSTARTTLS: false, auth: { user: 'alice', pass: TEST_PASSWORD }, logger: false })
  await c.connect()
  for (let i = 1; i <= 3; i++) await c.append('INBOX', Buffer.from(`From: a@example.org\r\nMessage-ID: <${i}@install.test>\r\nSubject: m${i}\r\n\r\nbody ${i}\r\n`))
  await c.mailboxCreate('Work')
  await c.append('Work', Buffer.from('From: a@example.org\r\nMessage-ID: <w@install.test>\r\nSubject: w\r\n\r\nwork\r\n'), ['\\Seen'])
  await c.logout()
  registry = await startLocalRegistry(join(ROOT, 'package-lock.json'))
})
after(async () => {
  await registry?.close()
  await d?.stop()
})

test('npm pack + npm install -g --prefix: mailsync on PATH, its version, man page and completion, and a real backup', { timeout: 600_000 }, async (t) => {
  const started = Date.now()
  const dir = await roots.fresh()
  const prefix = join(dir, 'prefix')
  const npmrc = join(dir, 'npmrc')
  writeFileSync(npmrc, '')
  // no user npmrc, a cache of its own, only the registry on 127.0.0.1
  const npmFlags = ['--userconfig', npmrc, '--cache', join(dir, 'npm-cache'), '--registry', registry.url, '--no-audit', '--no-fund', '--no-update-notifier']

  // `npm test` has just built dist/: pack it as is (--ignore-scripts: prepack would rebuild dist/
  // under the other tests running from it)
  const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir, ...npmFlags], { cwd: ROOT, env: cleanEnv() })
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[]
  const tarball = join(dir, info!.filename)
  assert.equal(info!.filename, `${pkg.name}-${pkg.version}.tgz`)
  const inTarball = new Set(info!.files.map((f) => f.path))
  for (const file of ['bin/run.js', 'package.json', 'oclif.manifest.json', 'dist/mailsync.cjs', 'dist/mailsync.cjs.code-cache', 'dist/help.json', 'dist/man/mailsync.1', 'dist/completion/mailsync.bash', 'dist/completion/_mailsync', 'dist/commands/backup.js', 'dist/src/cli/bundle/load-bundle.js']) {
    assert.ok(inTarball.has(file), `the package has ${file}`)
  }
  assert.ok(![...inTarball].some((f) => f.startsWith('dist/test/') || f.startsWith('src/') || f.startsWith('node_modules/')), 'no tests, sources or node_modules in the package')

  const installed = await run('npm', ['install', '-g', '--prefix', prefix, '--ignore-scripts', ...npmFlags, tarball], { cwd: dir, env: cleanEnv(), maxBuffer: 16 << 20 })
  t.diagnostic(`npm install: ${installed.stdout.trim().split('\n').pop()}`)
  const pkgDir = join(prefix, 'lib', 'node_modules', pkg.name)
  const sqliteDir = join(pkgDir, 'node_modules', 'better-sqlite3')
  const version = (p: string) => (JSON.parse(readFileSync(join(p, 'package.json'), 'utf8')) as { version: string }).version
  const ours = join(ROOT, 'node_modules', 'better-sqlite3')
  if (version(sqliteDir) === version(ours) && existsSync(join(ours, ADDON))) {
    mkdirSync(dirname(join(sqliteDir, ADDON)), { recursive: true })
    copyFileSync(join(ours, ADDON), join(sqliteDir, ADDON))
    t.diagnostic(`better-sqlite3 ${version(sqliteDir)}: the addon this checkout built`)
  } else {
    t.diagnostic(`better-sqlite3 ${version(sqliteDir)} (this checkout has ${version(ours)}): compiling`)
    await run('npm', ['rebuild', 'better-sqlite3', ...npmFlags], { cwd: pkgDir, env: cleanEnv(), maxBuffer: 64 << 20 })
  }
  const installSeconds = (Date.now() - started) / 1000

  const bin = join(prefix, 'bin', 'mailsync')
  assert.ok(existsSync(bin), 'PREFIX/bin/mailsync')
  assert.equal(realpathSync(bin), join(realpathSync(pkgDir), 'bin', 'run.js'))
  const man = join(prefix, 'share', 'man', 'man1', 'mailsync.1')
  assert.ok(existsSync(man), 'PREFIX/share/man/man1/mailsync.1')
  assert.equal(readFileSync(man, 'utf8'), readFileSync(join(ROOT, 'dist', 'man', 'mailsync.1'), 'utf8'))

  // as a user runs it: through PATH, the #! line starting node, in a home of its own
  const home = join(dir, 'home')
  const env = cleanEnv({ PATH: `${join(prefix, 'bin')}:${process.env.PATH}`, HOME: home, XDG_CONFIG_HOME: join(dir, 'xdg-config'), XDG_STATE_HOME: join(dir, 'xdg-state'), XDG_CACHE_HOME: join(dir, 'xdg-cache') })
  const cli = (args: string[], extra: Record<string, string> = {}) => run('mailsync', args, { cwd: dir, env: { ...env, ...extra }, timeout: 60_000 })
  const v = await cli(['--version'])
  assert.equal(v.stdout.split(' ')[0], `mailsync/${pkg.version}`)
  assert.equal(v.stdout.split(' ')[0]!.split('/')[1], pkg.version, "the version is package.json's")
  assert.match((await cli(['--help'])).stdout, /^ {2}backup +One-way backup/m)
  assert.equal((await cli(['completion', 'bash'])).stdout, readFileSync(join(pkgDir, 'dist', 'completion', 'mailsync.bash'), 'utf8'))

  const maildir = join(dir, 'Mail')
  const config = join(dir, 'config')
  writeFileSync(config, oneAccountConfig({ metadata: join(dir, 'state'), remote: imapRepository('R', { server: tlsServer(d), user: 'alice' }), local: maildirRepository('L', maildir) }), { mode: 0o600 })
  const backup = await cli(['backup', 't', '-c', config], { MAILSYNC_DEBUG_STARTUP: '1' })
  assert.match(backup.stderr, new RegExp(`mailsync: startup: bundle ${realpathSync(pkgDir)}/dist/mailsync\\.cjs`), 'the installed bundle ran')
  assert.match(backup.stdout, /^t INBOX -> INBOX: \+3 new A->B/m)
  assert.match(backup.stdout, /^done\.$/m)
  const messages = (folder: string) => ['cur', 'new'].flatMap((sub) => readdirSync(join(maildir, folder, sub)))
  assert.equal(messages('INBOX').length, 3)
  assert.equal(messages('Work').length, 1)
  const again = await cli(['backup', 't', '-c', config])
  assert.match(again.stdout, /^t INBOX -> INBOX: no changes/m)
  t.diagnostic(`pack + install: ${installSeconds.toFixed(1)} s; whole test: ${((Date.now() - started) / 1000).toFixed(1)} s`)
})

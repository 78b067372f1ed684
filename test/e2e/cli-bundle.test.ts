// The one-file bundle (dist/mailsync.cjs) and its code cache: commands run through it with the
// same output and exit codes as through the separate modules, and a bad cache, a stale or missing
// or broken bundle never breaks a run. Each test works on a private copy of the package (node_modules
// linked), so the shared dist/ other tests run from is never touched.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ImapFlow } from 'imapflow'
import { ROOT, sandbox, SAMPLE_CONFIG, writeOneAccountConfig, type CliResult } from './cli-child.js'
import { startDovecot, TEST_PASSWORD } from '../support/dovecot.js'
import { plainServer } from '../support/config-text.js'
import { bundleSideCacheFile, readCodeCache, writeCodeCache } from '../../src/cli/bundle/code-cache.js'

/**
 * bin/, package.json, the manifest and dist/ (without the compiled tests) of ROOT, in a temp dir
 * (`installed`: as npm installs a package, in <temp>/node_modules/mailsync).
 */
function packageCopy(installed = false): { root: string; bundle: string; cache: string } {
  const temp = mkdtempSync(join(tmpdir(), 'mailsync-pkg-'))
  const root = installed ? join(temp, 'node_modules', 'mailsync') : temp
  mkdirSync(root, { recursive: true })
  const copy = (rel: string) => cpSync(join(ROOT, rel), join(root, rel), { recursive: true, preserveTimestamps: true })
  for (const rel of ['bin', 'package.json', 'oclif.manifest.json', 'dist/src', 'dist/commands', 'dist/help.json', 'dist/mailsync.cjs', 'dist/mailsync.cjs.code-cache']) copy(rel)
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'))
  const bundle = join(root, 'dist', 'mailsync.cjs')
  return { root, bundle, cache: bundleSideCacheFile(bundle) }
}

function run(root: string, args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'bin', 'run.js'), ...args], { env: { ...env, MAILSYNC_DEBUG_STARTUP: '1' }, timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr })
    })
  })
}

const startupLine = (r: CliResult) => r.stderr.split('\n').find((l) => l.startsWith('mailsync: startup: ')) ?? ''
const withoutStartup = (text: string) => text.split('\n').filter((l) => !l.startsWith('mailsync: startup: ')).join('\n')
const bundleId = (bundle: string) => /^\/\/ mailsync-bundle ([0-9a-f]+)\n/.exec(readFileSync(bundle, 'utf8'))![1]!

test('the build writes the bundle and a code cache made for it', () => {
  const bundle = join(ROOT, 'dist', 'mailsync.cjs')
  const id = bundleId(bundle)
  assert.ok(readCodeCache(bundleSideCacheFile(bundle), id), 'a code cache that matches the bundle')
})

test('commands run through the bundle, from the code cache, with the same output and exit codes as without it', async () => {
  const pkg = packageCopy()
  const box = await sandbox()
  const config = await box.writeConfig(SAMPLE_CONFIG)
  for (const args of [['info', '--offline', '-c', config], ['info', '--offline', '--json', '-c', config], ['sync', '--no-such-flag'], ['frobnicate'], ['sync', 'nobody', '-c', config]]) {
    const bundled = await run(pkg.root, args, box.env)
    assert.match(startupLine(bundled), /^mailsync: startup: bundle .*mailsync\.cjs, code cache hit/, `${args.join(' ')}: ${bundled.stderr}`)
    const modules = await run(pkg.root, args, { ...box.env, MAILSYNC_NO_BUNDLE: '1' })
    assert.match(startupLine(modules), /startup: modules \(MAILSYNC_NO_BUNDLE is set\)/)
    assert.equal(bundled.code, modules.code, args.join(' '))
    assert.equal(bundled.stdout, modules.stdout, args.join(' '))
    assert.equal(withoutStartup(bundled.stderr), withoutStartup(modules.stderr), args.join(' '))
  }
  const usage = await run(pkg.root, ['sync', '--no-such-flag'], box.env)
  assert.equal(usage.code, 64)
  assert.match(usage.stderr, /^mailsync: unknown flag --no-such-flag\nhint: see `mailsync sync --help`$/m)
})

test('a corrupt code cache is ignored and replaced; the command still works', async () => {
  const pkg = packageCopy()
  const box = await sandbox()
  const config = await box.writeConfig(SAMPLE_CONFIG)
  const bytes = readFileSync(pkg.cache)
  for (let i = Math.floor(bytes.length / 2); i < bytes.length / 2 + 64; i++) bytes[i] = bytes[i]! ^ 0xff
  writeFileSync(pkg.cache, bytes)
  const first = await run(pkg.root, ['info', '--offline', '-c', config], box.env)
  assert.equal(first.code, 0, first.stderr)
  assert.match(first.stdout, /^\[Account work\]/m)
  assert.match(startupLine(first), /code cache miss$/)
  assert.match(first.stderr, new RegExp(`code cache written to ${pkg.cache}`))
  assert.match(startupLine(await run(pkg.root, ['info', '--offline', '-c', config], box.env)), /code cache hit/)
})

test('a cache V8 refuses (right header, wrong contents) is ignored and replaced', async () => {
  const pkg = packageCopy()
  const box = await sandbox()
  const config = await box.writeConfig(SAMPLE_CONFIG)
  writeCodeCache(pkg.cache, bundleId(pkg.bundle), Buffer.alloc(4096, 7))
  const first = await run(pkg.root, ['info', '--offline', '-c', config], box.env)
  assert.equal(first.code, 0, first.stderr)
  assert.match(startupLine(first), /code cache rejected$/)
  assert.match(startupLine(await run(pkg.root, ['info', '--offline', '-c', config], box.env)), /code cache hit/)
})

test('when the cache cannot be written next to the bundle, it goes to $XDG_CACHE_HOME/mailsync', async () => {
  const pkg = packageCopy()
  const box = await sandbox()
  const config = await box.writeConfig(SAMPLE_CONFIG)
  // a directory where the cache file would go: not readable as a cache, not replaceable by rename
  rmSync(pkg.cache)
  mkdirSync(join(pkg.cache, 'occupied'), { recursive: true })
  const env = { ...box.env, XDG_CACHE_HOME: join(box.dir, 'cache') }
  const first = await run(pkg.root, ['info', '--offline', '-c', config], env)
  assert.equal(first.code, 0, first.stderr)
  assert.match(first.stderr, new RegExp(`code cache written to ${join(box.dir, 'cache', 'mailsync')}/bundle-[0-9a-f]+-v[0-9.]+-\\w+\\.code-cache`))
  const second = await run(pkg.root, ['info', '--offline', '-c', config], env)
  assert.match(startupLine(second), new RegExp(`code cache hit \\(${join(box.dir, 'cache', 'mailsync')}/`))
  assert.equal(second.stdout, first.stdout)
})

test('a missing, stale or broken bundle falls back to the separate modules', async () => {
  const pkg = packageCopy()
  const box = await sandbox()
  const config = await box.writeConfig(SAMPLE_CONFIG)
  const expected = (await run(pkg.root, ['info', '--offline', '-c', config], box.env)).stdout
  assert.match(expected, /^\[Account work\]/m)

  // compiled again after the bundle was built (a tsc-only build)
  const later = new Date(Date.now() + 60_000)
  utimesSync(join(pkg.root, 'dist', 'src', 'cli', 'bundle', 'entry.js'), later, later)
  const stale = await run(pkg.root, ['info', '--offline', '-c', config], box.env)
  assert.match(startupLine(stale), /startup: modules \(dist\/mailsync\.cjs is older than the compiled sources\)/)
  assert.equal(stale.code, 0, stale.stderr)
  assert.equal(stale.stdout, expected)

  // a bundle that throws while loading
  writeFileSync(pkg.bundle, `// mailsync-bundle ${'0'.repeat(32)}\nthrow new Error('half a bundle')\n`)
  utimesSync(pkg.bundle, later, later)
  const broken = await run(pkg.root, ['info', '--offline', '-c', config], box.env)
  assert.match(startupLine(broken), /startup: modules \(dist\/mailsync\.cjs failed to load: half a bundle\)/)
  assert.equal(broken.stdout, expected)

  // an installed package (npm gives every file the time it wrote it): the bundle all the same
  const installed = packageCopy(true)
  utimesSync(join(installed.root, 'dist', 'src', 'cli', 'bundle', 'entry.js'), later, later)
  const inNodeModules = await run(installed.root, ['info', '--offline', '-c', config], box.env)
  assert.match(startupLine(inNodeModules), /^mailsync: startup: bundle .*node_modules\/mailsync\/dist\/mailsync\.cjs/)
  assert.equal(inNodeModules.stdout, expected)

  rmSync(pkg.bundle)
  const missing = await run(pkg.root, ['info', '--offline', '-c', config], box.env)
  assert.match(startupLine(missing), /startup: modules \(no dist\/mailsync\.cjs/)
  assert.equal(missing.stdout, expected)
  const usage = await run(pkg.root, ['sync', '--no-such-flag'], box.env)
  assert.equal(usage.code, 64)
  assert.match(usage.stderr, /^mailsync: unknown flag --no-such-flag$/m)
})

test('a backup that moves enough mail to run full GCs writes a code cache the next run accepts', async () => {
  const d = await startDovecot({ users: ['gc'] })
  try {
    // 40 messages of 1 MB: enough bodies for src/engine/memory-keeper.ts to force full GCs,
    // which need V8's --expose-gc; a flag set during the run made its cache one V8 refused later
    const c = new ImapFlow({ host: '127.0.0.1', port: d.port, secure: false, doSTARTTLS: false, auth: { user: 'gc', pass: TEST_PASSWORD }, logger: false })
    await c.connect()
    const line = 'x'.repeat(998) + '\r\n'
    for (let i = 0; i < 40; i++) await c.append('INBOX', Buffer.from(`Message-ID: <gc${i}@cache.test>\r\nSubject: ${i}\r\n\r\n${line.repeat(1000)}`))
    await c.logout()
    const pkg = packageCopy()
    const box = await sandbox()
    const config = await writeOneAccountConfig(box, { user: 'gc', password: TEST_PASSWORD, server: plainServer(d) })
    rmSync(pkg.cache)
    const backup = await run(pkg.root, ['backup', '-c', config, '-q'], box.env)
    assert.equal(backup.code, 0, backup.stderr)
    assert.match(startupLine(backup), /code cache miss$/)
    assert.match(backup.stderr, new RegExp(`code cache written to ${pkg.cache}`))
    const next = await run(pkg.root, ['info', '--offline', '-c', config], box.env)
    assert.equal(next.code, 0, next.stderr)
    assert.match(startupLine(next), /code cache hit/)
  } finally {
    await d.stop()
  }
})

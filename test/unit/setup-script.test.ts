// scripts/setup.mjs, the first thing `npm test` and `npm run demo` run in a fresh clone: what it
// decides to install, the one line it prints when the user must act, and when node_modules counts
// as up to date with package-lock.json.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

type Setup = typeof import('../../scripts/setup.mjs')
const SCRIPT = fileURLToPath(new URL('../../../scripts/setup.mjs', import.meta.url))
const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
const setup = (await import(SCRIPT)) as Setup
const { planSetup } = setup

const TOOLS = ['make', 'g++', 'python3']

test('as root: missing Debian packages are installed, then npm ci when node_modules is not fresh', () => {
  assert.deepEqual(planSetup({ target: 'demo', isRoot: true, missing: ['dovecot-imapd'], nodeModules: 'fresh' }), {
    steps: [{ kind: 'apt', packages: ['dovecot-imapd'] }],
    stop: undefined,
  })
  const plan = planSetup({ target: 'test', isRoot: true, missing: ['dovecot-imapd', 'isync'], nodeModules: 'missing', missingBuildTools: ['g++'] })
  assert.deepEqual(plan.steps.map((s) => s.kind), ['apt', 'npm-ci'])
  assert.deepEqual(plan.steps[0], { kind: 'apt', packages: ['dovecot-imapd', 'isync', 'g++'] }, 'the compiler too, before npm ci')
  assert.equal(plan.stop, undefined)
})

test('nothing missing and node_modules fresh: nothing to do', () => {
  for (const isRoot of [true, false]) {
    assert.deepEqual(planSetup({ target: 'test', isRoot, missing: [], nodeModules: 'fresh', missingBuildTools: TOOLS }), { steps: [], stop: undefined })
  }
})

test('stale or missing node_modules: npm ci, the build tools only matter then', () => {
  for (const nodeModules of ['missing', 'stale'] as const) {
    assert.deepEqual(planSetup({ target: 'demo', isRoot: true, missing: [], nodeModules }).steps.map((s) => s.kind), ['npm-ci'])
  }
  assert.deepEqual(planSetup({ target: 'demo', isRoot: true, missing: [], nodeModules: 'fresh', missingBuildTools: TOOLS }).steps, [])
})

test('not root and a package missing: stop with one line naming the exact apt-get command', () => {
  const plan = planSetup({ target: 'test', isRoot: false, missing: ['dovecot-imapd'], nodeModules: 'fresh' })
  assert.deepEqual(plan.steps, [])
  assert.equal(plan.stop, 'mailsync setup: `npm test` needs Debian packages that are missing; as root, run: apt-get install -y --no-install-recommends dovecot-imapd')
  const demo = planSetup({ target: 'demo', isRoot: false, missing: ['dovecot-imapd'], nodeModules: 'missing', missingBuildTools: ['make', 'python3'] })
  assert.equal(demo.stop, 'mailsync setup: `npm run demo` needs Debian packages that are missing; as root, run: apt-get install -y --no-install-recommends dovecot-imapd make python3')
  const dedup = planSetup({ target: 'test', isRoot: false, missing: ['python3'], nodeModules: 'stale', missingBuildTools: ['python3', 'g++'] })
  assert.match(dedup.stop!, /: apt-get install -y --no-install-recommends python3 g\+\+$/)
  for (const p of [plan, demo, dedup]) assert.ok(!p.stop!.includes('\n'), 'one line')
})

test('not root, only the compiler missing: npm ci is tried (a prebuilt binary may come), its failure names the command', () => {
  const plan = planSetup({ target: 'test', isRoot: false, missing: [], nodeModules: 'missing', missingBuildTools: ['g++', 'make'] })
  assert.equal(plan.stop, undefined)
  assert.equal(plan.steps.length, 1)
  const step = plan.steps[0]!
  assert.equal(step.kind, 'npm-ci')
  assert.ok(step.kind === 'npm-ci' && step.onFailure.endsWith('as root, run: apt-get install -y --no-install-recommends g++ make'), JSON.stringify(step))
})

test('no apt-get on the machine: say what is missing in one line', () => {
  const plan = planSetup({ target: 'demo', isRoot: true, missing: ['dovecot-imapd'], nodeModules: 'fresh', hasApt: false })
  assert.deepEqual(plan.steps, [])
  assert.match(plan.stop!, /^mailsync setup: `npm run demo` needs dovecot-imapd \(as Debian names them\), and there is no apt-get here/)
})

test('MAILSYNC_SETUP_PRETEND_MISSING makes an installed package count as missing', () => {
  assert.deepEqual(setup.missingPackages(['openssl'], { PATH: process.env.PATH }), [], 'openssl is on PATH (the Dovecot tests need it)')
  assert.deepEqual(setup.missingPackages(['openssl'], { PATH: process.env.PATH, MAILSYNC_SETUP_PRETEND_MISSING: 'isync,openssl' }), ['openssl'])
})

test('node_modules: missing, stale when npm installed other packages, fresh as npm ci left it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailsync-setup-'))
  const lock = { name: 'x', lockfileVersion: 3, packages: { '': { name: 'x', dependencies: { a: '^1.0.0' } }, 'node_modules/a': { version: '1.0.1', resolved: 'https://r/a-1.0.1.tgz', integrity: 'sha512-A' }, 'node_modules/b-linux-arm': { version: '2.0.0', optional: true } } }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', dependencies: { a: '^1.0.0' } }))
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(lock))
  assert.equal(setup.nodeModulesState(dir), 'missing')
  mkdirSync(join(dir, 'node_modules'))
  assert.equal(setup.nodeModulesState(dir), 'stale', 'no record of what npm installed')

  const installed = { 'node_modules/a': { version: '1.0.1', resolved: 'https://r/a-1.0.1.tgz', integrity: 'sha512-A' } }
  assert.ok(setup.samePackages(lock.packages, installed), 'an optional package of another platform may be absent')
  assert.ok(!setup.samePackages(lock.packages, { 'node_modules/a': { ...installed['node_modules/a'], version: '1.0.0', integrity: 'sha512-B' } }), 'another version')
  assert.ok(!setup.samePackages(lock.packages, {}), 'a package not installed')
  assert.ok(!setup.samePackages(lock.packages, { ...installed, 'node_modules/c': { version: '1.0.0' } }), 'an extra package')

  assert.match(setup.lockHash('{}'), /^[0-9a-f]{64} node-abi-\d+\n$/)
  // package.json asks for a dependency the lock does not have: npm ci must run (and will say why)
  writeFileSync(join(dir, 'node_modules', setup.HASH_FILE), setup.lockHash(JSON.stringify(lock)))
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', dependencies: { a: '^1.0.0', d: '^3.0.0' } }))
  assert.equal(setup.nodeModulesState(dir), 'stale')
})

test("this checkout's node_modules is fresh (npm test just set it up)", () => {
  assert.equal(setup.nodeModulesState(ROOT), 'fresh')
})

test('the script itself, run by a user who is not root, prints the one line and exits non-zero', (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to run the script as nobody')
  const asNobody = (args: string[]) => spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: tmpdir(), MAILSYNC_SETUP_PRETEND_MISSING: 'dovecot-imapd' },
  })
  const probe = asNobody([process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(SCRIPT)}, require('fs').constants.R_OK)`])
  if (probe.error || probe.status !== 0) return t.skip(`nobody cannot run ${SCRIPT} here`)
  for (const target of ['test', 'demo']) {
    const r = asNobody([process.execPath, SCRIPT, target])
    assert.equal(r.status, 1, r.stderr)
    assert.equal(r.stdout, '')
    const command = target === 'test' ? 'npm test' : 'npm run demo'
    assert.equal(r.stderr, `mailsync setup: \`${command}\` needs Debian packages that are missing; as root, run: apt-get install -y --no-install-recommends dovecot-imapd\n`)
  }
  const usage = spawnSync(process.execPath, [SCRIPT, 'frobnicate'], { encoding: 'utf8' })
  assert.equal(usage.status, 64)
  assert.equal(usage.stderr.split('\n').length, 2, usage.stderr)
  assert.ok(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.pretest.includes('scripts/setup.mjs test'))
})

test("npm test installs the libraries of the Cyrus that test/support/cyrus.ts unpacks, and sees them when installed", async () => {
  const { CYRUS_LIBRARIES } = await import('../support/cyrus.js')
  assert.deepEqual([...setup.CYRUS_LIBRARIES].sort(), [...CYRUS_LIBRARIES].sort(), 'one list in both places')
  for (const p of CYRUS_LIBRARIES) assert.ok(setup.TARGETS.test.packages.includes(p), p)
  assert.ok(!setup.TARGETS.test.packages.some((p) => p.startsWith('cyrus')), 'Cyrus itself is never installed: it would remove dovecot-imapd')
  // installed here (npm test's set-up ran): each is found by its library file, not looked for on PATH
  assert.deepEqual(setup.missingPackages(CYRUS_LIBRARIES, {}), [])
})

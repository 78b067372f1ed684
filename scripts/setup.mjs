// The set-up `npm test` and `npm run demo` do before anything else (their `pretest` / `predemo`
// scripts; `prepack` too): `node scripts/setup.mjs test|demo|pack`. It makes a fresh clone work with nothing typed
// but those two commands: it installs the Debian packages the target needs when they are missing
// (as root; otherwise it stops with one line saying the command to run) and runs `npm ci` when
// node_modules is missing or does not match package-lock.json. The build itself is the next step
// of the npm script. This runs before node_modules exists: plain Node, no npm package, no
// TypeScript. `--dry-run` prints the plan and does nothing.
// MAILSYNC_SETUP_PRETEND_MISSING=pkg,pkg treats those Debian packages as missing (to see the
// messages on a machine that has them).
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The libraries Cyrus's master, imapd and ctl_cyrusdb link against (Debian 12 names), and a file of each. */
const CYRUS_LIBRARY_FILES = {
  'libsasl2-2': 'libsasl2.so.2',
  'libsasl2-modules': 'sasl2/libplain.so',
  libwrap0: 'libwrap.so.0',
  libicu72: 'libicuuc.so.72',
  libjansson4: 'libjansson.so.4',
  libpq5: 'libpq.so.5',
  libxapian30: 'libxapian.so.30',
  libical3: 'libical.so.3',
  libpcre3: 'libpcre.so.3',
}
export const CYRUS_LIBRARIES = Object.keys(CYRUS_LIBRARY_FILES)

/** What each target needs from Debian, and the npm command that runs it (for messages). */
export const TARGETS = {
  // the private Dovecot of test/support/dovecot.ts (its certificate is made with openssl)
  demo: { command: 'npm run demo', packages: ['dovecot-imapd', 'openssl'] },
  // also the real OfflineIMAP and mbsync (test/support/peer-tools.ts), python3 (a pty driver),
  // zsh and groff (the completion script and the man page are checked with them), systemd's
  // tools (systemd-analyze checks the units of `mailsync schedule`; systemd-notify is the
  // watchdog's sender), and the libraries of Cyrus IMAP (test/support/cyrus.ts: its own packages
  // are only unpacked, never installed: they would remove dovecot-imapd), and redis-server (the
  // fleet's queue: test/support/redis.ts runs a private one; Debian's own service is not used)
  test: { command: 'npm test', packages: ['dovecot-imapd', 'openssl', 'offlineimap3', 'isync', 'python3', 'zsh', 'groff-base', 'systemd', 'redis-server', ...CYRUS_LIBRARIES] },
  // `npm pack` (its prepack script builds): node_modules only
  pack: { command: 'npm pack', packages: [] },
}

/** better-sqlite3 compiles from source when no prebuilt binary can be downloaded: these build it. */
export const BUILD_TOOLS = ['make', 'g++', 'python3']

/** How a Debian package is seen to be installed: one of these sets of files all exists. */
const PACKAGE_FILES = {
  'dovecot-imapd': [['/usr/sbin/dovecot', '/usr/lib/dovecot/imap'], ['/usr/local/sbin/dovecot', '/usr/local/libexec/dovecot/imap']],
  'offlineimap3': [['/usr/bin/offlineimap']],
  'isync': [['/usr/bin/mbsync']],
  'systemd': [['/usr/bin/systemd-analyze', '/usr/bin/systemd-notify']],
  'redis-server': [['/usr/bin/redis-server'], ['/usr/local/bin/redis-server']],
}
/** Packages seen through a program of theirs on PATH. */
const PACKAGE_PROGRAMS = { openssl: 'openssl', python3: 'python3', make: 'make', 'g++': 'g++', zsh: 'zsh', 'groff-base': 'groff' }

export const HASH_FILE = '.mailsync-lock-hash'
const NATIVE_ADDON = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'

/**
 * The decision, from facts only (no I/O), so a test can try every case:
 * - target: 'test' | 'demo'
 * - isRoot: may we run apt-get ourselves
 * - missing: the target's Debian packages that are not installed
 * - nodeModules: 'missing' | 'stale' | 'fresh' (see nodeModulesState)
 * - missingBuildTools: BUILD_TOOLS not installed (only matters when npm ci must run)
 * - hasApt: is there an apt-get at all
 * Returns { steps, stop }: steps to run in order, each { kind: 'apt', packages } or
 * { kind: 'npm-ci', onFailure } (onFailure: the one line to print if npm ci fails); or, when the
 * user must act first, stop: that one line (and no steps).
 */
export function planSetup({ target, isRoot, missing, nodeModules, missingBuildTools = [], hasApt = true }) {
  const { command } = TARGETS[target]
  const needInstall = nodeModules !== 'fresh'
  const buildTools = needInstall ? missingBuildTools.filter((p) => !missing.includes(p)) : []
  const install = (pkgs) => `apt-get install -y --no-install-recommends ${pkgs.join(' ')}`
  const npmCi = (onFailure) => ({ kind: 'npm-ci', onFailure })
  const ciFailed = `mailsync setup: \`npm ci\` failed (its output is above); fix that, then run \`${command}\` again`
  if (missing.length > 0 && !hasApt) {
    return { steps: [], stop: `mailsync setup: \`${command}\` needs ${missing.join(', ')} (as Debian names them), and there is no apt-get here: install them with your system's package manager, then run \`${command}\` again` }
  }
  if (missing.length > 0 && !isRoot) {
    // one command for everything: the build tools too, when npm ci is still to run
    return { steps: [], stop: `mailsync setup: \`${command}\` needs Debian packages that are missing; as root, run: ${install([...missing, ...buildTools])}` }
  }
  // here nothing of the target is missing, or we are root with apt-get
  const steps = []
  const apt = isRoot && hasApt ? [...missing, ...buildTools] : []
  if (apt.length > 0) steps.push({ kind: 'apt', packages: apt })
  if (needInstall) {
    // not root and no compiler: npm ci may still get a prebuilt better-sqlite3; if not, say what to install
    const toolsStillMissing = apt.length === 0 ? buildTools : []
    steps.push(npmCi(toolsStillMissing.length > 0 && hasApt
      ? `mailsync setup: \`npm ci\` failed (its output is above), maybe because better-sqlite3 had to be compiled and ${toolsStillMissing.join(', ')} ${toolsStillMissing.length > 1 ? 'are' : 'is'} missing; as root, run: ${install(toolsStillMissing)}`
      : ciFailed))
  }
  return { steps, stop: undefined }
}

/** The text of the hash file: package-lock.json's SHA-256 and the Node ABI the addon was built for. */
export function lockHash(lockText) {
  return `${createHash('sha256').update(lockText).digest('hex')} node-abi-${process.versions.modules}\n`
}

/**
 * 'fresh' when node_modules is what `npm ci` makes of package-lock.json: our hash file says so
 * (written after an npm ci of ours), or every package npm says it installed
 * (node_modules/.package-lock.json) has the version and integrity the lock names, none is
 * missing (optional ones may be: other platforms) and none is extra. 'missing' without
 * node_modules; 'stale' otherwise, and also when the lock no longer matches package.json's
 * dependencies (npm ci then says so) or the native addon is not built or not loadable.
 */
export function nodeModulesState(root) {
  const nm = join(root, 'node_modules')
  if (!existsSync(nm)) return 'missing'
  let lockText, lock, pkg
  try {
    lockText = readFileSync(join(root, 'package-lock.json'), 'utf8')
    lock = JSON.parse(lockText)
    pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  } catch {
    return 'stale'
  }
  const top = lock.packages?.[''] ?? {}
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
    if (JSON.stringify(sorted(pkg[field])) !== JSON.stringify(sorted(top[field]))) return 'stale'
  }
  let fresh = false
  try {
    fresh = readFileSync(join(nm, HASH_FILE), 'utf8') === lockHash(lockText)
  } catch {}
  if (!fresh) {
    let installed
    try {
      installed = JSON.parse(readFileSync(join(nm, '.package-lock.json'), 'utf8')).packages ?? {}
    } catch {
      return 'stale'
    }
    if (!samePackages(lock.packages ?? {}, installed)) return 'stale'
  }
  return nativeAddonLoads(root) ? 'fresh' : 'stale'
}

/** Does the installed tree (npm's hidden lockfile) hold exactly the packages of the lock? */
export function samePackages(locked, installed) {
  for (const [key, entry] of Object.entries(locked)) {
    if (key === '') continue
    const got = installed[key]
    if (!got) {
      if (entry.optional) continue
      return false
    }
    if (got.version !== entry.version || got.integrity !== entry.integrity || got.resolved !== entry.resolved) return false
  }
  for (const key of Object.keys(installed)) if (key !== '' && !(key in locked)) return false
  return true
}

function sorted(deps) {
  return Object.fromEntries(Object.entries(deps ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)))
}

function nativeAddonLoads(root) {
  const file = join(root, NATIVE_ADDON)
  if (!existsSync(file)) return false
  try {
    process.dlopen({ exports: {} }, file)
    return true
  } catch {
    // e.g. built for another Node version
    return false
  }
}

function onPath(program) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && isFile(join(dir, program)))
}

function isFile(path) {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/** Library directories: /usr/lib, /lib and their multiarch subdirectories (x86_64-linux-gnu, ...). */
function libraryDirs() {
  const dirs = []
  for (const base of ['/usr/lib', '/lib']) {
    dirs.push(base)
    try {
      for (const d of readdirSync(base)) if (/-linux-gnu/.test(d)) dirs.push(join(base, d))
    } catch {}
  }
  return dirs
}

/** Which of these Debian packages are not installed (MAILSYNC_SETUP_PRETEND_MISSING adds some). */
export function missingPackages(packages, env = process.env) {
  const pretend = (env.MAILSYNC_SETUP_PRETEND_MISSING ?? '').split(',').map((s) => s.trim()).filter(Boolean)
  return packages.filter((p) => {
    if (pretend.includes(p)) return true
    if (PACKAGE_FILES[p]) return !PACKAGE_FILES[p].some((files) => files.every(isFile))
    if (CYRUS_LIBRARY_FILES[p]) return !libraryDirs().some((d) => isFile(join(d, CYRUS_LIBRARY_FILES[p])))
    return !onPath(PACKAGE_PROGRAMS[p] ?? p)
  })
}

function run(cmd, args, env) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], env: env ?? process.env })
  return r.status === 0
}

function npmCommand() {
  // under `npm test`, the npm that runs us; else the one on PATH
  const cli = process.env.npm_execpath
  return cli && /\.[cm]?js$/.test(cli) ? [process.execPath, [cli]] : ['npm', []]
}

function main(argv) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..')
  const target = argv.find((a) => !a.startsWith('-'))
  if (!(target in TARGETS)) {
    process.stderr.write(`mailsync setup: usage: node scripts/setup.mjs ${Object.keys(TARGETS).join('|')} [--dry-run]\n`)
    return 64
  }
  const dryRun = argv.includes('--dry-run')
  const facts = {
    target,
    isRoot: process.getuid?.() === 0,
    missing: missingPackages(TARGETS[target].packages),
    nodeModules: nodeModulesState(root),
    missingBuildTools: missingPackages(BUILD_TOOLS),
    hasApt: onPath('apt-get'),
  }
  const plan = planSetup(facts)
  if (dryRun) {
    process.stdout.write(`${JSON.stringify({ facts, plan })}\n`)
    return plan.stop ? 1 : 0
  }
  if (plan.stop) {
    process.stderr.write(`${plan.stop}\n`)
    return 1
  }
  for (const step of plan.steps) {
    if (step.kind === 'apt') {
      const list = step.packages.join(' ')
      process.stdout.write(`mailsync setup: installing ${list} (apt-get)\n`)
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
      if (!run('apt-get', ['update'], env) || !run('apt-get', ['install', '-y', '--no-install-recommends', ...step.packages], env)) {
        process.stderr.write(`mailsync setup: apt-get could not install ${list} (its output is above); run: apt-get update && apt-get install -y --no-install-recommends ${list}\n`)
        return 1
      }
      const still = missingPackages(step.packages, {})
      if (still.length > 0) {
        process.stderr.write(`mailsync setup: apt-get ran, but ${still.join(', ')} still ${still.length > 1 ? 'are' : 'is'} not found where expected\n`)
        return 1
      }
    } else if (step.kind === 'npm-ci') {
      process.stdout.write(`mailsync setup: node_modules is ${facts.nodeModules === 'missing' ? 'missing' : 'out of date with package-lock.json'}: npm ci\n`)
      rmSync(join(root, 'node_modules', HASH_FILE), { force: true })
      const [cmd, pre] = npmCommand()
      if (!run(cmd, [...pre, 'ci', '--no-audit', '--no-fund'])) {
        process.stderr.write(`${step.onFailure}\n`)
        return 1
      }
      writeFileSync(join(root, 'node_modules', HASH_FILE), lockHash(readFileSync(join(root, 'package-lock.json'), 'utf8')))
    }
  }
  return 0
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2))

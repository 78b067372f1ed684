// A private Cyrus IMAP 3.6 for tests: a second server brand beside Dovecot (issue 17). Debian's
// cyrus-imapd conflicts with dovecot-imapd (both provide imap-server), so it is never installed:
// its two .debs are fetched with `apt-get download` and unpacked with `dpkg-deb -x` into a
// private cache (MAILSYNC_CYRUS_DIR, default /var/tmp/mailsync-test/cyrus), and its master runs
// from there with a config in a temp dir, on a loopback port, as `nobody`. The libraries it links
// against do not conflict with anything and come from apt as usual (scripts/setup.mjs installs
// them for `npm test`; this helper does too when run as root).
// Users need no creating: SASL checks no password (`sasl_pwcheck_method: alwaystrue`, tests
// only) and the first login creates INBOX with Sent, Drafts, Trash and Junk (special-use set).
// With `checkPasswords` it checks them for real: each user gets TEST_PASSWORD in a sasldb of its
// own, written by saslpasswd2 from Debian's sasl2-bin (unpacked beside Cyrus's packages, not installed).
// The namespace is Debian's: `altnamespace: no`, `unixhierarchysep: no` -> folders are
// INBOX.Sent, INBOX.Archive..., separator '.'.
import { createHash } from 'node:crypto'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ImapFlow } from 'imapflow'
import { freePort, TEST_PASSWORD } from './dovecot.js'

/** Debian packages whose files are unpacked (never installed). */
export const CYRUS_DEBS = ['cyrus-common', 'cyrus-imapd']
/** Libraries master, imapd and ctl_cyrusdb link against, as Debian 12 names them (also in scripts/setup.mjs). */
export const CYRUS_LIBRARIES = ['libsasl2-2', 'libsasl2-modules', 'libwrap0', 'libicu72', 'libjansson4', 'libpq5', 'libxapian30', 'libical3', 'libpcre3']
const RUN_AS = { user: 'nobody', group: 'nogroup' }

export interface CyrusOptions {
  /** Users to log in once at start (which creates their mailboxes). */
  users?: string[]
  /** Cyrus's modern namespace: folders beside INBOX, not under it (default false, as Debian). */
  altNamespace?: boolean
  /** '/' as separator instead of '.' (default false, as Debian). */
  unixHierarchySep?: boolean
  /** Extra imapd.conf lines. */
  extraConfig?: string
  /** Check passwords (a sasldb holding TEST_PASSWORD for each of `users`) instead of taking any. */
  checkPasswords?: boolean
}

export interface CyrusInstance {
  host: string
  port: number
  users: string[]
  /** Any password logs in (alwaystrue), unless checkPasswords; this is the one tests use. */
  password: string
  separator: string
  dir: string
  /** What master and its children wrote to stderr (Cyrus logs to syslog otherwise). */
  log(): string
  stop(): Promise<void>
}

export function cyrusCacheDir(): string {
  return process.env.MAILSYNC_CYRUS_DIR ?? '/var/tmp/mailsync-test/cyrus'
}

const libDir = (root: string): string => join(root, 'usr', 'lib', readdirSync(join(root, 'usr', 'lib')).find((d) => d.endsWith('-linux-gnu')) ?? 'x86_64-linux-gnu')
const bin = (root: string, name: string): string => join(root, 'usr', 'lib', 'cyrus', 'bin', name)

function sh(cmd: string, args: string[], cwd?: string): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` }
}

const isRoot = (): boolean => process.getuid?.() === 0

/** The unpacked tree, fetching and unpacking it first when missing. */
export function ensureCyrus(): string {
  const cache = cyrusCacheDir()
  const root = join(cache, 'root')
  if (!existsSync(bin(root, 'imapd'))) {
    const debs = join(cache, 'debs')
    mkdirSync(debs, { recursive: true })
    const have = () => CYRUS_DEBS.every((p) => readdirSync(debs).some((f) => f.startsWith(`${p}_`) && f.endsWith('.deb')))
    if (!have()) {
      // as root apt would hand the download to user _apt, who cannot write here
      const download = (): { ok: boolean; out: string } => sh('apt-get', ['-o', 'APT::Sandbox::User=root', 'download', ...CYRUS_DEBS], debs)
      let r = download()
      if (!r.ok && isRoot()) {
        sh('apt-get', ['update'])
        r = download()
      }
      if (!r.ok || !have()) throw new Error(`cyrus: could not fetch ${CYRUS_DEBS.join(' ')} with apt-get download into ${debs}: ${r.out}`)
    }
    const tmp = `${root}.tmp-${process.pid}`
    rmSync(tmp, { recursive: true, force: true })
    mkdirSync(tmp, { recursive: true })
    for (const f of readdirSync(debs).filter((f) => f.endsWith('.deb'))) {
      const r = sh('dpkg-deb', ['-x', join(debs, f), tmp])
      if (!r.ok) throw new Error(`cyrus: dpkg-deb -x ${f} failed: ${r.out}`)
    }
    // another test process may have won the race: keep its tree
    try {
      renameSync(tmp, root)
    } catch {
      rmSync(tmp, { recursive: true, force: true })
    }
  }
  // `nobody` runs the binaries: every directory on the way must be traversable
  for (let d = cache; d !== '/' && d !== '.'; d = join(d, '..')) {
    try { chmodSync(d, 0o755) } catch { break }
  }
  ensureLibraries(root)
  return root
}

/** The SASL realm the sasldb users are in: Cyrus looks them up in its servername. */
const SASL_REALM = 'mailsync-test'

/** saslpasswd2, from sasl2-bin's .deb fetched with `apt-get download` and unpacked into the cache. */
function ensureSaslPasswd(): string {
  const root = join(cyrusCacheDir(), 'sasl2-bin')
  const tool = join(root, 'usr', 'sbin', 'saslpasswd2')
  if (existsSync(tool)) return tool
  const debs = join(cyrusCacheDir(), 'debs-sasl2-bin')
  mkdirSync(debs, { recursive: true })
  const deb = () => readdirSync(debs).find((f) => f.startsWith('sasl2-bin_') && f.endsWith('.deb'))
  if (!deb()) {
    const r = sh('apt-get', ['-o', 'APT::Sandbox::User=root', 'download', 'sasl2-bin'], debs)
    if (!r.ok || !deb()) throw new Error(`cyrus: could not fetch sasl2-bin with apt-get download into ${debs}: ${r.out}`)
  }
  const tmp = `${root}.tmp-${process.pid}`
  rmSync(tmp, { recursive: true, force: true })
  const r = sh('dpkg-deb', ['-x', join(debs, deb()!), tmp])
  if (!r.ok) throw new Error(`cyrus: dpkg-deb -x sasl2-bin failed: ${r.out}`)
  try {
    renameSync(tmp, root)
  } catch {
    rmSync(tmp, { recursive: true, force: true })
  }
  return tool
}

/** A sasldb at `file` in which each of `users` has TEST_PASSWORD. */
function writeSaslDb(file: string, users: readonly string[]): void {
  const tool = ensureSaslPasswd()
  for (const u of users) {
    const r = spawnSync(tool, ['-f', file, '-u', SASL_REALM, '-p', '-c', u], { input: TEST_PASSWORD, encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`cyrus: saslpasswd2 for ${u} failed: ${r.stderr}${r.error ? String(r.error) : ''}`)
  }
}

function missingLibraries(root: string): string[] {
  const out: string[] = []
  for (const b of ['master', 'imapd', 'ctl_cyrusdb']) {
    const r = spawnSync('ldd', [bin(root, b)], { encoding: 'utf8', env: { ...process.env, LD_LIBRARY_PATH: libDir(root) } })
    for (const line of (r.stdout ?? '').split('\n')) if (line.includes('not found')) out.push(line.trim().split(' ')[0]!)
  }
  return [...new Set(out)]
}

function ensureLibraries(root: string): void {
  let missing = missingLibraries(root)
  if (missing.length === 0) return
  const install = ['apt-get', 'install', '-y', '--no-install-recommends', ...CYRUS_LIBRARIES]
  if (isRoot()) {
    const dovecotBefore = existsSync('/usr/lib/dovecot/imap')
    const r = sh(install[0]!, install.slice(1))
    if (dovecotBefore && !existsSync('/usr/lib/dovecot/imap')) throw new Error('cyrus: installing its libraries removed Dovecot; reinstall dovecot-imapd')
    if (!r.ok) throw new Error(`cyrus: ${install.join(' ')} failed: ${r.out}`)
    missing = missingLibraries(root)
  }
  if (missing.length > 0) throw new Error(`cyrus: libraries missing (${missing.join(', ')}); as root, run: ${install.join(' ')}`)
}

function configText(o: { dir: string; opts: CyrusOptions }): string {
  const d = o.dir
  return `# generated by mailsync's test helper
configdirectory: ${d}/conf
partition-default: ${d}/spool
defaultpartition: default
proc_path: ${d}/run/proc
mboxname_lockpath: ${d}/run/lock
lmtpsocket: ${d}/run/socket/lmtp
idlesocket: ${d}/run/socket/idle
notifysocket: ${d}/run/socket/notify
cyrus_user: ${RUN_AS.user}
cyrus_group: ${RUN_AS.group}
admins: cyrus
allowplaintext: yes
${o.opts.checkPasswords ? `servername: ${SASL_REALM}\nsasl_pwcheck_method: auxprop\nsasl_auxprop_plugin: sasldb\nsasl_sasldb_path: ${d}/conf/sasldb2` : 'sasl_pwcheck_method: alwaystrue'}
sasl_mech_list: PLAIN LOGIN
syslog_prefix: mailsync-cyrus-test
altnamespace: ${o.opts.altNamespace ? 'yes' : 'no'}
unixhierarchysep: ${o.opts.unixHierarchySep ? 'yes' : 'no'}
autocreate_quota: 0
autocreate_inbox_folders: Sent|Drafts|Trash|Junk
autocreate_subscribe_folders: Sent|Drafts|Trash|Junk
xlist-sent: Sent
xlist-drafts: Drafts
xlist-trash: Trash
xlist-junk: Junk
${o.opts.extraConfig ?? ''}
`
}

function cyrusConf(root: string, dir: string, port: number): string {
  const conf = join(dir, 'imapd.conf')
  return `START {
  recover cmd="${bin(root, 'ctl_cyrusdb')} -C ${conf} -r"
}
SERVICES {
  imap cmd="${bin(root, 'imapd')} -C ${conf}" listen="127.0.0.1:${port}" prefork=0 maxchild=100
}
EVENTS {
}
`
}

interface Running { child: ChildProcess; exited: Promise<void> }
const running = new Map<CyrusInstance, Running>()
let exitHookInstalled = false

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on('exit', () => {
    for (const r of running.values()) killGroup(r.child, 'SIGKILL')
  })
}

function killGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, sig)
  } catch { /* gone */ }
}

async function waitForLogin(port: number, user: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`cyrus master exited (${child.exitCode ?? child.signalCode}): ${log()}`)
    const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, doSTARTTLS: false, auth: { user, pass: TEST_PASSWORD }, logger: false })
    c.on('error', () => { /* retried */ })
    try {
      await c.connect()
      await c.logout()
      return
    } catch (e) {
      c.close()
      if (Date.now() > deadline) throw new Error(`cyrus: no login as ${user} on ${port}: ${String(e)}\n${log()}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }
}

export async function startCyrus(opts: CyrusOptions = {}): Promise<CyrusInstance> {
  const root = ensureCyrus()
  installExitHook()
  const dir = mkdtempSync(join(tmpdir(), 'mailsync-cyrus-'))
  chmodSync(dir, 0o755)
  for (const d of ['conf', 'spool', 'run/proc', 'run/lock', 'run/socket']) mkdirSync(join(dir, d), { recursive: true })
  const port = await freePort()
  writeFileSync(join(dir, 'imapd.conf'), configText({ dir, opts }))
  writeFileSync(join(dir, 'cyrus.conf'), cyrusConf(root, dir, port))
  const users = opts.users ?? ['alice', 'bob']
  if (opts.checkPasswords) writeSaslDb(join(dir, 'conf', 'sasldb2'), users)
  if (isRoot()) {
    const uid = Number(sh('id', ['-u', RUN_AS.user]).out.trim())
    const gid = Number(sh('getent', ['group', RUN_AS.group]).out.split(':')[2])
    for (const d of ['', 'conf', 'spool', 'run', 'run/proc', 'run/lock', 'run/socket', 'imapd.conf', 'cyrus.conf', ...(opts.checkPasswords ? ['conf/sasldb2'] : [])]) chownSync(join(dir, d), uid, gid)
  }
  const logFile = join(dir, 'master.log')
  const fd = openSync(logFile, 'w')
  const child = spawn(bin(root, 'master'), ['-C', join(dir, 'imapd.conf'), '-M', join(dir, 'cyrus.conf'), '-p', join(dir, 'run', 'master.pid')], {
    cwd: dir, detached: true, stdio: ['ignore', fd, fd], env: { ...process.env, LD_LIBRARY_PATH: libDir(root) },
  })
  closeSync(fd)
  child.unref()
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const log = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '')
  const inst: CyrusInstance = {
    host: '127.0.0.1',
    port,
    users,
    password: TEST_PASSWORD,
    separator: opts.unixHierarchySep ? '/' : '.',
    dir,
    log,
    stop: async () => {
      const r = running.get(inst)
      if (!r) return
      running.delete(inst)
      killGroup(r.child, 'SIGTERM')
      const timer = setTimeout(() => killGroup(r.child, 'SIGKILL'), 5000)
      await r.exited
      clearTimeout(timer)
      // imapd children of the group that outlived master
      killGroup(r.child, 'SIGKILL')
      rmSync(dir, { recursive: true, force: true })
    },
  }
  running.set(inst, { child, exited })
  try {
    // the first login of each user creates its INBOX and special folders
    for (const u of users) await waitForLogin(port, u, child, log)
  } catch (e) {
    await inst.stop()
    throw e
  }
  return inst
}

/** Run `fn` with a fresh Cyrus, stopping it afterwards whatever happens. */
export async function withCyrus<T>(opts: CyrusOptions, fn: (c: CyrusInstance) => Promise<T>): Promise<T> {
  const c = await startCyrus(opts)
  try {
    return await fn(c)
  } finally {
    await c.stop()
  }
}

/** A message as Cyrus stores it with munge8bit (its default): header bytes >= 0x80 become 'X'. */
export function munged(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes)
  const end = bytes.indexOf('\r\n\r\n')
  for (let i = 0; i < (end < 0 ? bytes.length : end); i++) if (out[i]! >= 0x80) out[i] = 0x58
  return out
}

/** The short SHA-256 the end-to-end scenarios compare messages by. */
export const hash = (b: Buffer): string => createHash('sha256').update(b).digest('hex').slice(0, 16)

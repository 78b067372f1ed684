// A private Dovecot for tests and benchmarks: loopback only, temporary mail root, no root
// daemon and no system config touched. Start as many as you like; each stops what it started.
import { spawn, spawnSync, execFileSync } from 'node:child_process'
import { openSync, closeSync, mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync, chmodSync, mkdirSync, chownSync, readdirSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer } from 'node:net'

export const TEST_PASSWORD = 'test-secret-pw'
const MAIL_UID = 5000

export interface DovecotOptions {
  /** Users to create; all get TEST_PASSWORD unless given as `name:password`. */
  users?: string[]
  /** Hierarchy separator of the inbox namespace (Dovecot's default Maildir layout). */
  separator?: '/' | '.'
  /** `fs` accepts '.' in folder names; default is Dovecot's Maildir++-style layout. */
  layout?: 'default' | 'fs'
  /** Special-use folders created for every user: name -> attribute, e.g. { Sent: '\\Sent' }. */
  specialUse?: Record<string, string>
  /** Replaces the advertised capability list (`imap_capability`), e.g. to hide UIDPLUS. */
  capability?: string
  /** Per-user, per-IP connection limit (Dovecot default 10). */
  maxUserIpConnections?: number
  /**
   * Master users (`name:password`): they log in as any user, by SASL PLAIN's authorization
   * identity or as `user*master`.
   */
  masterUsers?: string[]
  /** Extra lines appended to dovecot.conf. */
  extraConfig?: string
  /** Keep the mail root after stop (for debugging). */
  keep?: boolean
}

export interface DovecotInstance {
  host: string
  /** Plain IMAP port (STARTTLS offered). */
  port: number
  /** Implicit-TLS port. */
  tlsPort: number
  users: string[]
  password: string
  /** PEM of the self-signed server certificate (CN/SAN localhost, 127.0.0.1). */
  certPem: string
  certFile: string
  /** SHA-256 fingerprint of the certificate, as hex with colons (upper case). */
  certFingerprint256: string
  dir: string
  configFile: string
  logFile: string
  separator: string
  /** Maildir of a user as Dovecot stores it. */
  maildir(user: string): string
  /** Runs doveadm against this instance; returns stdout. */
  doveadm(args: string[]): string
  /** Log lines so far. */
  log(): string
  stop(): Promise<void>
}

const running = new Set<DovecotInstance>()
let exitHookInstalled = false

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  const stopAll = (): void => {
    for (const d of running) stopSync(d)
  }
  process.on('exit', stopAll)
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      stopAll()
      process.exit(130)
    })
  }
}

/**
 * A free loopback port that no other test process of this machine was given: the kernel picks
 * it, and a claim file (O_EXCL) in the shared claims directory makes it ours. Without the claim,
 * two test files running at once could both be given a port before either server binds it
 * (a Dovecot taking the port a Cyrus was about to listen on). Claims older than a day are removed.
 */
export async function freePort(): Promise<number> {
  const claims = join(tmpdir(), 'mailsync-test-ports')
  mkdirSync(claims, { recursive: true, mode: 0o1777 })
  pruneClaims(claims)
  for (;;) {
    const port = await kernelPort()
    try {
      closeSync(openSync(join(claims, String(port)), 'wx'))
      return port
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
  }
}

let pruned = false
function pruneClaims(dir: string): void {
  if (pruned) return
  pruned = true
  const old = Date.now() - 24 * 3600_000
  for (const name of readdirSync(dir)) {
    try {
      if (statSync(join(dir, name)).mtimeMs < old) rmSync(join(dir, name), { force: true })
    } catch {
      // another process pruned it
    }
  }
}

function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      if (addr && typeof addr === 'object') {
        const port = addr.port
        srv.close(() => resolve(port))
      } else reject(new Error('no port'))
    })
  })
}

export function findDovecot(): string {
  for (const p of ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot']) if (existsSync(p)) return p
  throw new Error('dovecot not found: `npm test` and `npm run demo` install it when run as root; or, as root, run: apt-get install -y --no-install-recommends dovecot-imapd')
}

function makeCert(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem')
  const key = join(dir, 'key.pem')
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' })
  return { cert, key }
}

function fingerprint256(certFile: string): string {
  const out = execFileSync('openssl', ['x509', '-in', certFile, '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' })
  return out.trim().split('=')[1]!
}

function configText(o: {
  dir: string; port: number; tlsPort: number; cert: string; key: string; sep: string; layout: string
  specialUse: Record<string, string>; capability?: string; maxConn: number; extra?: string; masters: boolean
}): string {
  const mailboxes = Object.entries(o.specialUse)
    .map(([name, use]) => `  mailbox "${name}" {\n    special_use = ${use}\n    auto = subscribe\n  }`)
    .join('\n')
  const location = o.layout === 'fs' ? 'maildir:~/Maildir:LAYOUT=fs' : 'maildir:~/Maildir'
  return `# generated by mailsync's test helper
base_dir = ${o.dir}/run
state_dir = ${o.dir}/state
log_path = ${o.dir}/dovecot.log
info_log_path = ${o.dir}/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = yes
ssl_cert = <${o.cert}
ssl_key = <${o.key}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
auth_verbose = yes
mail_location = ${location}
first_valid_uid = ${MAIL_UID}
mail_fsync = never
${o.masters ? `auth_master_user_separator = *
passdb {
  driver = passwd-file
  master = yes
  pass = yes
  args = scheme=PLAIN username_format=%u ${o.dir}/master-passwd
}
` : ''}passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${o.dir}/passwd
}
userdb {
  driver = static
  args = uid=${MAIL_UID} gid=${MAIL_UID} home=${o.dir}/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${o.port}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${o.tlsPort}
    ssl = yes
  }
}
service imap {
  process_limit = 64
}
protocol imap {
  mail_max_userip_connections = ${o.maxConn}
${o.capability ? `  imap_capability = ${o.capability}\n` : ''}}
namespace inbox {
  inbox = yes
  separator = ${o.sep}
${mailboxes}
}
${o.extra ?? ''}
`
}

export async function startDovecot(opts: DovecotOptions = {}): Promise<DovecotInstance> {
  const bin = findDovecot()
  installExitHook()
  const dir = mkdtempSync(join(tmpdir(), 'mailsync-dovecot-'))
  // Dovecot's unprivileged users must traverse every directory above the passwd-file.
  chmodSync(dir, 0o755)
  for (const d of ['run', 'state', 'mail']) mkdirSync(join(dir, d))
  chownSync(join(dir, 'mail'), MAIL_UID, MAIL_UID)
  const users = (opts.users ?? ['alice', 'bob', 'carol']).map((u) => (u.includes(':') ? u : `${u}:${TEST_PASSWORD}`))
  writeFileSync(join(dir, 'passwd'), users.map((u) => {
    const [name, pw] = u.split(':')
    return `${name}:{PLAIN}${pw}::::::\n`
  }).join(''))
  if (opts.masterUsers?.length) {
    writeFileSync(join(dir, 'master-passwd'), opts.masterUsers.map((u) => {
      const [name, pw] = u.split(':')
      return `${name}:{PLAIN}${pw}::::::\n`
    }).join(''))
  }
  const { cert, key } = makeCert(dir)
  const port = await freePort()
  let tlsPort = await freePort()
  while (tlsPort === port) tlsPort = await freePort()
  const sep = opts.separator ?? '/'
  const configFile = join(dir, 'dovecot.conf')
  writeFileSync(configFile, configText({
    dir, port, tlsPort, cert, key, sep, layout: opts.layout ?? 'default',
    specialUse: opts.specialUse ?? { Sent: '\\Sent', Drafts: '\\Drafts', Trash: '\\Trash', Junk: '\\Junk' },
    capability: opts.capability, maxConn: opts.maxUserIpConnections ?? 50, extra: opts.extraConfig, masters: (opts.masterUsers?.length ?? 0) > 0,
  }))
  // Dovecot daemonizes and its children inherit stdio: pipes would never close, so use a file.
  const errFile = join(dir, 'startup.err')
  const errFd = openSync(errFile, 'w')
  const res = spawnSync(bin, ['-c', configFile], { stdio: ['ignore', errFd, errFd] })
  closeSync(errFd)
  if (res.status !== 0) {
    const log = existsSync(join(dir, 'dovecot.log')) ? readFileSync(join(dir, 'dovecot.log'), 'utf8') : ''
    const err = readFileSync(errFile, 'utf8')
    rmSync(dir, { recursive: true, force: true })
    throw new Error(`dovecot failed to start (exit ${res.status}): ${err}${log}`)
  }
  const certPem = readFileSync(cert, 'utf8')
  const inst: DovecotInstance = {
    host: '127.0.0.1',
    port,
    tlsPort,
    users: users.map((u) => u.split(':')[0]!),
    password: TEST_PASSWORD,
    certPem,
    certFile: cert,
    certFingerprint256: fingerprint256(cert),
    dir,
    configFile,
    logFile: join(dir, 'dovecot.log'),
    separator: sep,
    maildir: (user: string) => join(dir, 'mail', user, 'Maildir'),
    doveadm: (args: string[]) => execFileSync('doveadm', ['-c', configFile, ...args], { encoding: 'utf8' }),
    log: () => (existsSync(join(dir, 'dovecot.log')) ? readFileSync(join(dir, 'dovecot.log'), 'utf8') : ''),
    stop: async () => {
      stopSync(inst)
      if (!opts.keep) rmSync(dir, { recursive: true, force: true })
    },
  }
  running.add(inst)
  await waitForPort(port)
  await waitForPort(tlsPort)
  return inst
}

async function waitForPort(port: number): Promise<void> {
  const { connect } = await import('node:net')
  const deadline = Date.now() + 10_000
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1')
      s.once('connect', () => { s.destroy(); resolve(true) })
      s.once('error', () => resolve(false))
    })
    if (ok) return
    if (Date.now() > deadline) throw new Error(`dovecot did not listen on ${port}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

function stopSync(inst: DovecotInstance): void {
  if (!running.has(inst)) return
  running.delete(inst)
  const pidFile = join(inst.dir, 'run', 'master.pid')
  if (!existsSync(pidFile)) return
  const pid = Number(readFileSync(pidFile, 'utf8').trim())
  try {
    process.kill(pid, 'SIGTERM')
  } catch {
    return
  }
  const deadline = Date.now() + 5000
  while (existsSync(pidFile) && Date.now() < deadline) {
    spawnSync('sleep', ['0.02'])
  }
  if (existsSync(pidFile)) {
    try { process.kill(pid, 'SIGKILL') } catch { /* gone */ }
  }
}

/** Run `fn` with a fresh Dovecot, stopping it afterwards whatever happens. */
export async function withDovecot<T>(opts: DovecotOptions, fn: (d: DovecotInstance) => Promise<T>): Promise<T> {
  const d = await startDovecot(opts)
  try {
    return await fn(d)
  } finally {
    await d.stop()
  }
}

/** Spawned process helper for end-to-end tests that run the CLI. */
export { spawn }

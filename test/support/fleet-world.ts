// The world of the batch tests: N mailboxes on two source Dovecots (the first half with a known
// password, the rest reachable only through S2's master user) to two target Dovecots, a config
// whose per-host template logs in to S2 as that admin, the batch file of it, and the checks:
// every mailbox byte-identical, and the most sessions a server had at once (from its log).
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDovecot, TEST_PASSWORD, type DovecotInstance } from './dovecot.js'
import { withImapClient } from './imap-client.js'

export const UNKNOWN = 'nobody-knows-this'
export const ADMIN = 'admin-secret-7'

export interface FleetWorld {
  n: number
  users: string[]
  s1: DovecotInstance
  s2: DovecotInstance
  t1: DovecotInstance
  t2: DovecotInstance
  dir: string
  /** A config (in dir) with the admin template for S2 and its own state directory. */
  config(name?: string): string
  sourceOf(i: number): DovecotInstance
  sourcePassword(i: number): string
  /** The batch file (mode 0600): every mailbox to `targets` (default t1/t2 alternating), then `extra` lines. */
  batchFile(name: string, extra?: string[], targets?: [DovecotInstance, DovecotInstance]): string
  assertAllExact(what: string, targets?: [DovecotInstance, DovecotInstance]): Promise<void>
  stop(): Promise<void>
}

export async function startFleetWorld(n: number, prefix: string): Promise<FleetWorld> {
  const users = Array.from({ length: n }, (_, i) => `m${String(i + 1).padStart(2, '0')}`)
  const [s1, s2, t1, t2] = await Promise.all([
    startDovecot({ users }),
    startDovecot({ users: users.map((u) => `${u}:${UNKNOWN}`), masterUsers: [`admin:${ADMIN}`] }),
    startDovecot({ users }),
    startDovecot({ users }),
  ])
  const sourceOf = (i: number) => (i < n / 2 ? s1 : s2)
  const sourcePassword = (i: number) => (i < n / 2 ? TEST_PASSWORD : UNKNOWN)
  const targetOf = (i: number, targets?: [DovecotInstance, DovecotInstance]) => (targets ?? [t2, t1])[i % 2]!
  // a few mailboxes at a time: the suite's other servers (Cyrus) run beside these files
  const seed = (u: string, i: number) => withImapClient(sourceOf(i).port, u, async (c) => {
    await c.mailboxCreate('Work')
    for (let k = 0; k < 3; k++) await c.append('INBOX', Buffer.from(`Message-ID: <${u}.${k}@batch>\r\nSubject: ${u} ${k}\r\n\r\nmail ${k} of ${u}\r\n`), k ? ['\\Seen'] : [])
    await c.append('Work', Buffer.from(`Message-ID: <${u}.w@batch>\r\nSubject: work\r\n\r\nwork of ${u}\r\n`))
  }, sourcePassword(i))
  for (let i = 0; i < n; i += 5) await Promise.all(users.slice(i, i + 5).map((u, k) => seed(u, i + k)))
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return {
    n, users, s1, s2, t1, t2, dir, sourceOf, sourcePassword,
    config(name = 'config') {
      const file = join(dir, name)
      writeFileSync(file, `[general]\nmetadata = ${join(dir, `${name}.state`)}\n\n[Repository OldAdmin]\ntype = IMAP\nremotehost = 127.0.0.1\nremoteport = ${s2.port}\nssl = no\nstarttls = no\nauthuser = admin\nremotepass = ${ADMIN}\n`, { mode: 0o600 })
      return file
    },
    batchFile(name, extra = [], targets) {
      const lines = ['host1;user1;password1;port1;tls1;host2;user2;password2;port2;tls2']
      users.forEach((u, i) => lines.push(`127.0.0.1;${u};${i < n / 2 ? TEST_PASSWORD : ''};${sourceOf(i).port};none;127.0.0.1;${u};${TEST_PASSWORD};${targetOf(i, targets).port};none`))
      lines.push(...extra)
      const file = join(dir, name)
      writeFileSync(file, lines.join('\n') + '\n', { mode: 0o600 })
      return file
    },
    async assertAllExact(what, targets) {
      for (let i = 0; i < n; i++) {
        const src = await contents(sourceOf(i).port, users[i]!, sourcePassword(i))
        const dst = await contents(targetOf(i, targets).port, users[i]!, TEST_PASSWORD)
        assert.equal(src.INBOX!.length, 3)
        assert.deepEqual(dst, src, `${what}: ${users[i]} byte-identical, nothing lost or doubled`)
      }
    },
    async stop() {
      await Promise.all([s1, s2, t1, t2].map((d) => d.stop()))
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** sha256 of every message per folder, sorted: what "byte-identical" compares. */
async function contents(port: number, user: string, password: string): Promise<Record<string, string[]>> {
  return withImapClient(port, user, async (c) => {
    const out: Record<string, string[]> = {}
    for (const f of ['INBOX', 'Work']) {
      const lock = await c.getMailboxLock(f)
      try {
        const hashes: string[] = []
        for await (const m of c.fetch('1:*', { source: true }, { uid: true })) hashes.push(createHash('sha256').update(m.source!).digest('hex'))
        out[f] = hashes.sort()
      } catch {
        out[f] = []
      } finally {
        lock.release()
      }
    }
    return out
  }, password)
}

/** The most sessions of users matching `user` (default the mNN users) logged in at once, in the order the server logged logins and ends. */
export function peakSessions(d: DovecotInstance, from: number, to: number, user = 'm\\d\\d'): number {
  const open = new Set<string>()
  let peak = 0
  const loginRe = new RegExp(`imap-login: Info: Login: user=<(${user})>.*session=<([^>]+)>`)
  const endRe = new RegExp(`imap\\(${user}\\)<\\d+><([^>]+)>: Info: Disconnected`)
  for (const line of d.log().slice(from, to).split('\n')) {
    const login = loginRe.exec(line)
    if (login) {
      open.add(login[2]!)
      peak = Math.max(peak, open.size)
      continue
    }
    const end = endRe.exec(line)
    if (end) open.delete(end[1]!)
  }
  return peak
}

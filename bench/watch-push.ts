// The watcher measured (not part of `npm run bench`'s table): `node dist/bench/watch-push.js`.
// 1. Push latency, median of N (default 20): a message appended on the server until its file is
//    in the Maildir (NOTIFY; and IDLE on a Dovecot without NOTIFY), and a local flag change (a
//    rename in cur/, as a mail reader does) until the server has the flag.
// 2. A long run: `sync --watch` with a tiny interval for ROUNDS rounds (default 500), sampling
//    the process's RSS and open descriptors from /proc; prints first/peak/last figures.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ImapFlow } from 'imapflow'
import { startDovecot, type DovecotInstance } from '../test/support/dovecot.js'
import { startCli } from '../test/support/cli-process.js'
import { imapRepository, maildirRepository, oneAccountConfig, plainServer } from '../test/support/config-text.js'

const N = Number(process.env.PUSH_SAMPLES ?? 20)
const ROUNDS = Number(process.env.SOAK_ROUNDS ?? 500)
const NO_NOTIFY = 'IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE SORT NAMESPACE UIDPLUS CONDSTORE QRESYNC SPECIAL-USE LIST-STATUS MOVE'
const dir = mkdtempSync(join(tmpdir(), 'mailsync-watch-bench-'))

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

function world(d: DovecotInstance, user: string, extra = '') {
  const root = join(dir, user)
  mkdirSync(root, { recursive: true })
  const config = join(root, 'config')
  writeFileSync(config, oneAccountConfig({ metadata: join(root, 'state'), remote: imapRepository('R', { server: plainServer(d), user, extra }), local: maildirRepository('L', join(root, 'mail')) }), { mode: 0o600 })
  return { config, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root }, inbox: join(root, 'mail', 'INBOX') }
}

const count = (inbox: string) => ['cur', 'new'].reduce((n, s) => { try { return n + readdirSync(join(inbox, s)).length } catch { return n } }, 0)

async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  const end = Date.now() + 30_000
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out')
    await sleep(2)
  }
}

async function latency(d: DovecotInstance, user: string, extra: string): Promise<{ down: number[]; up: number[] }> {
  const w = world(d, user, extra)
  const c = new ImapFlow({ host: '127.0.0.1', port: d.port, secure: false, doSTARTTLS: false, auth: { user, pass: d.password }, logger: false })
  await c.connect()
  await c.append('INBOX', Buffer.from('Subject: seed\r\n\r\nseed\r\n'))
  const run = startCli(['sync', '-c', w.config, '--watch=60', '--json'], w.env)
  const down: number[] = []
  const up: number[] = []
  try {
    await run.waitForEvent((e) => e.type === 'watch-wait')
    for (let i = 0; i < N; i++) {
      const before = count(w.inbox)
      const t0 = performance.now()
      await c.append('INBOX', Buffer.from(`Message-ID: <lat${i}@bench>\r\nSubject: ${i}\r\n\r\nlatency ${i}\r\n`))
      await until(() => count(w.inbox) > before)
      down.push(performance.now() - t0)
      await sleep(600) // let the round that brought it end
      const cur = join(w.inbox, 'cur')
      const file = readdirSync(cur).find((f) => !/,[A-Z]*S[A-Z]*$/.test(f))!
      const flagged = file.includes(':2,') ? file.replace(/:2,([A-Z]*)$/, (_m, f: string) => `:2,${[...f, 'S'].sort().join('')}`) : `${file}:2,S`
      const unseen = async () => {
        const st = await c.status('INBOX', { unseen: true })
        return st ? st.unseen ?? 0 : 0
      }
      const was = await unseen()
      const t1 = performance.now()
      renameSync(join(cur, file), join(cur, flagged))
      await until(async () => (await unseen()) < was)
      up.push(performance.now() - t1)
      await sleep(600)
    }
  } finally {
    run.child.kill('SIGTERM')
    await run.ended
    await c.logout()
  }
  return { down, up }
}

function procFigures(pid: number): { rssKiB: number; fds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
  return { rssKiB, fds: readdirSync(`/proc/${pid}/fd`).length }
}

async function soak(d: DovecotInstance): Promise<void> {
  const w = world(d, 'soak')
  const c = new ImapFlow({ host: '127.0.0.1', port: d.port, secure: false, doSTARTTLS: false, auth: { user: 'soak', pass: d.password }, logger: false })
  await c.connect()
  for (let i = 0; i < 200; i++) await c.append('INBOX', Buffer.from(`Message-ID: <s${i}@bench>\r\nSubject: ${i}\r\n\r\nsoak ${i}\r\n`))
  const run = startCli(['sync', '-c', w.config, '--watch=0.0005', '--json'], { ...w.env, MAILSYNC_WATCH_MAX_ROUNDS: String(ROUNDS) })
  const samples: { round: number; rssKiB: number; fds: number }[] = []
  const t0 = performance.now()
  let lastSample = -1
  const timer = setInterval(() => {
    const round = run.events.filter((e) => e.type === 'run-done').length
    if (round === lastSample) return
    try {
      samples.push({ round, ...procFigures(run.child.pid!) })
      lastSample = round
    } catch {
      // ended
    }
    // every few rounds a change on the server, so rounds also copy and store flags
    if (round % 25 === 0) void c.append('INBOX', Buffer.from(`Message-ID: <soak-r${round}@bench>\r\nSubject: r${round}\r\n\r\nround ${round}\r\n`)).catch(() => undefined)
  }, 20)
  const end = await run.ended
  clearInterval(timer)
  await c.logout()
  const rounds = run.events.filter((e) => e.type === 'run-done')
  const afterWarmup = samples.filter((s) => s.round >= 20)
  const at = (r: number) => samples.reduce((best, s) => (Math.abs(s.round - r) < Math.abs(best.round - r) ? s : best), samples[0]!)
  console.log(`long run: ${rounds.length} rounds in ${((performance.now() - t0) / 1000).toFixed(1)} s, exit ${end.code}, ${rounds.filter((r) => r.exitCode !== 0).length} failed rounds, ${rounds.reduce((n, r) => n + r.counts.copiedAtoB, 0)} messages copied`)
  for (const r of [20, 100, 250, 400, ROUNDS - 1]) {
    const s = at(r)
    console.log(`  round ${s.round}: RSS ${(s.rssKiB / 1024).toFixed(1)} MiB, ${s.fds} open descriptors`)
  }
  console.log(`  after round 20: RSS ${(Math.min(...afterWarmup.map((s) => s.rssKiB)) / 1024).toFixed(1)}-${(Math.max(...afterWarmup.map((s) => s.rssKiB)) / 1024).toFixed(1)} MiB, descriptors ${Math.min(...afterWarmup.map((s) => s.fds))}-${Math.max(...afterWarmup.map((s) => s.fds))}`)
}

const full = await startDovecot({ users: ['notify', 'soak'] })
const plain = await startDovecot({ users: ['idle'], capability: NO_NOTIFY })
try {
  if (process.env.SKIP_LATENCY !== '1') {
    for (const [name, d, user, extra] of [['NOTIFY', full, 'notify', ''], ['IDLE', plain, 'idle', 'idlefolders = INBOX\n']] as const) {
      const { down, up } = await latency(d, user, extra)
      console.log(`${name}: server append -> Maildir file: median ${median(down).toFixed(0)} ms (min ${Math.min(...down).toFixed(0)}, max ${Math.max(...down).toFixed(0)}, n=${down.length}); local flag -> server: median ${median(up).toFixed(0)} ms (min ${Math.min(...up).toFixed(0)}, max ${Math.max(...up).toFixed(0)})`)
    }
  }
  if (process.env.SKIP_SOAK !== '1') await soak(full)
} finally {
  await full.stop()
  await plain.stop()
  rmSync(dir, { recursive: true, force: true })
}

// `node dist/bench/pull-floor.js [--messages N] [--runs R]`: what an initial pull is made of, and
// the least each part costs from Node. On the benchmark corpus (served by a test Dovecot, files on
// a tmpfs), each part is timed alone, in this one process, with nothing else of mailsync around it:
//   receive  the bodies over 4 connections (UID FETCH BODY.PEEK[] per folder), only cut apart
//   lf       each body checked and converted to LF (lfFormIfCrlf, what the Maildir kind stores)
//   hash     SHA-256 of each body (the fingerprint)
//   store    one Maildir file per body by mailsync's own calls: open O_EXCL, write, futimes, fsync
//            (64 at a time, on the thread pool), close, lstat, rename into cur/, fsync of cur/
// then mailsync's whole pull and mbsync's, alternating. The sum of the parts is the floor of a
// pull done in one Node thread; the rest of mailsync's time is its own bookkeeping.
import { closeSync, constants, fsync, futimesSync, lstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { connect, type Socket } from 'node:net'
import { join } from 'node:path'
import { startDovecot, TEST_PASSWORD } from '../test/support/dovecot.js'
import { generateCorpus } from '../test/support/corpus.js'
import { fillDovecotMaildir } from '../test/support/corpus-maildir.js'
import { lfFormIfCrlf } from '../src/repository/maildir/line-endings.js'
import { prepareDisk } from './disk.js'
import { REPO_ROOT, resetDirs, runMaildirTool, toolDirs } from './tools.js'
import { median } from './stats.js'

const argv = process.argv.slice(2)
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(`--${name}`)
  return i >= 0 ? Number(argv[i + 1]) : dflt
}
const MESSAGES = opt('messages', 10_000)
const RUNS = opt('runs', 5)
const CONNECTIONS = 4
const log = (s: string): void => { process.stderr.write(`[floor] ${s}\n`) }

/** A minimal IMAP reader: lines and literals, nothing else. */
class RawImap {
  private buf: Buffer = Buffer.alloc(0)
  private waiting?: () => void
  constructor(private readonly sock: Socket) {
    sock.on('data', (d: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d
      this.waiting?.()
    })
  }
  static async open(port: number): Promise<RawImap> {
    const sock = connect(port, '127.0.0.1')
    await new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject))
    const c = new RawImap(sock)
    await c.until('*')
    return c
  }
  private async more(): Promise<void> {
    await new Promise<void>((resolve) => { this.waiting = resolve })
    this.waiting = undefined
  }
  /** Sends a command and returns its literals (bodies) once its tagged answer came. */
  async run(tag: string, command: string): Promise<Buffer[]> {
    this.sock.write(`${tag} ${command}\r\n`)
    return this.until(tag)
  }
  private async until(tag: string): Promise<Buffer[]> {
    const literals: Buffer[] = []
    for (;;) {
      const eol = this.buf.indexOf('\r\n')
      if (eol < 0) {
        await this.more()
        continue
      }
      const line = this.buf.toString("latin1", 0, eol)
      const lit = /\{(\d+)\}$/.exec(line)
      if (lit) {
        const n = Number(lit[1])
        while (this.buf.length < eol + 2 + n) await this.more()
        literals.push(Buffer.from(this.buf.subarray(eol + 2, eol + 2 + n)))
        this.buf = this.buf.subarray(eol + 2 + n)
        continue
      }
      this.buf = this.buf.subarray(eol + 2)
      if (line.startsWith(`${tag} `) || (tag === '*' && line.startsWith('* '))) {
        if (!/^\S+ OK/.test(line) && tag !== '*') throw new Error(`IMAP: ${line}`)
        return literals
      }
    }
  }
  close(): void { this.sock.destroy() }
}

async function folders(port: number): Promise<string[]> {
  const c = await RawImap.open(port)
  await c.run('a', `LOGIN alice ${TEST_PASSWORD}`)
  const sock = (c as unknown as { sock: Socket }).sock
  const names: string[] = []
  const onData = (d: Buffer): void => { for (const m of d.toString('utf8').matchAll(/^\* LIST \(([^)]*)\) "[^"]*" (.+)\r$/gm)) if (!/\\Noselect|\\NonExistent/i.test(m[1]!)) names.push(m[2]!.replace(/^"(.*)"$/, '$1')) }
  sock.on('data', onData)
  await c.run('b', 'LIST "" "*"')
  sock.off('data', onData)
  c.close()
  return names
}

/** Every body of every folder, CONNECTIONS folders at a time; the time is the receive part. */
async function receive(port: number, names: string[]): Promise<Buffer[]> {
  const queue = [...names]
  const bodies: Buffer[] = []
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    const c = await RawImap.open(port)
    await c.run('a', `LOGIN alice ${TEST_PASSWORD}`)
    for (let f = queue.shift(), n = 0; f !== undefined; f = queue.shift(), n++) {
      await c.run(`s${n}`, `EXAMINE "${f}"`)
      for (const b of await c.run(`f${n}`, 'UID FETCH 1:* (BODY.PEEK[])')) bodies.push(b)
    }
    await c.run('z', 'LOGOUT')
    c.close()
  }))
  return bodies
}

function store(dir: string, bodies: Buffer[]): Promise<void> {
  for (const sub of ['tmp', 'cur', 'new']) mkdirSync(join(dir, sub), { recursive: true })
  const when = new Date('2024-01-01T00:00:00Z')
  return new Promise((resolve, reject) => {
    let i = 0
    const group = (): void => {
      if (i >= bodies.length) {
        const fd = openSync(join(dir, 'cur'), 'r')
        fsync(fd, (e) => { closeSync(fd); if (e) reject(e); else resolve() })
        return
      }
      const files: { fd: number; tmp: string; name: string }[] = []
      for (const end = Math.min(bodies.length, i + 64); i < end; i++) {
        const name = `1700000000.M${i}P1Q${i}.host`
        const tmp = join(dir, 'tmp', name)
        const body = lfFormIfCrlf(bodies[i]!) ?? bodies[i]!
        const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600)
        writeSync(fd, body)
        futimesSync(fd, when, when)
        files.push({ fd, tmp, name: `${name},U=${i + 1}:2,S` })
      }
      let left = files.length
      for (const f of files) {
        fsync(f.fd, (e) => {
          closeSync(f.fd)
          if (e) return reject(e)
          if (--left) return
          for (const g of files) {
            const to = join(dir, 'cur', g.name)
            try { lstatSync(to); return reject(new Error(`${to} exists`)) } catch { /* free */ }
            renameSync(g.tmp, to)
          }
          setImmediate(group)
        })
      }
    }
    group()
  })
}

interface Part { name: string; wallMs: number; cpuMs: number }

async function timed(name: string, fn: () => Promise<unknown> | unknown): Promise<Part> {
  const cpu = process.cpuUsage()
  const t = process.hrtime.bigint()
  await fn()
  const wallMs = Number(process.hrtime.bigint() - t) / 1e6
  const c = process.cpuUsage(cpu)
  return { name, wallMs, cpuMs: (c.user + c.system) / 1000 }
}

async function main(root: string): Promise<void> {
  const d = await startDovecot({ users: ['alice'], maxUserIpConnections: 200 })
  try {
    await fillDovecotMaildir(generateCorpus({ seed: 20_260_501, messages: MESSAGES, folders: 14 }), d, 'alice')
    const names = await folders(d.port)
    const parts = new Map<string, Part[]>()
    const add = (p: Part): void => { parts.set(p.name, [...(parts.get(p.name) ?? []), p]) }
    const whole = new Map<string, number[]>()
    const endpoint = { port: d.port, user: 'alice', password: TEST_PASSWORD }
    let bytes = 0
    for (let r = 0; r < RUNS; r++) {
      let bodies: Buffer[] = []
      add(await timed('receive', async () => { bodies = await receive(d.port, names) }))
      bytes = bodies.reduce((n, b) => n + b.length, 0)
      if (bodies.length !== MESSAGES) throw new Error(`received ${bodies.length} bodies, the corpus has ${MESSAGES}`)
      add(await timed('lf', () => { for (const b of bodies) lfFormIfCrlf(b) }))
      add(await timed('hash', () => { for (const b of bodies) createHash('sha256').update(b).digest('hex') }))
      const dir = join(root, 'floor-store')
      rmSync(dir, { recursive: true, force: true })
      add(await timed('store', () => store(dir, bodies)))
      rmSync(dir, { recursive: true, force: true })
      bodies = []
      for (const tool of r % 2 ? (['mbsync', 'mailsync'] as const) : (['mailsync', 'mbsync'] as const)) {
        const dirs = toolDirs(root, tool)
        resetDirs(dirs)
        const s = await runMaildirTool(tool, 'initial', endpoint, dirs)
        whole.set(tool, [...(whole.get(tool) ?? []), s.wallMs])
      }
      log(`run ${r + 1} of ${RUNS} done`)
    }
    const row = (n: string, ms: number[], cpu?: number[]): string => `| ${n} | ${(median(ms) / 1000).toFixed(3)} | ${cpu ? (median(cpu) / 1000).toFixed(3) : ''} |`
    const lines = [`${MESSAGES} messages, ${(bytes / 2 ** 20).toFixed(0)} MiB, median of ${RUNS} runs`, '', '| part | wall s | CPU s (this process) |', '|---|---:|---:|']
    let floor = 0
    for (const [n, ps] of parts) {
      lines.push(row(n, ps.map((p) => p.wallMs), ps.map((p) => p.cpuMs)))
      floor += median(ps.map((p) => p.wallMs))
    }
    lines.push(`| sum of the parts (a one-thread floor) | ${(floor / 1000).toFixed(3)} | |`)
    for (const [tool, ms] of whole) lines.push(row(`${tool}, whole pull`, ms))
    process.stdout.write(lines.join('\n') + '\n')
  } finally {
    await d.stop()
  }
}

const disk = prepareDisk('tmpfs', join(REPO_ROOT, 'bench', '.corpus'))
process.env.TMPDIR = disk.root // the test Dovecot puts its store here too
try {
  await main(disk.root).catch((e) => { console.error(e); throw e })
} finally {
  disk.release()
}

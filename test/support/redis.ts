// A private redis-server for tests (Debian's package): on a loopback port this process claimed,
// with a temporary directory, no persistence, no system config touched; stopped with the test.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './dovecot.js'

export interface RedisInstance {
  port: number
  url: string
  dir: string
  /** One command (RESP, e.g. ['KEYS', '*']) through a fresh connection; the raw reply. */
  command(args: string[]): Promise<string>
  stop(): Promise<void>
}

export function findRedisServer(): string {
  for (const p of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) if (existsSync(p)) return p
  throw new Error('redis-server is not installed: `npm test` installs it (Debian package redis-server)')
}

const running = new Set<ChildProcess>()
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL')
})

export async function startRedis(): Promise<RedisInstance> {
  const bin = findRedisServer()
  const dir = mkdtempSync(join(tmpdir(), 'mailsync-redis-'))
  const port = await freePort()
  const log = join(dir, 'redis.log')
  const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--logfile', log], { stdio: 'ignore' })
  running.add(child)
  const command = (args: string[]) => respCommand(port, args)
  const deadline = Date.now() + 10_000
  for (;;) {
    try {
      if ((await command(['PING'])).startsWith('+PONG')) break
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      const text = existsSync(log) ? readFileSync(log, 'utf8') : ''
      child.kill('SIGKILL')
      rmSync(dir, { recursive: true, force: true })
      throw new Error(`redis-server did not start on ${port}: ${text.slice(-2000)}`)
    }
    await new Promise((r) => setTimeout(r, 20))
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    command,
    stop: async () => {
      if (running.delete(child)) {
        const gone = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))])
        if (child.exitCode === null) child.kill('SIGKILL')
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Sends one RESP command and returns the whole reply once the server has been quiet for a moment. */
function respCommand(port: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1')
    let out = ''
    let quiet: NodeJS.Timeout | undefined
    s.setEncoding('utf8')
    s.once('error', reject)
    s.on('data', (d) => {
      out += d
      clearTimeout(quiet)
      quiet = setTimeout(() => { s.destroy(); resolve(out) }, 30)
    })
    s.once('connect', () => s.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`))
  })
}

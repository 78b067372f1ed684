// Runs one command under /usr/bin/time and returns its wall time (measured here, monotonic clock)
// and peak RSS (the child's maximum resident set, from GNU time's %M, in KiB).
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LinkCounts } from './link-proxy.js'

export interface Sample {
  wallMs: number
  rssKiB: number
  exitCode: number
  /** Traffic through a simulated link (bench/link-proxy.ts), for the link workloads. */
  link?: LinkCounts
}

export interface RunOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** Exit codes that count as success (default [0]). */
  okCodes?: number[]
}

const timeDir = mkdtempSync(join(tmpdir(), 'mailsync-bench-time-'))
let counter = 0

export async function measure(cmd: string, args: string[], o: RunOptions = {}): Promise<Sample> {
  const out = join(timeDir, `t${++counter}`)
  const started = process.hrtime.bigint()
  const { code, stderr, stdout } = await new Promise<{ code: number; stderr: string; stdout: string }>((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '%M', '-o', out, cmd, ...args], {
      cwd: o.cwd, env: o.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    let stdout = ''
    child.stderr.on('data', (d: Buffer) => { if (stderr.length < 20_000) stderr += d.toString() })
    child.stdout.on('data', (d: Buffer) => { if (stdout.length < 20_000) stdout += d.toString() })
    child.on('error', reject)
    child.on('close', (c) => resolve({ code: c ?? -1, stderr, stdout }))
  })
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6
  const text = readFileSync(out, 'utf8').trim().split('\n')
  rmSync(out, { force: true })
  const rssKiB = Number(text[text.length - 1])
  if (!(o.okCodes ?? [0]).includes(code)) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${code}\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`)
  }
  return { wallMs, rssKiB, exitCode: code }
}

export function cleanupMeasure(): void {
  rmSync(timeDir, { recursive: true, force: true })
}

// The real `mailsync` binary as a long-running child a test talks to: send it signals, wait for
// lines on its stdout (--json events) or stderr, and for its end.
import { spawn, type ChildProcess } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'run.js')

export interface CliEnd {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface CliProcess {
  child: ChildProcess
  /** Parsed JSON lines of stdout so far. */
  events: Record<string, any>[]
  stderr(): string
  /** Resolves with the first JSON event (now or later) for which `pred` holds; rejects if the process ends first. */
  waitForEvent(pred: (e: Record<string, any>) => boolean, what?: string): Promise<Record<string, any>>
  /** Resolves when stderr has matched `re` (now or later). */
  waitForStderr(re: RegExp): Promise<void>
  ended: Promise<CliEnd>
}

export function startCli(args: string[], env: NodeJS.ProcessEnv = process.env): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  const events: Record<string, any>[] = []
  let out = ''
  let err = ''
  let partial = ''
  const waiters = new Set<() => void>()
  const wake = () => { for (const w of [...waiters]) w() }
  child.stdout!.on('data', (c: Buffer) => {
    out += c
    partial += c
    const lines = partial.split('\n')
    partial = lines.pop()!
    for (const l of lines) {
      if (!l.startsWith('{')) continue
      try {
        events.push(JSON.parse(l))
      } catch {
        // not an event line
      }
    }
    wake()
  })
  child.stderr!.on('data', (c: Buffer) => {
    err += c
    wake()
  })
  let done = false
  const ended = new Promise<CliEnd>((resolve) => child.on('close', (code, signal) => {
    done = true
    wake()
    resolve({ code, signal, stdout: out, stderr: err })
  }))
  const until = <T>(check: () => T | undefined, what: string): Promise<T> => new Promise((resolve, reject) => {
    const look = () => {
      const v = check()
      if (v !== undefined) {
        waiters.delete(look)
        resolve(v)
      } else if (done) {
        waiters.delete(look)
        reject(new Error(`mailsync ended before ${what}; stderr: ${err.slice(-2000)}`))
      }
    }
    waiters.add(look)
    look()
  })
  return {
    child, events, ended,
    stderr: () => err,
    waitForEvent: (pred, what = 'the event') => until(() => events.find(pred), what),
    waitForStderr: (re) => until(() => (re.test(err) ? true : undefined), String(re)).then(() => undefined),
  }
}

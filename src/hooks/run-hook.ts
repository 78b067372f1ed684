// Runs one hook command through the shell with a time limit. Its output goes to our stderr (never
// stdout, which may carry --json lines); a hook that outlives the limit is ended with its whole
// process group (SIGTERM, then SIGKILL). Never throws: the outcome says what happened.
import { spawn } from 'node:child_process'
import { progressBeat } from '../progress-beat.js'

export interface HookOutcome {
  /** Exit code, or null when it was ended by a signal. */
  code: number | null
  signal: NodeJS.Signals | null
  timedOut: boolean
  /** Could not be started at all (e.g. no /bin/sh). */
  error?: string
}

const KILL_GRACE_MS = 2000

export function runHook(command: string, env: NodeJS.ProcessEnv, timeoutMs: number, stderr: NodeJS.WritableStream = process.stderr): Promise<HookOutcome> {
  return new Promise((resolve) => {
    let timedOut = false
    let child
    try {
      child = spawn('/bin/sh', ['-c', command], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    } catch (e) {
      resolve({ code: null, signal: null, timedOut: false, error: e instanceof Error ? e.message : String(e) })
      return
    }
    child.stdout!.pipe(stderr, { end: false })
    child.stderr!.pipe(stderr, { end: false })
    const group = (sig: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, sig)
      } catch {
        // already gone
      }
    }
    let grace: NodeJS.Timeout | undefined
    // a hook within its time limit is the run waiting on purpose, not wedged (progress-beat.ts)
    const beating = setInterval(progressBeat, 1000)
    const timer = setTimeout(() => {
      timedOut = true
      group('SIGTERM')
      grace = setTimeout(() => group('SIGKILL'), KILL_GRACE_MS)
    }, timeoutMs)
    child.on('error', (e) => {
      clearTimeout(timer)
      clearInterval(beating)
      resolve({ code: null, signal: null, timedOut: false, error: e.message })
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      clearInterval(beating)
      clearTimeout(grace)
      resolve({ code, signal, timedOut })
    })
  })
}

/** One line for a hook that did not succeed; undefined when it did. */
export function hookProblem(name: string, o: HookOutcome, timeoutMs: number): string | undefined {
  if (o.error) return `${name} could not be started: ${o.error}`
  if (o.timedOut) return `${name} did not end within ${timeoutMs / 1000} s and was stopped`
  if (o.signal) return `${name} was ended by ${o.signal}`
  if (o.code !== 0) return `${name} failed (exit ${o.code})`
  return undefined
}

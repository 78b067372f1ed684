// Turning whatever stopped a command into what the user sees and the exit code a script sees.
// A MailsyncError is one line (+ a hint); a command-line mistake is exit 64; anything else is a
// bug (exit 70) whose stack is shown only with --debug. Pure: no printing here.
import { EXIT, isMailsyncError } from '../errors.js'

export interface Failure {
  /** Text for stderr, without a trailing newline; empty when nothing is to be printed. */
  text: string
  exitCode: number
}

interface OclifLikeError extends Error {
  code?: string
  oclif?: { exit?: number }
  parse?: unknown
  /** RequiredArgsError: the missing arguments. */
  args?: unknown
}

/** oclif's way of saying "exit with this code" (Command.exit, ExitError): nothing to print. */
export function isExitRequest(err: unknown): err is OclifLikeError & { oclif: { exit: number } } {
  return err instanceof Error && (err as OclifLikeError).code === 'EEXIT' && typeof (err as OclifLikeError).oclif?.exit === 'number'
}

/** A mistake on the command line: unknown flag or command, missing or extra argument, bad flag value. */
export function isUsageError(err: unknown): boolean {
  if (!(err instanceof Error)) return false
  const e = err as OclifLikeError
  if (e.parse !== undefined) return true
  if (e.oclif?.exit === EXIT.usage) return true
  return /^command .+ not found$/.test(e.message) || /^Parsing --\S+/.test(e.message)
}

/** oclif parse messages span lines ("Nonexistent flag: --x\nSee more help with --help"). */
export function usageMessage(message: string, missingArgs?: unknown): string {
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^See more help with --help$/.test(l))
  const missing = /^Missing (\d+) required args?:?$/.exec(lines[0] ?? '')
  if (missing) {
    const names = Array.isArray(missingArgs) ? missingArgs.map((a: { name?: string }) => (a.name ?? '').toUpperCase()) : undefined
    if (!names) return `missing ${missing[1]} required argument(s)`
    return `missing ${names.length === 1 ? 'argument' : 'arguments'} ${names.join(', ')}`
  }
  let text = lines.join(' ')
  text = text.replace(/^The following errors? occurred: /, '')
  text = text.replace(/^Nonexistent flags?: /, 'unknown flag ')
  text = text.replace(/^command (.+) not found$/, 'unknown command `$1`')
  text = text.replace(/^Parsing (--\S+) /, '$1: ')
  text = text.replace(/^Unexpected arguments?: /, 'too many arguments: ')
  return text
}

export function describeFailure(err: unknown, opts: { debug: boolean; command?: string }): Failure {
  if (isExitRequest(err)) return { text: '', exitCode: err.oclif.exit }
  const stack = (e: unknown) => (opts.debug && e instanceof Error && e.stack ? `\n${e.stack}` : '')
  if (isMailsyncError(err)) {
    const lines = [`mailsync: ${err.message}`]
    if (err.hint) lines.push(`hint: ${err.hint}`)
    return { text: lines.join('\n') + stack(err), exitCode: err.exitCode }
  }
  if (isUsageError(err)) {
    const help = opts.command ? `mailsync ${opts.command} --help` : 'mailsync --help'
    return { text: `mailsync: ${usageMessage((err as Error).message, (err as OclifLikeError).args)}\nhint: see \`${help}\`` + stack(err), exitCode: EXIT.usage }
  }
  const message = err instanceof Error ? err.message : String(err)
  const firstLine = message.split('\n')[0] ?? ''
  const tail = opts.debug ? stack(err) : ' (run with --debug for details)'
  return { text: `mailsync: internal error: ${firstLine}${tail}`, exitCode: EXIT.internal }
}

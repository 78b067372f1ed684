// Errors a user can act on. Each carries a kind that maps to a documented exit code;
// anything that is not a MailsyncError is a bug (exit 70) and shows a stack only with --debug.

export type ErrorKind =
  | 'usage'
  | 'config'
  | 'auth'
  | 'tls'
  | 'network'
  | 'server'
  | 'disk'
  | 'data'
  | 'throttled'
  | 'quota'
  | 'internal'

/** Exit codes (sysexits.h where one fits). Documented in README.md and `--help`. */
export const EXIT = {
  ok: 0,
  /** Finished, but some messages or folders failed or were held back: run again. */
  partial: 75,
  usage: 64,
  data: 65,
  network: 69,
  internal: 70,
  disk: 74,
  server: 76,
  auth: 77,
  config: 78,
  tls: 79,
  /** The provider kept throttling (rate limit, bandwidth or command quota) after the waits allowed: nothing is lost; try again later. */
  throttled: 80,
  /** A provider's daily transfer limit is reached (dailydownloadlimit / dailyuploadlimit): stopped cleanly; run again after the time the message says. */
  quota: 81,
} as const

export function exitCodeFor(kind: ErrorKind): number {
  return EXIT[kind]
}

export class MailsyncError extends Error {
  readonly kind: ErrorKind
  /** One line telling the user what to do about it. */
  readonly hint?: string

  constructor(kind: ErrorKind, message: string, opts: { hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.name = 'MailsyncError'
    this.kind = kind
    this.hint = opts.hint
  }

  get exitCode(): number {
    return exitCodeFor(this.kind)
  }
}

/**
 * The server said it is throttling this account (NO [THROTTLED], [LIMIT], [INUSE], [UNAVAILABLE],
 * Gmail's "Account exceeded command or bandwidth limits", Microsoft's "Request is throttled"): a
 * temporary refusal, never a verdict on a message. `retryAfterMs`: the wait the server suggested;
 * `exhausted`: the waits allowed (maxthrottlewait) are used up, so no caller should wait again.
 */
export class ThrottledError extends MailsyncError {
  readonly retryAfterMs?: number
  /** Already waited for it before it was thrown (a client library's own pause). */
  readonly waitedMs: number
  readonly exhausted: boolean
  /** The server's words. */
  readonly serverText: string

  constructor(message: string, opts: { serverText: string; retryAfterMs?: number; waitedMs?: number; exhausted?: boolean; hint?: string; cause?: unknown }) {
    super('throttled', message, { hint: opts.hint ?? 'the provider limits how much an account may do in a while; nothing was lost: try again later', cause: opts.cause })
    this.name = 'ThrottledError'
    this.retryAfterMs = opts.retryAfterMs
    this.waitedMs = opts.waitedMs ?? 0
    this.exhausted = opts.exhausted ?? false
    this.serverText = opts.serverText
  }
}

/** Where in a config file something was said. */
export interface ConfigLocation {
  file?: string
  line?: number
  section?: string
  option?: string
}

export class ConfigError extends MailsyncError {
  readonly location: ConfigLocation

  constructor(message: string, location: ConfigLocation = {}, opts: { hint?: string; cause?: unknown } = {}) {
    super('config', formatConfigMessage(message, location), opts)
    this.name = 'ConfigError'
    this.location = location
  }
}

function formatConfigMessage(message: string, loc: ConfigLocation): string {
  const where: string[] = []
  if (loc.file) where.push(loc.line ? `${loc.file}:${loc.line}` : loc.file)
  if (loc.section) where.push(`[${loc.section}]`)
  if (loc.option) where.push(loc.option)
  return where.length ? `${where.join(' ')}: ${message}` : message
}

export function isMailsyncError(e: unknown): e is MailsyncError {
  return e instanceof MailsyncError
}

/**
 * Error codes that say the file system takes no more writes at all (full, over quota, mounted
 * read-only; SQLite's own word for a full disk): every other folder on it would fail the same way.
 */
const NO_WRITES_CODES: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'SQLITE_FULL'])

/** Whether `e` (or an error it was caused by) is a file system refusing every write (see NO_WRITES_CODES). */
export function fileSystemTakesNoWrites(e: unknown): boolean {
  for (let x: unknown = e, depth = 0; x !== undefined && x !== null && depth < 8; depth++) {
    const code = typeof x === 'object' && 'code' in x ? String((x as { code: unknown }).code) : undefined
    if (code !== undefined && NO_WRITES_CODES.has(code)) return true
    x = x instanceof Error ? x.cause : undefined
  }
  return false
}

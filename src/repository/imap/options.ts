// What an IMAP repository is built from (the command layer fills it in from the config).

export type TlsMode = 'implicit' | 'starttls' | 'none'

export interface ImapTlsOptions {
  /** implicit: TLS from the first byte; starttls: STARTTLS required (never plaintext login); none: plain. */
  mode: TlsMode
  /** Extra trusted CA (PEM) instead of the system store. */
  ca?: string | Buffer
  /** SHA-256 certificate fingerprints (hex, colons and case ignored): accept exactly these certificates. */
  fingerprints?: string[]
  minVersion?: string
  /** Default true. False accepts any certificate (no fingerprint check either): for testing only. */
  rejectUnauthorized?: boolean
}

export interface ImapAuthOptions {
  /**
   * OAuth2 (XOAUTH2 / OAUTHBEARER, whichever the server offers): called for every new connection,
   * so a token that expired during a long run is replaced (the source keeps a fresh one cached).
   */
  accessToken?: () => Promise<string>
  /** Password mechanism: `LOGIN` command, `AUTH=PLAIN` or `AUTH=LOGIN`; default: the best offered. */
  loginMethod?: 'LOGIN' | 'AUTH=PLAIN' | 'AUTH=LOGIN'
  /** CRAM-MD5 where the server offers it ('prefer'), or nothing else ('only'). */
  cramMd5?: 'prefer' | 'only'
  /**
   * Admin login: authenticate as this user (an admin or master user, whose password the
   * repository's password is) and act as `user`, by SASL PLAIN's authorization identity (RFC 4616).
   */
  authUser?: string
}

export interface ImapRepositoryOptions {
  name: string
  host: string
  port?: number
  user: string
  /** The password, or a function that produces it (asked once per repository, then kept). */
  password?: string | (() => Promise<string>)
  tls: ImapTlsOptions
  /** How to log in; default: the password, with AUTHENTICATE PLAIN/LOGIN as the server offers. */
  auth?: ImapAuthOptions
  /** Hard bound on open connections, including the one for LIST/STATUS (default 4). */
  maxConnections?: number
  readOnly?: boolean
  /** Protocol debug log, one line per call; never contains the password. */
  logger?: (line: string) => void
  /** Inactivity timeout of a connection: a stalled connection is dropped after it (the factory sets 60 s by default). */
  socketTimeoutMs?: number
  /**
   * Waits before trying again when a connection cannot be made for a network reason (refused,
   * reset, timed out): one attempt more than there are entries. Default 1, 2 and 4 s.
   */
  connectRetryDelaysMs?: number[]
  /** Told of each retry, in one line. */
  onRetry?: (message: string) => void
  /** appendlimit from the config (`why` says whose figure); the server's APPENDLIMIT beats a preset's, not the user's own. */
  appendLimit?: { bytes: number; why: string; explicit: boolean }
  /** dailydownloadlimit / dailyuploadlimit, and whose figures (daily-quota.ts). */
  dailyLimits?: { download?: { bytes: number; why: string }; upload?: { bytes: number; why: string } }
  /** The state directory: where the daily counts are kept across runs. */
  stateDir?: string
  /** maxbytespersecond / maxmessagespersecond: message transfers (fetch and append) over all connections (transfer-rate.ts). */
  maxBytesPerSecond?: number
  maxMessagesPerSecond?: number
  /** The waits of one throttling incident in all before its error stands (maxthrottlewait; default 600 s). */
  throttleBudgetMs?: number
  /** Told of each pause for a server that throttles (throttle-wait.ts). */
  onThrottle?: (r: import('./throttle-wait.js').ThrottleReport) => void
  /** Use COMPRESS=DEFLATE when the server offers it (default false). */
  compression?: boolean
}

export function defaultPort(mode: TlsMode): number {
  return mode === 'implicit' ? 993 : 143
}

/** "AB:CD:..." / "abcd..." -> "abcd..." (lower-case hex, no separators). */
export function normalizeFingerprint(fp: string): string {
  return fp.replace(/[^0-9a-fA-F]/g, '').toLowerCase()
}

/** "abcd..." -> "AB:CD:..." (how openssl and Node print it). */
export function colonFingerprint(fp: string): string {
  return (normalizeFingerprint(fp).match(/../g) ?? []).join(':').toUpperCase()
}

// imapflow, socket and TLS failures as MailsyncErrors a user can act on.
import { MailsyncError, ThrottledError } from '../../errors.js'

export interface ErrorContext {
  repository: string
  user: string
  host: string
  port: number
  /** What we were doing, e.g. "connecting", "SELECT INBOX". */
  action: string
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT',
  'EPIPE', 'ECONNABORTED', 'CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT', 'ETIMEOUT',
  'NoConnection', 'EConnectionClosed', 'ClosedAfterConnectText', 'ClosedAfterConnectTLS', 'StateLogout',
])

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_UNTRUSTED', 'CERT_REVOKED', 'HOSTNAME_MISMATCH',
  'ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_UNSUPPORTED_PROTOCOL', 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
  'ERR_TLS_PIN_MISMATCH',
])

interface ErrorLike {
  message?: string
  code?: string
  authenticationFailed?: boolean
  tlsFailed?: boolean
  serverResponseCode?: string
  responseText?: string
  response?: unknown
  mailboxMissing?: boolean
  library?: string
  reason?: string
}

export function isTlsError(err: unknown): boolean {
  const e = (err ?? {}) as ErrorLike
  if (e.tlsFailed) return true
  if (e.code && (TLS_CODES.has(e.code) || e.code.startsWith('ERR_SSL_') || e.code.startsWith('ERR_TLS_'))) return true
  return e.library === 'SSL routines'
}

export function isAuthError(err: unknown): boolean {
  const e = (err ?? {}) as ErrorLike
  return e.authenticationFailed === true || e.serverResponseCode === 'AUTHENTICATIONFAILED'
}

export function isNetworkError(err: unknown): boolean {
  const e = (err ?? {}) as ErrorLike
  return !!e.code && NETWORK_CODES.has(e.code)
}

/** The server's own words for a failed command, where imapflow kept them. */
export function serverText(err: unknown): string {
  const e = (err ?? {}) as ErrorLike
  if (typeof e.responseText === 'string' && e.responseText) return e.responseText
  if (typeof e.response === 'string' && e.response) return e.response
  return e.message ?? String(err)
}

/**
 * What providers answer when they throttle an account, all temporary: RFC 5530's response codes
 * LIMIT, INUSE and UNAVAILABLE, THROTTLED (Yahoo, and others after it), and the texts of those
 * that send none: Gmail's "[ALERT] Account exceeded command or bandwidth limits" and Microsoft
 * 365's "Request is throttled. Suggested Backoff Time: N milliseconds" (imapflow marks that one
 * ETHROTTLE and has already waited part of it: throttleWaited).
 */
const THROTTLE_CODES = new Set(['THROTTLED', 'LIMIT', 'INUSE', 'UNAVAILABLE'])
const THROTTLE_TEXTS = [/account exceeded command or bandwidth limits/i, /request is throttled/i, /\[(THROTTLED|LIMIT|INUSE|UNAVAILABLE)\]/i]

export interface ThrottleSign {
  /** The server's words. */
  text: string
  /** The wait it suggested, less what imapflow already waited. */
  retryAfterMs?: number
  /** What imapflow already waited for it (Microsoft's suggestion, ETHROTTLE). */
  waitedMs?: number
}

/** The response code (`[THROTTLED]`) of a tagged reply imapflow kept parsed but did not copy to serverResponseCode (FETCH). */
function responseCode(response: unknown): string | undefined {
  const first = (response as { attributes?: { section?: { value?: unknown }[] }[] } | undefined)?.attributes?.[0]
  const value = typeof response === 'object' && response !== null ? first?.section?.[0]?.value : undefined
  return typeof value === 'string' ? value : undefined
}

/** Whether `err` is the server throttling us, and what it said. */
export function throttleSign(err: unknown): ThrottleSign | undefined {
  const e = (err ?? {}) as ErrorLike & { throttleReset?: number; throttleWaited?: number }
  // a BYE's words are kept by imapflow as the reason of the connection error that follows
  const text = e.reason && !e.responseText ? e.reason : serverText(err)
  const code = (e.serverResponseCode ?? responseCode(e.response))?.toUpperCase()
  if (!(e.code === 'ETHROTTLE' || (code && THROTTLE_CODES.has(code)) || THROTTLE_TEXTS.some((t) => t.test(text)))) return undefined
  const hint = /backoff time[:=\s]+(\d+)/i.exec(text)
  const suggested = e.throttleReset ?? (hint ? Number(hint[1]) : undefined)
  const retryAfterMs = suggested === undefined ? undefined : Math.max(0, suggested - (e.throttleWaited ?? 0))
  const said = code && !text.toUpperCase().includes(`[${code}]`) ? `[${code}] ${text}` : text
  return { text: said, ...(retryAfterMs === undefined ? {} : { retryAfterMs }), ...(e.throttleWaited ? { waitedMs: e.throttleWaited } : {}) }
}

/** Any error from a connection or command -> MailsyncError (MailsyncErrors pass through). */
export function toMailsyncError(err: unknown, ctx: ErrorContext): MailsyncError {
  if (err instanceof MailsyncError) return err
  const where = `${ctx.user}@${ctx.host}:${ctx.port}`
  const e = (err ?? {}) as ErrorLike
  // before the login check: a throttled LOGIN is not a wrong password (and must not lock the gate)
  const throttled = throttleSign(err)
  if (throttled) {
    return new ThrottledError(`repository ${ctx.repository}: ${ctx.action} throttled by the server: ${throttled.text}`, { serverText: throttled.text, retryAfterMs: throttled.retryAfterMs, waitedMs: throttled.waitedMs, cause: err })
  }
  if (isAuthError(err)) {
    return new MailsyncError('auth', `repository ${ctx.repository}: login as ${ctx.user} on ${ctx.host} refused: ${serverText(err)}`, {
      hint: 'check remoteuser and the password (`mailsync info` says where it came from); nothing was retried',
      cause: err,
    })
  }
  if (isTlsError(err)) {
    return new MailsyncError('tls', `repository ${ctx.repository}: TLS with ${ctx.host}:${ctx.port} failed: ${e.message ?? e.code}`, { cause: err })
  }
  if (isNetworkError(err)) {
    const said = e.reason ? ` (the server said: ${e.reason})` : ''
    return new MailsyncError('network', `repository ${ctx.repository}: ${ctx.action} ${where} failed: ${e.message ?? e.code}${said}`, {
      hint: 'check host, port and the network; run again to resume',
      cause: err,
    })
  }
  return new MailsyncError('server', `repository ${ctx.repository}: ${ctx.action} failed: ${serverText(err)}`, { cause: err })
}

export function readOnlyError(repository: string): MailsyncError {
  return new MailsyncError('usage', `repository ${repository} is read-only`)
}

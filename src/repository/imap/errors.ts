// imapflow, socket and TLS failures as MailsyncErrors a user can act on.
import { MailsyncError } from '../../errors.js'

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

/** Any error from a connection or command -> MailsyncError (MailsyncErrors pass through). */
export function toMailsyncError(err: unknown, ctx: ErrorContext): MailsyncError {
  if (err instanceof MailsyncError) return err
  const where = `${ctx.user}@${ctx.host}:${ctx.port}`
  const e = (err ?? {}) as ErrorLike
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
    return new MailsyncError('network', `repository ${ctx.repository}: ${ctx.action} ${where} failed: ${e.message ?? e.code}`, {
      hint: 'check host, port and the network; run again to resume',
      cause: err,
    })
  }
  return new MailsyncError('server', `repository ${ctx.repository}: ${ctx.action} failed: ${serverText(err)}`, { cause: err })
}

export function readOnlyError(repository: string): MailsyncError {
  return new MailsyncError('usage', `repository ${repository} is read-only`)
}

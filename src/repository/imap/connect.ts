// One logged-in ImapFlow client from the repository options: TLS policy, certificate pinning,
// and errors a user can act on (auth / tls / network / server).
import type { ImapFlow, ImapFlowOptions } from 'imapflow'
import { createRequire } from 'node:module'
import { isIP } from 'node:net'
import type { ConnectionOptions, PeerCertificate } from 'node:tls'
import { MailsyncError } from '../../errors.js'
import { type ImapRepositoryOptions, colonFingerprint, defaultPort, normalizeFingerprint } from './options.js'
import { type ErrorContext, isTlsError, toMailsyncError } from './errors.js'
import { matchesPin, probeServerCertificate } from './tls-probe.js'
import { protocolLogger, rememberLogger } from './protocol-log.js'
import { useCramMd5 } from './sasl-cram-md5.js'
import { plainInitialResponse, useLeanLogin } from './lean-login.js'

// imapflow's CommonJS build loads in about half the time of its ESM build (~60 ms against
// ~110 ms here), and start-up counts in every cron run: load that one.
const { ImapFlow: ImapFlowClient } = createRequire(import.meta.url)('imapflow') as typeof import('imapflow')

export interface ConnectTarget {
  opts: ImapRepositoryOptions
  password: string
  /** Numbered per repository, for log lines. */
  connectionId: string
  /** A push connection (imap-watch.ts): IDLE restarted by imapflow after each command, ended and renewed every `maxIdleTimeMs`. */
  idle?: { maxIdleTimeMs: number }
}

export function errorContext(opts: ImapRepositoryOptions, action: string): ErrorContext {
  return { repository: opts.name, user: opts.user, host: opts.host, port: opts.port ?? defaultPort(opts.tls.mode), action }
}

/**
 * Connects and logs in, one try only: a refused login is never retried, it would lock accounts.
 * Until one login of a repository has succeeded, its connections log in one after another (the
 * pool may ask for several at once); after a refused login every further attempt fails at once.
 */
export async function connectClient(t: ConnectTarget): Promise<ImapFlow> {
  const gate = loginGate(t.opts)
  if (gate.refused) throw gate.refused
  if (gate.succeeded) return loginOnce(t, gate)
  while (gate.pending) {
    await gate.pending.catch(() => undefined)
    if (gate.refused) throw gate.refused
    if (gate.succeeded) return loginOnce(t, gate)
  }
  const attempt = loginOnce(t, gate)
  gate.pending = attempt
  try {
    return await attempt
  } finally {
    gate.pending = undefined
  }
}

interface LoginGate {
  succeeded: boolean
  refused?: MailsyncError
  pending?: Promise<unknown>
}

const gates = new WeakMap<ImapRepositoryOptions, LoginGate>()

function loginGate(opts: ImapRepositoryOptions): LoginGate {
  let g = gates.get(opts)
  if (!g) gates.set(opts, (g = { succeeded: false }))
  return g
}

async function loginOnce(t: ConnectTarget, gate: LoginGate): Promise<ImapFlow> {
  try {
    const client = await openClient(t)
    gate.succeeded = true
    return client
  } catch (err) {
    if (err instanceof MailsyncError && err.kind === 'auth') gate.refused ??= err
    throw err
  }
}

async function openClient(t: ConnectTarget): Promise<ImapFlow> {
  const { opts } = t
  const ctx = errorContext(opts, 'connecting to')
  const tls = await tlsOptions(opts)
  const accessToken = opts.auth?.accessToken ? await opts.auth.accessToken() : undefined
  const options = clientOptions(t, tls, accessToken)
  const client = new ImapFlowClient(options)
  rememberLogger(client, options.logger ?? false)
  if (!accessToken && opts.auth?.cramMd5) useCramMd5(client, opts.user, t.password, opts.auth.cramMd5 === 'only')
  else if (!accessToken && (opts.auth?.loginMethod ?? 'AUTH=PLAIN') === 'AUTH=PLAIN') useLeanLogin(client, opts.user, t.password, opts.auth?.authUser)
  // imapflow emits 'error' for failures outside a command; without a listener Node would throw.
  client.on('error', () => undefined)
  try {
    await client.connect()
  } catch (err) {
    client.close()
    if (isTlsError(err) && opts.tls.mode !== 'none' && !opts.tls.fingerprints?.length) {
      throw await certificateRefused(opts, err)
    }
    throw toMailsyncError(err, ctx)
  }
  return client
}

function clientOptions(t: ConnectTarget, tls: ConnectionOptions, accessToken: string | undefined): ImapFlowOptions {
  const { opts, password } = t
  const mode = opts.tls.mode
  const secrets = [password, Buffer.from(`\0${opts.user}\0${password}`).toString('base64'), Buffer.from(`${opts.user}\0${opts.user}\0${password}`).toString('base64')]
  if (opts.auth?.authUser) secrets.push(plainInitialResponse(opts.auth.authUser, password, opts.user))
  if (accessToken) secrets.push(accessToken, Buffer.from(`user=${opts.user}\x01auth=Bearer ${accessToken}\x01\x01`).toString('base64'))
  const auth: ImapFlowOptions['auth'] = accessToken
    ? { user: opts.user, accessToken }
    : { user: opts.user, pass: password, ...(opts.auth?.loginMethod ? { loginMethod: opts.auth.loginMethod } : {}) }
  return {
    host: opts.host,
    port: opts.port ?? defaultPort(mode),
    secure: mode === 'implicit',
    // starttls: the upgrade is required, a server without STARTTLS is an error, never a plaintext login.
    doSTARTTLS: mode === 'starttls' ? true : mode === 'none' ? false : undefined,
    ...(isIP(opts.host) ? {} : { servername: opts.host }),
    auth,
    tls,
    id: t.connectionId,
    logger: protocolLogger(opts.name, opts.logger, () => secrets),
    ...(t.idle ? { disableAutoIdle: false, autoIdleDelay: 500, maxIdleTime: t.idle.maxIdleTimeMs } : { disableAutoIdle: true }),
    disableCompression: opts.compression !== true,
    qresync: true,
    ...(opts.socketTimeoutMs ? { socketTimeout: opts.socketTimeoutMs, greetingTimeout: Math.min(opts.socketTimeoutMs, 16_000), connectionTimeout: opts.socketTimeoutMs } : {}),
    clientInfo: { name: 'mailsync' },
  }
}

async function tlsOptions(opts: ImapRepositoryOptions): Promise<ConnectionOptions> {
  const t = opts.tls
  const base: ConnectionOptions = {}
  if (t.minVersion) base.minVersion = t.minVersion as ConnectionOptions['minVersion']
  if (t.mode === 'none') return base
  const pins = (t.fingerprints ?? []).map(normalizeFingerprint).filter((p) => p.length > 0)
  if (pins.length === 0) {
    return { ...base, ...(t.ca ? { ca: t.ca } : {}), rejectUnauthorized: t.rejectUnauthorized ?? true }
  }
  // Pinned: look at the certificate first (no credentials sent), refuse a stranger, then connect
  // trusting exactly the chain we saw, and check the pin again on the real connection.
  const ctx = errorContext(opts, 'connecting to')
  let seen
  try {
    seen = await probeServerCertificate({ host: opts.host, port: ctx.port, mode: t.mode, timeoutMs: opts.socketTimeoutMs })
  } catch (err) {
    throw toMailsyncError(err, ctx)
  }
  if (!matchesPin(seen.der, pins)) throw pinMismatch(opts, seen.fingerprint256)
  return {
    ...base,
    ca: [...seen.chainPem, ...(t.ca ? [t.ca.toString()] : [])],
    rejectUnauthorized: true,
    checkServerIdentity: (_host: string, cert: PeerCertificate) =>
      matchesPin(cert.raw, pins) ? undefined : Object.assign(new Error('certificate fingerprint does not match cert_fingerprint'), { code: 'ERR_TLS_PIN_MISMATCH' }),
  }
}

function pinMismatch(opts: ImapRepositoryOptions, fingerprint: string): MailsyncError {
  return new MailsyncError('tls',
    `repository ${opts.name}: the certificate of ${opts.host} has SHA-256 fingerprint ${colonFingerprint(fingerprint)}, which is not one of the configured cert_fingerprint values`,
    { hint: `if the server's certificate was replaced on purpose, set: cert_fingerprint = ${fingerprint}` })
}

/** Verification failed: fetch the certificate (without trusting it) to tell the user what to pin. */
async function certificateRefused(opts: ImapRepositoryOptions, err: unknown): Promise<MailsyncError> {
  const ctx = errorContext(opts, 'connecting to')
  const reason = (err as { message?: string }).message ?? String(err)
  let fp: string | undefined
  try {
    fp = (await probeServerCertificate({ host: opts.host, port: ctx.port, mode: opts.tls.mode as 'implicit' | 'starttls', timeoutMs: opts.socketTimeoutMs ?? 10_000 })).fingerprint256
  } catch {
    fp = undefined
  }
  const what = fp
    ? `; its SHA-256 fingerprint is ${colonFingerprint(fp)}. If you trust this certificate, add to [Repository ${opts.name}]: cert_fingerprint = ${fp}`
    : ''
  return new MailsyncError('tls', `repository ${opts.name}: the certificate of ${opts.host}:${ctx.port} was not accepted (${reason})${what}`, {
    hint: fp ? `cert_fingerprint = ${fp}` : 'check sslcacertfile, or the host name you connect to',
    cause: err,
  })
}

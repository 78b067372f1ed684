// A stand-in OAuth2 provider on 127.0.0.1 for the sign-in tests (no Google or Microsoft here):
// - GET /authorize plays the consent page: it checks the request (client id, response type,
//   an S256 challenge, a loopback redirect URI) and redirects to redirect_uri with a code and the
//   state (or, on demand, access_denied, or a state that is not the one sent);
// - POST /token: authorization_code (the PKCE verifier must hash to the challenge, RFC 7636
//   section 4.6), refresh_token, and the device grant (RFC 8628 section 3.4) answering a script
//   of authorization_pending / slow_down / expired_token / access_denied; or an error on demand;
// - POST /device: device codes (RFC 8628 section 3.2), polling interval 1 s;
// - POST /introspect: what Dovecot's oauth2 passdb asks (is this access token active, whose is it).
import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export const CLIENT_ID = 'mailsync-test-client'
export const CLIENT_SECRET = 'client-secret-never-shown'

export type ConsentMode = 'grant' | 'deny' | 'wrong-state'
export type DeviceStep = 'authorization_pending' | 'slow_down' | 'expired_token' | 'access_denied' | 'grant'

export interface TokenRequest {
  form: Record<string, string>
  /** What the provider answered: `ok`, or the error code. */
  answer: string
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let b = ''
    req.on('data', (d) => (b += d))
    req.on('end', () => resolve(b))
  })
}

export class FakeOAuthProvider {
  url = ''
  consent: ConsentMode = 'grant'
  /** An error the token endpoint answers every code exchange with, e.g. { status: 400, error: 'invalid_grant' }. */
  codeExchangeError?: { status: number; error: string }
  /** What successive device-grant polls get (the last step repeats). */
  deviceScript: DeviceStep[] = ['grant']
  user = 'alice'
  /** Refresh tokens issued, in order. */
  issuedRefresh: string[] = []
  /** Access tokens issued, in order; valid for the introspection endpoint. */
  issuedAccess: string[] = []
  tokenRequests: TokenRequest[] = []
  authorizeRequests: URLSearchParams[] = []
  introspected: string[] = []
  private codes = new Map<string, { challenge: string; redirectUri: string }>()
  private devicePolls = 0
  private server?: Server

  get authorizeUrl(): string { return `${this.url}/authorize` }
  get tokenUrl(): string { return `${this.url}/token` }
  get deviceUrl(): string { return `${this.url}/device` }
  get introspectUrl(): string { return `${this.url}/introspect` }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, headers, text }) => res.writeHead(status, headers).end(text))
    })
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this
  }

  stop(): void {
    this.server?.closeAllConnections()
    this.server?.close()
  }

  /** Every secret this provider handed out or was given: none may appear in mailsync's output. */
  secrets(): string[] {
    return [...this.issuedRefresh, ...this.issuedAccess, ...this.codes.keys(), CLIENT_SECRET]
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; headers: Record<string, string>; text: string }> {
    const url = new URL(req.url ?? '/', this.url)
    const json = (status: number, o: unknown) => ({ status, headers: { 'content-type': 'application/json' }, text: JSON.stringify(o) })
    if (req.method === 'GET' && url.pathname === '/authorize') return this.authorize(url.searchParams)
    const form = Object.fromEntries(new URLSearchParams(await body(req)))
    if (url.pathname === '/introspect') {
      this.introspected.push(form.token ?? '')
      return json(200, this.issuedAccess.includes(form.token ?? '') ? { active: 'true', username: this.user } : { active: 'false' })
    }
    if (url.pathname === '/device') {
      if (form.client_id !== CLIENT_ID) return json(400, { error: 'invalid_client' })
      return json(200, { device_code: 'device-code-1', user_code: 'WDJB-MJHT', verification_uri: `${this.url}/activate`, expires_in: 600, interval: 1 })
    }
    if (url.pathname !== '/token') return json(404, { error: 'not_found' })
    const answer = (status: number, o: Record<string, unknown>) => {
      this.tokenRequests.push({ form, answer: typeof o.error === 'string' ? o.error : 'ok' })
      return json(status, o)
    }
    const tokens = () => {
      const refresh = `refresh-${this.issuedRefresh.length + 1}-${Math.random().toString(36).slice(2)}`
      this.issuedRefresh.push(refresh)
      return { ...this.access(), refresh_token: refresh }
    }
    if (form.client_id !== CLIENT_ID) return answer(401, { error: 'invalid_client' })
    if (form.grant_type === 'authorization_code') {
      if (this.codeExchangeError) return answer(this.codeExchangeError.status, { error: this.codeExchangeError.error })
      const c = this.codes.get(form.code ?? '')
      if (!c || c.redirectUri !== form.redirect_uri) return answer(400, { error: 'invalid_grant' })
      const hashed = createHash('sha256').update(form.code_verifier ?? '', 'ascii').digest('base64url')
      if (hashed !== c.challenge) return answer(400, { error: 'invalid_grant', error_description: 'PKCE verification failed' })
      if (form.client_secret !== CLIENT_SECRET) return answer(401, { error: 'invalid_client' })
      this.codes.delete(form.code!)
      return answer(200, tokens())
    }
    if (form.grant_type === 'refresh_token') {
      if (!this.issuedRefresh.includes(form.refresh_token ?? '')) return answer(400, { error: 'invalid_grant' })
      return answer(200, this.access())
    }
    if (form.grant_type === 'urn:ietf:params:oauth:grant-type:device_code') {
      if (form.device_code !== 'device-code-1') return answer(400, { error: 'invalid_grant' })
      const step = this.deviceScript[Math.min(this.devicePolls++, this.deviceScript.length - 1)]!
      return step === 'grant' ? answer(200, tokens()) : answer(400, { error: step })
    }
    return answer(400, { error: 'unsupported_grant_type' })
  }

  private access(): Record<string, unknown> {
    const t = `access-${this.issuedAccess.length + 1}-${Math.random().toString(36).slice(2)}`
    this.issuedAccess.push(t)
    return { access_token: t, token_type: 'Bearer', expires_in: 3600 }
  }

  private authorize(q: URLSearchParams): { status: number; headers: Record<string, string>; text: string } {
    this.authorizeRequests.push(q)
    const redirect = q.get('redirect_uri') ?? ''
    const bad = (why: string) => ({ status: 400, headers: { 'content-type': 'text/plain' }, text: why })
    if (q.get('client_id') !== CLIENT_ID) return bad('unknown client')
    if (q.get('response_type') !== 'code') return bad('response_type must be code')
    if (q.get('code_challenge_method') !== 'S256' || !/^[\w-]{43}$/.test(q.get('code_challenge') ?? '')) return bad('an S256 code challenge is required')
    if (!/^http:\/\/127\.0\.0\.1:\d+\/$/.test(redirect)) return bad('the redirect must be a loopback address')
    const back = new URL(redirect)
    const state = q.get('state') ?? ''
    if (this.consent === 'deny') {
      back.searchParams.set('error', 'access_denied')
      back.searchParams.set('state', state)
    } else {
      const code = `code-${this.codes.size + 1}-${Math.random().toString(36).slice(2)}`
      this.codes.set(code, { challenge: q.get('code_challenge')!, redirectUri: redirect })
      back.searchParams.set('code', code)
      back.searchParams.set('state', this.consent === 'wrong-state' ? `${state}x` : state)
    }
    return { status: 302, headers: { location: back.toString() }, text: '' }
  }
}

/** Plays the user's browser: open the consent URL, follow the provider's redirect to the loopback listener. */
export async function playBrowser(consentUrl: string): Promise<{ status: number; text: string }> {
  const consent = await fetch(consentUrl, { redirect: 'manual' })
  const location = consent.headers.get('location')
  if (consent.status !== 302 || !location) return { status: consent.status, text: await consent.text() }
  const back = await fetch(location)
  return { status: back.status, text: await back.text() }
}

// The OAuth2 refresh-token grant (RFC 6749 section 6): POST grant_type=refresh_token to the token
// endpoint, read access_token and expires_in. Errors carry the endpoint's error code
// (`invalid_grant`, ...) but never a token or the client secret.
import { MailsyncError } from '../errors.js'

export interface RefreshRequest {
  repository: string
  url: string
  clientId: string
  clientSecret?: string
  refreshToken: string
  timeoutMs?: number
}

export interface AccessToken {
  token: string
  /** Seconds the token is valid for, as the endpoint said (undefined: not said). */
  expiresIn?: number
}

export async function refreshAccessToken(r: RefreshRequest): Promise<AccessToken> {
  const body = new URLSearchParams({ grant_type: 'refresh_token', client_id: r.clientId, refresh_token: r.refreshToken })
  if (r.clientSecret) body.set('client_secret', r.clientSecret)
  let res: Response
  try {
    res = await fetch(r.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: body.toString(),
      signal: AbortSignal.timeout(r.timeoutMs ?? 30_000),
    })
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name
    throw new MailsyncError('network', `repository ${r.repository}: cannot reach the OAuth2 token endpoint ${r.url} (${cause})`, { hint: 'check oauth2_request_url and the network' })
  }
  const text = await res.text()
  let json: { access_token?: unknown; expires_in?: unknown; error?: unknown } = {}
  try {
    json = JSON.parse(text) as typeof json
  } catch {
    json = {}
  }
  if (!res.ok || typeof json.access_token !== 'string' || json.access_token === '') {
    const code = typeof json.error === 'string' && /^[\w.-]{1,64}$/.test(json.error) ? ` ${json.error}` : ''
    const kind = res.status === 400 || res.status === 401 ? 'auth' : res.ok ? 'server' : res.status >= 500 ? 'server' : 'auth'
    throw new MailsyncError(kind, `repository ${r.repository}: the OAuth2 token endpoint ${r.url} refused to refresh the access token (HTTP ${res.status}${code})`, {
      hint: code.includes('invalid_grant') ? 'the refresh token was revoked or expired: get a new one (oauth2_refresh_token / oauth2_refresh_token_cmd)' : 'check oauth2_client_id, oauth2_client_secret and oauth2_refresh_token',
    })
  }
  const expiresIn = typeof json.expires_in === 'number' ? json.expires_in : typeof json.expires_in === 'string' && /^\d+$/.test(json.expires_in) ? Number(json.expires_in) : undefined
  return { token: json.access_token, expiresIn }
}

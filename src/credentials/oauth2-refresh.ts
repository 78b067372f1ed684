// The OAuth2 refresh-token grant (RFC 6749 section 6): POST grant_type=refresh_token to the token
// endpoint, read access_token and expires_in (and a new refresh_token, where the provider rotates
// them). Errors carry the endpoint's error code (`invalid_grant`, ...) but never a token or the
// client secret.
import { MailsyncError } from '../errors.js'
import { errorWords, postForm, refusalKind, secondsField, stringField } from './oauth2-token-endpoint.js'

export interface RefreshRequest {
  repository: string
  url: string
  clientId: string
  clientSecret?: string
  refreshToken: string
  timeoutMs?: number
  /** What to say to do about a revoked refresh token. */
  revokedHint?: string
}

export interface AccessToken {
  token: string
  /** Seconds the token is valid for, as the endpoint said (undefined: not said). */
  expiresIn?: number
  /** A new refresh token, when the endpoint issued one in place of the old. */
  refreshToken?: string
}

export async function refreshAccessToken(r: RefreshRequest): Promise<AccessToken> {
  const a = await postForm(r.url, { grant_type: 'refresh_token', client_id: r.clientId, refresh_token: r.refreshToken, client_secret: r.clientSecret || undefined }, {
    repository: r.repository, endpoint: 'token endpoint', hint: 'check oauth2_request_url and the network', timeoutMs: r.timeoutMs,
  })
  const token = stringField(a.json, 'access_token')
  if (!a.ok || !token) {
    const words = errorWords(a.json)
    throw new MailsyncError(refusalKind(a.status, a.ok), `repository ${r.repository}: the OAuth2 token endpoint ${r.url} refused to refresh the access token (HTTP ${a.status}${words})`, {
      hint: words.includes('invalid_grant')
        ? r.revokedHint ?? 'the refresh token was revoked or expired: get a new one (oauth2_refresh_token / oauth2_refresh_token_cmd)'
        : 'check oauth2_client_id, oauth2_client_secret and oauth2_refresh_token',
    })
  }
  const fresh = stringField(a.json, 'refresh_token')
  return { token, expiresIn: secondsField(a.json, 'expires_in'), refreshToken: fresh && fresh !== r.refreshToken ? fresh : undefined }
}

// The device authorization grant (RFC 8628), for machines without a browser: ask the device
// endpoint for a user code (section 3.1), show the verification URL and the code (3.3), then poll
// the token endpoint at the given interval (3.4, 3.5): authorization_pending waits, slow_down adds
// 5 seconds to the interval for good, access_denied and expired_token end the sign-in.
import { MailsyncError } from '../errors.js'
import { redeemAnswer, type SignInTokens } from './oauth2-tokens.js'
import { errorCode, errorWords, postForm, refusalKind, secondsField, stringField } from './oauth2-token-endpoint.js'

export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
/** RFC 8628 section 3.5: without an interval, 5 seconds; slow_down adds 5. */
const DEFAULT_INTERVAL_S = 5
const SLOW_DOWN_S = 5
/** When the endpoint says nothing of expiry (it must), give up after this long. */
const DEFAULT_EXPIRES_S = 900

export interface DeviceCodeShown {
  verificationUri: string
  userCode: string
  /** The URL with the code in it, where the provider gives one. */
  verificationUriComplete?: string
  expiresInS: number
}

export interface DeviceFlowRequest {
  repository: string
  deviceUrl: string
  tokenUrl: string
  clientId: string
  clientSecret?: string
  scope: string
  show: (d: DeviceCodeShown) => void
  /** For tests: the wait between polls. */
  sleep?: (ms: number) => Promise<void>
  now?: () => number
}

export async function deviceFlow(r: DeviceFlowRequest): Promise<SignInTokens> {
  const sleep = r.sleep ?? ((ms: number) => new Promise<void>((res) => setTimeout(res, ms)))
  const now = r.now ?? Date.now
  const start = await postForm(r.deviceUrl, { client_id: r.clientId, scope: r.scope }, { repository: r.repository, endpoint: 'device authorization endpoint', hint: 'check oauth2_device_url and the network' })
  const deviceCode = stringField(start.json, 'device_code')
  const userCode = stringField(start.json, 'user_code')
  // Google names it verification_url
  const verificationUri = stringField(start.json, 'verification_uri') ?? stringField(start.json, 'verification_url')
  if (!start.ok || !deviceCode || !userCode || !verificationUri) {
    const words = errorWords(start.json)
    throw new MailsyncError(start.ok ? 'server' : refusalKind(start.status, start.ok), `repository ${r.repository}: the OAuth2 device authorization endpoint ${r.deviceUrl} ${start.ok ? 'gave no device code, user code and verification URL' : `refused (HTTP ${start.status}${words})`}; nothing was stored`, {
      hint: words.includes('invalid_scope') ? 'the provider does not allow this scope in the device flow (Google allows no mail scope there): run mailsync auth without --device' : 'check oauth2_client_id, oauth2_scope and oauth2_device_url (the app must allow the device flow)',
    })
  }
  const expiresInS = secondsField(start.json, 'expires_in') ?? DEFAULT_EXPIRES_S
  const deadline = now() + expiresInS * 1000
  let intervalS = Math.max(1, secondsField(start.json, 'interval') ?? DEFAULT_INTERVAL_S)
  r.show({ verificationUri, userCode, verificationUriComplete: stringField(start.json, 'verification_uri_complete'), expiresInS })
  const expired = () => new MailsyncError('auth', `repository ${r.repository}: the device code expired before the sign-in was completed (it was valid ${Math.round(expiresInS / 60)} min); nothing was stored`, { hint: 'run mailsync auth --device again and enter the new code' })
  for (;;) {
    await sleep(intervalS * 1000)
    if (now() >= deadline) throw expired()
    const a = await postForm(r.tokenUrl, { grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: r.clientId, client_secret: r.clientSecret || undefined }, {
      repository: r.repository, endpoint: 'token endpoint', hint: 'check oauth2_request_url and the network',
    })
    if (a.ok) return redeemAnswer(a, { repository: r.repository, url: r.tokenUrl, doing: 'complete the device sign-in' })
    const code = errorCode(a.json)
    if (code === 'authorization_pending') continue
    if (code === 'slow_down') {
      intervalS += SLOW_DOWN_S
      continue
    }
    if (code === 'expired_token') throw expired()
    if (code === 'access_denied') throw new MailsyncError('auth', `repository ${r.repository}: consent was refused (access_denied); nothing was stored`, { hint: 'run mailsync auth --device again and allow mailsync to read your mail' })
    return redeemAnswer(a, { repository: r.repository, url: r.tokenUrl, doing: 'complete the device sign-in' })
  }
}

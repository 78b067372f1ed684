// What a sign-in gets from the token endpoint: the refresh token (the thing kept) and the first
// access token. One reading of the answer for both flows, with errors that name the endpoint's
// error code and never a token.
import { MailsyncError } from '../errors.js'
import { errorWords, refusalKind, stringField, type EndpointAnswer } from './oauth2-token-endpoint.js'

export interface SignInTokens {
  refreshToken: string
  accessToken?: string
}

export function redeemAnswer(a: EndpointAnswer, ctx: { repository: string; url: string; doing: string }): SignInTokens {
  if (!a.ok) {
    const words = errorWords(a.json)
    throw new MailsyncError(refusalKind(a.status, a.ok), `repository ${ctx.repository}: the OAuth2 token endpoint ${ctx.url} refused to ${ctx.doing} (HTTP ${a.status}${words}); nothing was stored`, {
      hint: words.includes('invalid_client') ? 'check oauth2_client_id and oauth2_client_secret' : words.includes('invalid_grant') ? 'the code was used or expired: run mailsync auth again' : 'run mailsync auth again; check oauth2_client_id, oauth2_client_secret and oauth2_request_url if it keeps failing',
    })
  }
  const refreshToken = stringField(a.json, 'refresh_token')
  if (!refreshToken) {
    throw new MailsyncError('server', `repository ${ctx.repository}: the OAuth2 token endpoint ${ctx.url} gave no refresh token; nothing was stored`, {
      hint: 'the scope must allow offline use: Microsoft needs offline_access in oauth2_scope; Google gives one with access_type=offline (the google preset asks for it)',
    })
  }
  return { refreshToken, accessToken: stringField(a.json, 'access_token') }
}

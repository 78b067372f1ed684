// The authorization code flow with PKCE and a loopback redirect (RFC 8252 section 7.3, RFC 7636):
// listen on 127.0.0.1 (a random port unless one is given), send the browser to the provider's
// consent page with redirect_uri http://127.0.0.1:PORT/, take the code the provider redirects
// back with (only with our state), and redeem it with the PKCE verifier at the token endpoint.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { MailsyncError } from '../errors.js'
import { newPkce, newState, sameState } from './oauth2-pkce.js'
import { redeemAnswer, type SignInTokens } from './oauth2-tokens.js'
import { errorCode, postForm } from './oauth2-token-endpoint.js'

export interface AuthorizationCodeRequest {
  repository: string
  authorizeUrl: string
  tokenUrl: string
  clientId: string
  clientSecret?: string
  scope: string
  /** Extra parameters of the authorization request (Google: access_type=offline). */
  authorizeParams: Record<string, string>
  loginHint?: string
  /** 0 or undefined: a random free port. */
  port?: number
  timeoutMs: number
  /** Told the consent page's URL once the redirect listener is up (print it, open a browser). */
  show: (url: string) => void
}

type Answer = { code: string } | { error: MailsyncError }

export async function authorizationCodeFlow(r: AuthorizationCodeRequest): Promise<SignInTokens> {
  const pkce = newPkce()
  const state = newState()
  let settle: (a: Answer) => void = () => undefined
  const answered = new Promise<Answer>((resolve) => (settle = resolve))
  const server = createServer((req, res) => {
    const a = readRedirect(req, res, state, r.repository)
    if (a) settle(a)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new MailsyncError('network', `repository ${r.repository}: cannot listen for the sign-in redirect on 127.0.0.1:${r.port ?? 0} (${(e as { code?: string }).code ?? e.message})`, { hint: 'choose another --port, or leave it out for a random one' })))
    server.listen(r.port ?? 0, '127.0.0.1', resolve)
  })
  const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  const timer = setTimeout(() => settle({ error: new MailsyncError('auth', `repository ${r.repository}: no sign-in came back from the browser within ${Math.round(r.timeoutMs / 1000)} s; nothing was stored`, { hint: 'run mailsync auth again (--timeout SECONDS gives more time), or use --device' }) }), r.timeoutMs)
  let answer: Answer
  try {
    const url = new URL(r.authorizeUrl)
    const params: Record<string, string | undefined> = {
      response_type: 'code', client_id: r.clientId, redirect_uri: redirectUri, scope: r.scope, state,
      code_challenge: pkce.challenge, code_challenge_method: pkce.method, login_hint: r.loginHint, ...r.authorizeParams,
    }
    for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v)
    r.show(url.toString())
    answer = await answered
  } finally {
    clearTimeout(timer)
    server.closeAllConnections()
    server.close()
  }
  if ('error' in answer) throw answer.error
  const a = await postForm(r.tokenUrl, {
    grant_type: 'authorization_code', code: answer.code, redirect_uri: redirectUri, client_id: r.clientId, code_verifier: pkce.verifier, client_secret: r.clientSecret || undefined,
  }, { repository: r.repository, endpoint: 'token endpoint', hint: 'check oauth2_request_url and the network' })
  return redeemAnswer(a, { repository: r.repository, url: r.tokenUrl, doing: 'redeem the sign-in code' })
}

/** Answers one request to the loopback listener; returns what it settles, or undefined to keep waiting. */
function readRedirect(req: IncomingMessage, res: ServerResponse, state: string, repository: string): Answer | undefined {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1')
  const page = (status: number, text: string) => res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(`${text}\n`)
  if (req.method !== 'GET' || url.pathname !== '/') {
    page(404, 'not found')
    return undefined
  }
  const q = url.searchParams
  if (!q.has('state') && !q.has('code') && !q.has('error')) {
    page(400, 'This address waits for the answer of a mailsync sign-in.')
    return undefined
  }
  if (!sameState(state, q.get('state'))) {
    page(400, 'mailsync: this answer does not belong to the sign-in that is waiting (its state differs). Nothing was stored.')
    return { error: new MailsyncError('auth', `repository ${repository}: the sign-in answer carried a state this sign-in did not send (an old browser tab, or a page slipping in its own code); nothing was stored`, { hint: 'run mailsync auth again and use the URL it prints' }) }
  }
  const err = q.get('error')
  if (err !== null) {
    const code = errorCode({ error: err }) ?? 'error'
    page(400, code === 'access_denied' ? 'mailsync: consent was refused. Nothing was stored.' : `mailsync: the provider answered ${code}. Nothing was stored.`)
    return {
      error: code === 'access_denied'
        ? new MailsyncError('auth', `repository ${repository}: consent was refused (access_denied); nothing was stored`, { hint: 'run mailsync auth again and allow mailsync to read your mail' })
        : new MailsyncError('auth', `repository ${repository}: the authorization endpoint answered ${code}; nothing was stored`, { hint: 'check oauth2_client_id, oauth2_scope and the app registration' }),
    }
  }
  const code = q.get('code')
  if (!code) {
    page(400, 'mailsync: the answer carries no code. Nothing was stored.')
    return { error: new MailsyncError('auth', `repository ${repository}: the sign-in answer carried no code; nothing was stored`) }
  }
  page(200, 'mailsync: signed in. You can close this tab.')
  return { code }
}

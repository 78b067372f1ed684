// OAuth2 token sources against a token endpoint served by the test on 127.0.0.1: the refresh
// request, keeping a token while it is fresh, refreshing once it expires, and clear errors.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseConfigText } from '../../src/config/index.js'
import { accessTokenSource, usesOAuth2 } from '../../src/credentials/oauth2-source.js'
import { authOptions } from '../../src/repository/imap/auth-settings.js'
import { MailsyncError } from '../../src/errors.js'

function repo(lines: string) {
  return parseConfigText(`[Repository Mail]\ntype = IMAP\nremotehost = h\nremoteuser = alice\n${lines}`, '/rc', { home: '/tmp', env: {} }).repositories.get('Mail')!
}

interface Endpoint { url: string; requests: Record<string, string>[]; close(): void }

async function tokenEndpoint(answer: (n: number, form: Record<string, string>) => { status: number; body: unknown }): Promise<Endpoint> {
  const requests: Record<string, string>[] = []
  const read = (req: IncomingMessage) => new Promise<string>((resolve) => {
    let b = ''
    req.on('data', (d) => (b += d))
    req.on('end', () => resolve(b))
  })
  const srv = createServer(async (req, res) => {
    const form = Object.fromEntries(new URLSearchParams(await read(req)))
    form._method = req.method ?? ''
    form._type = req.headers['content-type'] ?? ''
    requests.push(form)
    const a = answer(requests.length, form)
    res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body))
  })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/token`, requests, close: () => srv.close() }
}

test('refresh: POSTs grant_type=refresh_token with the client and refresh token; keeps the token until it expires', async () => {
  const ep = await tokenEndpoint((n) => ({ status: 200, body: { access_token: `tok-${n}`, expires_in: 600, token_type: 'Bearer' } }))
  try {
    let now = 1_000_000
    const src = accessTokenSource(repo(`oauth2_request_url = ${ep.url}\noauth2_client_id = cid\noauth2_client_secret = csecret\noauth2_refresh_token_cmd = echo rtoken\n`), { now: () => now })!
    assert.equal(src.describe, `OAuth2 refresh at ${ep.url}`)
    const [a, b] = await Promise.all([src.get(), src.get()])
    assert.deepEqual([a, b], ['tok-1', 'tok-1'], 'concurrent callers share one refresh')
    assert.equal(ep.requests.length, 1)
    assert.deepEqual(ep.requests[0], { grant_type: 'refresh_token', client_id: 'cid', client_secret: 'csecret', refresh_token: 'rtoken', _method: 'POST', _type: 'application/x-www-form-urlencoded' })
    now += 500_000
    assert.equal(await src.get(), 'tok-1', 'still fresh')
    now += 60_000
    assert.equal(await src.get(), 'tok-2', 'refreshed shortly before expiry')
    assert.equal(ep.requests.length, 2)
  } finally {
    ep.close()
  }
})

test('a refused refresh is an auth error with the endpoint error code, no secrets', async () => {
  const ep = await tokenEndpoint(() => ({ status: 400, body: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' } }))
  try {
    const src = accessTokenSource(repo(`oauth2_request_url = ${ep.url}\noauth2_client_id = cid\noauth2_client_secret = topsecret\noauth2_refresh_token = rtok-secret\n`))!
    await assert.rejects(src.get(), (e: unknown) => {
      assert.ok(e instanceof MailsyncError)
      assert.equal(e.kind, 'auth')
      assert.match(e.message, /repository Mail: the OAuth2 token endpoint .* refused to refresh the access token \(HTTP 400 invalid_grant\)/)
      assert.ok(!/topsecret|rtok-secret/.test(`${e.message} ${e.hint}`))
      return true
    })
  } finally {
    ep.close()
  }
})

test('token command, fixed token, missing refresh settings, plain-http endpoint elsewhere, mechanisms', async () => {
  assert.equal(await accessTokenSource(repo('oauth2_access_token_cmd = echo from-cmd\n'))!.get(), 'from-cmd')
  assert.equal(await accessTokenSource(repo('oauth2_access_token = fixed\n'))!.get(), 'fixed')
  assert.equal(accessTokenSource(repo('remotepass = x\n')), undefined)
  assert.equal(usesOAuth2(repo('remotepass = x\n')), false)
  assert.throws(() => accessTokenSource(repo('oauth2_client_id = cid\n')), /OAuth2 refresh needs oauth2_request_url, oauth2_refresh_token/)
  assert.throws(() => accessTokenSource(repo('oauth2_request_url = http://tokens.example.com/t\noauth2_client_id = c\noauth2_refresh_token = r\n')), /must use https/)
  const token = { get: async () => 't' }
  assert.ok(authOptions(repo(''), token).accessToken, 'XOAUTH2 is allowed by default')
  assert.deepEqual(authOptions(repo(''), undefined), {})
  assert.deepEqual(authOptions(repo('auth_mechanisms = PLAIN\n'), token), { loginMethod: 'AUTH=PLAIN' })
  assert.deepEqual(authOptions(repo('auth_mechanisms = LOGIN\n'), undefined), { loginMethod: 'LOGIN' })
  assert.deepEqual(authOptions(repo('auth_mechanisms = CRAM-MD5\n'), undefined), { cramMd5: 'only' })
  assert.deepEqual(authOptions(repo('auth_mechanisms = CRAM-MD5, PLAIN\n'), undefined), { cramMd5: 'prefer', loginMethod: 'AUTH=PLAIN' })
  assert.throws(() => authOptions(repo('auth_mechanisms = GSSAPI\n'), undefined), /GSSAPI is not/)
  assert.throws(() => authOptions(repo('auth_mechanisms = XOAUTH2\n'), undefined), /no oauth2_\* setting gives a token/)
})

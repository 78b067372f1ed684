// The parts of `mailsync auth` that need no browser: PKCE, the provider presets and what picks
// them, the stored refresh token (written whole, refused when others may read it), and the token
// refresh using the stored token (and keeping a rotated one) against an endpoint on 127.0.0.1.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { parseConfigText } from '../../src/config/index.js'
import { newPkce, s256Challenge, sameState } from '../../src/credentials/oauth2-pkce.js'
import { chooseProvider, oauth2Endpoints } from '../../src/credentials/oauth2-providers.js'
import { accessTokenSource } from '../../src/credentials/oauth2-source.js'
import { readStoredToken, storedTokenPath, writeStoredToken } from '../../src/credentials/refresh-token-store.js'
import { signInRepository } from '../../src/credentials/oauth2-sign-in.js'

function repo(lines: string, type = 'IMAP') {
  return parseConfigText(`[Repository Mail]\ntype = ${type}\nremoteuser = alice\n${lines}`, '/rc', { home: '/tmp', env: {} }).repositories.get('Mail')!
}

test('PKCE S256: the RFC 7636 appendix B example, and fresh random verifiers', () => {
  assert.equal(s256Challenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'), 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM')
  const a = newPkce()
  const b = newPkce()
  assert.match(a.verifier, /^[A-Za-z0-9_-]{43}$/)
  assert.equal(a.challenge, s256Challenge(a.verifier))
  assert.equal(a.method, 'S256')
  assert.notEqual(a.verifier, b.verifier)
  assert.equal(sameState('abc', 'abc'), true)
  for (const other of ['abd', 'ab', 'abcd', null, undefined]) assert.equal(sameState('abc', other), false)
})

test('presets: Google by type or host, Microsoft by host with a tenant, options override, custom has none', () => {
  const google = oauth2Endpoints(repo('', 'Gmail'))
  assert.deepEqual(google, {
    provider: 'google', chosenBy: 'type gmail',
    authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth', tokenUrl: 'https://oauth2.googleapis.com/token', deviceUrl: 'https://oauth2.googleapis.com/device/code',
    scope: 'https://mail.google.com/', authorizeParams: { access_type: 'offline', prompt: 'consent' },
  })
  assert.deepEqual(chooseProvider(repo('remotehost = imap.gmail.com\n')), { provider: 'google', chosenBy: 'host imap.gmail.com' })
  const ms = oauth2Endpoints(repo('remotehost = outlook.office365.com\n'))
  assert.equal(ms.provider, 'microsoft')
  assert.equal(ms.authorizeUrl, 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize')
  assert.equal(ms.tokenUrl, 'https://login.microsoftonline.com/common/oauth2/v2.0/token')
  assert.equal(ms.deviceUrl, 'https://login.microsoftonline.com/common/oauth2/v2.0/devicecode')
  assert.equal(ms.scope, 'https://outlook.office.com/IMAP.AccessAsUser.All offline_access')
  const tenant = oauth2Endpoints(repo('remotehost = mail.example.org\noauth2_provider = microsoft365\noauth2_tenant = contoso.onmicrosoft.com\noauth2_scope = https://outlook.office.com/IMAP.AccessAsUser.All offline_access email\n'))
  assert.equal(tenant.chosenBy, 'oauth2_provider')
  assert.equal(tenant.tokenUrl, 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token')
  assert.equal(tenant.scope, 'https://outlook.office.com/IMAP.AccessAsUser.All offline_access email')
  const overridden = oauth2Endpoints(repo('remotehost = imap.gmail.com\noauth2_request_url = https://tokens.example.org/t\n'))
  assert.equal(overridden.tokenUrl, 'https://tokens.example.org/t')
  assert.equal(overridden.authorizeUrl, 'https://accounts.google.com/o/oauth2/v2/auth')
  const custom = oauth2Endpoints(repo('remotehost = mail.example.org\n'))
  assert.deepEqual([custom.provider, custom.authorizeUrl, custom.tokenUrl, custom.deviceUrl, custom.scope], ['custom', undefined, undefined, undefined, undefined])
  assert.throws(() => repo('remotehost = h\noauth2_provider = yahoo\n'), /oauth2_provider/)
})

test('presets: preset = gmail / microsoft365 (or an alias) chooses the provider behind a custom host; other presets do not', () => {
  const g = oauth2Endpoints(repo('remotehost = mail.example.org\npreset = gmail\n'))
  assert.deepEqual([g.provider, g.chosenBy, g.tokenUrl, g.scope], ['google', 'preset gmail', 'https://oauth2.googleapis.com/token', 'https://mail.google.com/'])
  const m = oauth2Endpoints(repo('remotehost = mail.example.org\npreset = office365\noauth2_tenant = contoso.onmicrosoft.com\n'))
  assert.deepEqual([m.provider, m.chosenBy, m.tokenUrl], ['microsoft', 'preset microsoft365', 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token'])
  // the named preset outranks the host it contradicts; oauth2_provider outranks both
  assert.deepEqual(chooseProvider(repo('remotehost = imap.gmail.com\npreset = microsoft365\n')), { provider: 'microsoft', chosenBy: 'preset microsoft365' })
  assert.deepEqual(chooseProvider(repo('remotehost = mail.example.org\npreset = gmail\noauth2_provider = microsoft365\n')), { provider: 'microsoft', chosenBy: 'oauth2_provider' })
  assert.deepEqual(chooseProvider(repo('remotehost = mail.example.org\npreset = fastmail\n')), { provider: 'custom', chosenBy: 'default' })
  assert.deepEqual(chooseProvider(repo('remotehost = mail.example.org\npreset = none\n')), { provider: 'custom', chosenBy: 'default' })
})

test('auth signs in an IMAP repository only, named directly or through its account', () => {
  const config = parseConfigText('[Account a]\nlocalrepository = L\nremoterepository = R\n[Repository R]\ntype = IMAP\nremotehost = h\n[Repository L]\ntype = Maildir\nlocalfolders = /tmp/m\n', '/rc', { home: '/tmp', env: {} })
  assert.equal(signInRepository(config, 'a').name, 'R')
  assert.equal(signInRepository(config, 'R').name, 'R')
  assert.throws(() => signInRepository(config, 'L'), /only IMAP repositories sign in/)
})

test('the stored token: replaced whole in a private file, nothing left beside it; a file others may read is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailsync-token-'))
  try {
    const file = storedTokenPath(join(dir, 'state'), 'work remote')
    assert.match(file, /\/state\/oauth2\/work_remote\+[0-9a-f]{12}\.refresh-token$/)
    assert.equal(readStoredToken(file), undefined)
    writeStoredToken(file, 'first')
    writeStoredToken(file, 'second')
    assert.equal(readFileSync(file, 'utf8'), 'second\n')
    assert.equal(readStoredToken(file), 'second')
    assert.equal(statSync(file).mode & 0o777, 0o600)
    assert.equal(statSync(dirname(file)).mode & 0o777, 0o700)
    assert.deepEqual(readdirSync(dirname(file)), [file.split('/').pop()])
    chmodSync(file, 0o644)
    assert.throws(() => readStoredToken(file), /readable or writable by others.*refusing/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let b = ''
    req.on('data', (d) => (b += d))
    req.on('end', () => resolve(b))
  })
}

test('the refresh uses the stored token when none is configured, keeps a rotated one, and asks to sign in when there is none', async () => {
  const forms: Record<string, string>[] = []
  const srv = createServer(async (req, res) => {
    const form = Object.fromEntries(new URLSearchParams(await read(req)))
    forms.push(form)
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: `at-${forms.length}`, expires_in: 1, refresh_token: `rotated-${forms.length}` }))
  })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/token`
  const dir = mkdtempSync(join(tmpdir(), 'mailsync-token-'))
  try {
    const r = repo(`remotehost = h\noauth2_provider = custom\noauth2_request_url = ${url}\noauth2_client_id = cid\n`)
    assert.throws(() => accessTokenSource(r, { stateDir: dir }), /OAuth2 refresh needs oauth2_refresh_token \(or oauth2_refresh_token_cmd, or a token stored by `mailsync auth Mail`\)/)
    assert.throws(() => accessTokenSource(r, { stateDir: dir }), (e: Error & { hint?: string }) => /sign in with `mailsync auth Mail`/.test(e.hint ?? ''))
    const file = storedTokenPath(dir, 'Mail')
    writeStoredToken(file, 'stored-1')
    let now = 0
    const source = accessTokenSource(r, { stateDir: dir, now: () => now })!
    assert.match(source.describe, /refresh token from `mailsync auth`/)
    assert.equal(await source.get(), 'at-1')
    assert.equal(forms[0]!.refresh_token, 'stored-1')
    assert.equal(forms[0]!.client_id, 'cid')
    assert.equal(readFileSync(file, 'utf8'), 'rotated-1\n', 'the rotated token replaced the stored one')
    now += 2000
    assert.equal(await source.get(), 'at-2')
    assert.equal(forms[1]!.refresh_token, 'rotated-1', 'and is used from then on')
    // a configured refresh token wins over the stored one
    const configured = accessTokenSource(repo(`remotehost = h\noauth2_request_url = ${url}\noauth2_client_id = cid\noauth2_refresh_token = from-config\n`), { stateDir: dir })!
    await configured.get()
    assert.equal(forms[2]!.refresh_token, 'from-config')
    assert.equal(readFileSync(file, 'utf8'), 'rotated-2\n', 'a configured token is not written to the store')
    // with a preset, the token endpoint needs no option
    writeStoredToken(storedTokenPath(dir, 'Mail'), 'stored-2')
    assert.match(accessTokenSource(repo('remotehost = imap.gmail.com\noauth2_client_id = cid\n'), { stateDir: dir })!.describe, /^OAuth2 refresh at https:\/\/oauth2\.googleapis\.com\/token /)
  } finally {
    srv.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

test('device flow: the interval as given, 5 s more after slow_down for good, Google\'s verification_url, and the code\'s own expiry', async () => {
  let script: string[] = []
  let polls = 0
  const srv = createServer(async (req, res) => {
    const form = Object.fromEntries(new URLSearchParams(await read(req)))
    const json = (status: number, o: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(o))
    if (req.url === '/device') return json(200, { device_code: 'dc', user_code: 'ABCD-EFGH', verification_url: 'https://example.org/device', expires_in: 60, interval: 2 })
    assert.equal(form.grant_type, 'urn:ietf:params:oauth:grant-type:device_code')
    const step = script[Math.min(polls++, script.length - 1)]!
    return step === 'grant' ? json(200, { access_token: 'at', refresh_token: 'rt' }) : json(400, { error: step })
  })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`
  const { deviceFlow } = await import('../../src/credentials/oauth2-device.js')
  let now = 0
  const waits: number[] = []
  const run = () => {
    polls = 0
    waits.length = 0
    const shown: string[] = []
    return {
      shown,
      done: deviceFlow({
        repository: 'Mail', deviceUrl: `${base}/device`, tokenUrl: `${base}/token`, clientId: 'cid', scope: 's',
        show: (d) => shown.push(`${d.verificationUri} ${d.userCode} ${d.expiresInS}`),
        sleep: async (ms) => {
          waits.push(ms)
          now += ms
        },
        now: () => now,
      }),
    }
  }
  try {
    script = ['authorization_pending', 'slow_down', 'authorization_pending', 'grant']
    const ok = run()
    assert.deepEqual(await ok.done, { refreshToken: 'rt', accessToken: 'at' })
    assert.deepEqual(ok.shown, ['https://example.org/device ABCD-EFGH 60'])
    assert.deepEqual(waits, [2000, 2000, 7000, 7000])
    // never granted: the code's 60 s run out on our side even if the endpoint keeps saying pending
    script = ['authorization_pending']
    await assert.rejects(run().done, /the device code expired before the sign-in was completed/)
    assert.ok(waits.reduce((a, b) => a + b, 0) >= 60_000)
    script = ['authorization_pending', 'invalid_client']
    await assert.rejects(run().done, /refused to complete the device sign-in \(HTTP 400 invalid_client\); nothing was stored/)
  } finally {
    srv.close()
  }
})

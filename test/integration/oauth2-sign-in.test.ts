// `mailsync auth` end to end: the real binary signs in against a fake OAuth2 provider on 127.0.0.1
// (test/support/fake-oauth-provider.ts), the test playing the browser from the printed URL (or
// from what a stand-in xdg-open was given), and the device flow; the refresh token ends in the
// state directory (0600) or with the store command, and never in the output. Then a real
// `mailsync backup` logs in to Dovecot (oauth2 passdb asking the provider's introspection
// endpoint) with an access token refreshed from the stored token. Refusals of every kind end with
// one line, exit 77 (76 for a failing endpoint), and leave the token stored before untouched.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDovecot, type DovecotInstance } from '../support/dovecot.js'
import { startCli, type CliEnd } from '../support/cli-process.js'
import { withImapClient } from '../support/imap-client.js'
import { CLIENT_ID, CLIENT_SECRET, FakeOAuthProvider, playBrowser } from '../support/fake-oauth-provider.js'

let d: DovecotInstance
let provider: FakeOAuthProvider
let root: string
let n = 0

interface World { dir: string; env: NodeJS.ProcessEnv; config: string; tokenFile: string; mail: string }

/** A fresh home, state directory and config for one test. */
function world(extra = ''): World {
  const dir = join(root, `w${++n}`)
  mkdirSync(join(dir, 'home'), { recursive: true })
  const env = { PATH: process.env.PATH, HOME: join(dir, 'home'), XDG_CONFIG_HOME: join(dir, 'xdg-config'), XDG_STATE_HOME: join(dir, 'xdg-state') }
  const mail = join(dir, 'mail')
  const config = join(dir, 'config')
  // in a file, so that the command that prints it (shown by `info`) does not contain it
  writeFileSync(join(dir, 'client-secret'), `${CLIENT_SECRET}\n`, { mode: 0o600 })
  writeFileSync(config, `[general]
accounts = work

[Account work]
localrepository = work-local
remoterepository = work-remote

[Repository work-remote]
type = IMAP
remotehost = 127.0.0.1
remoteport = ${d.tlsPort}
remoteuser = alice
sslcacertfile = ${d.certFile}
auth_mechanisms = XOAUTH2
oauth2_provider = custom
oauth2_authorize_url = ${provider.authorizeUrl}
oauth2_request_url = ${provider.tokenUrl}
oauth2_device_url = ${provider.deviceUrl}
oauth2_scope = mail offline
oauth2_client_id = ${CLIENT_ID}
oauth2_client_secret_cmd = cat ${join(dir, 'client-secret')}
${extra}
[Repository work-local]
type = Maildir
localfolders = ${mail}
`, { mode: 0o600 })
  return { dir, env, config, mail, tokenFile: join(dir, 'xdg-state', 'mailsync', 'oauth2', 'work-remote.refresh-token') }
}

const CONSENT_URL = /^ {2}(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)$/m

/** `mailsync auth work --no-browser`, playing the browser from the URL it prints. */
async function authByUrl(w: World, more: string[] = []): Promise<{ end: CliEnd; page: { status: number; text: string } }> {
  const cli = startCli(['auth', 'work', '-c', w.config, '--no-browser', '--timeout', '60', ...more], w.env)
  await cli.waitForStderr(CONSENT_URL)
  const page = await playBrowser(CONSENT_URL.exec(cli.stderr())![1]!)
  return { end: await cli.ended, page }
}

function assertNoSecrets(end: CliEnd): void {
  for (const s of provider.secrets()) {
    assert.ok(!end.stdout.includes(s) && !end.stderr.includes(s), 'no token, code or client secret in the output')
  }
}

/** A refusal: one line on stderr (plus the hint), the exit code, and the token stored before as it was. */
function assertRefused(end: CliEnd, code: number, message: RegExp, w: World, before: string): void {
  assert.equal(end.code, code, end.stderr)
  const errorLines = end.stderr.split('\n').filter((l) => l.startsWith('mailsync: '))
  assert.equal(errorLines.length, 1, end.stderr)
  assert.match(errorLines[0]!, message)
  assert.equal(readFileSync(w.tokenFile, 'utf8'), before, 'the token stored before is untouched')
  assertNoSecrets(end)
}

function storeGoodToken(w: World): string {
  const good = 'good-token-stored-before\n'
  mkdirSync(join(w.tokenFile, '..'), { recursive: true, mode: 0o700 })
  writeFileSync(w.tokenFile, good, { mode: 0o600 })
  return good
}

describe('mailsync auth', () => {
  before(async () => {
    provider = await new FakeOAuthProvider().start()
    root = mkdtempSync(join(tmpdir(), 'mailsync-auth-'))
    chmodSync(root, 0o755)
    const conf = join(root, 'oauth2.conf')
    writeFileSync(conf, `introspection_mode = post\nintrospection_url = ${provider.introspectUrl}\nusername_attribute = username\nactive_attribute = active\nactive_value = true\nforce_introspection = yes\n`)
    d = await startDovecot({
      users: ['alice'],
      extraConfig: `auth_mechanisms = plain login oauthbearer xoauth2\npassdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = ${conf}\n}\n`,
    })
    await withImapClient(d.port, 'alice', (c) => c.append('INBOX', 'From: a@example.org\r\nSubject: signed in\r\nMessage-ID: <oauth-1@example.org>\r\n\r\nhello\r\n'))
  })
  after(async () => {
    await d?.stop()
    provider?.stop()
    rmSync(root, { recursive: true, force: true })
  })

  it('loopback flow with PKCE: the token is stored 0600, never shown, and a backup logs in with it', async () => {
    provider.consent = 'grant'
    const w = world()
    const { end, page } = await authByUrl(w)
    assert.equal(end.code, 0, end.stderr)
    assert.equal(page.status, 200)
    assert.match(page.text, /signed in/)
    const issued = provider.issuedRefresh.at(-1)!
    assert.equal(readFileSync(w.tokenFile, 'utf8'), `${issued}\n`)
    assert.equal(statSync(w.tokenFile).mode & 0o777, 0o600)
    assert.equal(statSync(join(w.tokenFile, '..')).mode & 0o777, 0o700)
    assertNoSecrets(end)
    assert.match(end.stderr, /Signed in: repository work-remote's refresh token was stored in .*work-remote\.refresh-token \(mode 0600\)/)
    const asked = provider.authorizeRequests.at(-1)!
    assert.equal(asked.get('scope'), 'mail offline')
    assert.equal(asked.get('login_hint'), 'alice')

    const info = await startCli(['info', 'work-remote', '--offline', '-c', w.config], w.env).ended
    assert.equal(info.code, 0, info.stderr)
    assert.ok(info.stdout.includes(`OAuth2 refresh at ${provider.tokenUrl} (refresh token from \`mailsync auth\`: ${w.tokenFile})`), info.stdout)
    assertNoSecrets(info)

    const backup = await startCli(['backup', 'work', '-c', w.config, '-d', 'imap'], w.env).ended
    assert.equal(backup.code, 0, backup.stderr)
    const refresh = provider.tokenRequests.filter((t) => t.form.grant_type === 'refresh_token').at(-1)!
    assert.equal(refresh.form.refresh_token, issued, 'the backup refreshed with the stored token')
    assert.equal(refresh.answer, 'ok')
    assert.ok(provider.introspected.includes(provider.issuedAccess.at(-1)!), 'Dovecot checked the access token refreshed from it')
    assert.match(backup.stderr, /AUTHENTICATE (XOAUTH2|OAUTHBEARER)/)
    const files = readdirSync(join(w.mail, 'INBOX', 'cur')).concat(readdirSync(join(w.mail, 'INBOX', 'new')))
    assert.equal(files.length, 1, 'the message was backed up')
    assertNoSecrets(backup)
  })

  it('opens the consent page with xdg-open where there is one', async () => {
    provider.consent = 'grant'
    const w = world()
    const bin = join(w.dir, 'bin')
    const opened = join(w.dir, 'opened-url')
    mkdirSync(bin)
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > ${opened}.tmp && mv ${opened}.tmp ${opened}\n`, { mode: 0o755 })
    const cli = startCli(['auth', 'work', '-c', w.config, '--timeout', '60'], { ...w.env, PATH: `${bin}:${process.env.PATH}` })
    await cli.waitForStderr(/Your browser should open the sign-in page/)
    while (!existsSync(opened)) await new Promise((r) => setTimeout(r, 50))
    const url = readFileSync(opened, 'utf8')
    assert.equal(url, CONSENT_URL.exec(cli.stderr())![1], 'the browser got the printed URL')
    assert.equal((await playBrowser(url)).status, 200)
    const end = await cli.ended
    assert.equal(end.code, 0, end.stderr)
    assert.equal(readFileSync(w.tokenFile, 'utf8'), `${provider.issuedRefresh.at(-1)!}\n`)
  })

  it('device flow: waits out authorization_pending and slow_down, then stores the token', async () => {
    provider.deviceScript = ['authorization_pending', 'slow_down', 'grant']
    const w = world()
    const before = provider.tokenRequests.length
    const end = await startCli(['auth', 'work', '-c', w.config, '--device'], w.env).ended
    assert.equal(end.code, 0, end.stderr)
    assert.match(end.stderr, new RegExp(`open ${provider.url}/activate and enter the code WDJB-MJHT`))
    const polls = provider.tokenRequests.slice(before)
    assert.deepEqual(polls.map((p) => p.answer), ['authorization_pending', 'slow_down', 'ok'])
    assert.ok(polls.every((p) => p.form.device_code === 'device-code-1' && p.form.client_secret === CLIENT_SECRET))
    assert.equal(readFileSync(w.tokenFile, 'utf8'), `${provider.issuedRefresh.at(-1)!}\n`)
    assert.equal(statSync(w.tokenFile).mode & 0o777, 0o600)
    assertNoSecrets(end)
  })

  it('--json: the device code and the outcome as events, the token in none of them', async () => {
    provider.deviceScript = ['grant']
    const w = world()
    const end = await startCli(['auth', 'work', '-c', w.config, '--device', '--json', '-d', 'all'], w.env).ended
    assert.equal(end.code, 0, end.stderr)
    const events = end.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    assert.deepEqual(events.map((e) => e.type), ['auth-device', 'auth-done'])
    assert.equal(events[0]!.user_code, 'WDJB-MJHT')
    assert.deepEqual(events[1], { type: 'auth-done', repository: 'work-remote', provider: 'custom', file: w.tokenFile })
    assert.equal(readFileSync(w.tokenFile, 'utf8'), `${provider.issuedRefresh.at(-1)!}\n`)
    assertNoSecrets(end)
  })

  it('no browser coming back within --timeout (77), or a --port in use (69): one line, the stored token untouched', async () => {
    const w = world()
    const good = storeGoodToken(w)
    const late = await startCli(['auth', 'work', '-c', w.config, '--no-browser', '--timeout', '1'], w.env).ended
    assertRefused(late, 77, /no sign-in came back from the browser within 1 s; nothing was stored/, w, good)
    const { createServer } = await import('node:net')
    const taken = createServer()
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r))
    try {
      const port = String((taken.address() as { port: number }).port)
      const busy = await startCli(['auth', 'work', '-c', w.config, '--no-browser', '--port', port], w.env).ended
      assertRefused(busy, 69, new RegExp(`cannot listen for the sign-in redirect on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\)`), w, good)
    } finally {
      taken.close()
    }
  })

  it('oauth2_refresh_token_store_cmd gets the token on stdin, and the refresh reads it back with oauth2_refresh_token_cmd', async () => {
    provider.consent = 'grant'
    const kept = join(root, `kept-${n + 1}`)
    const w = world(`oauth2_refresh_token_store_cmd = umask 077; cat > ${kept}\noauth2_refresh_token_cmd = cat ${kept}\n`)
    const { end } = await authByUrl(w)
    assert.equal(end.code, 0, end.stderr)
    assert.equal(readFileSync(kept, 'utf8'), `${provider.issuedRefresh.at(-1)!}\n`)
    assert.equal(existsSync(w.tokenFile), false, 'nothing in the state directory')
    assert.match(end.stderr, /stored in `umask 077; cat > /)
    assertNoSecrets(end)
    const backup = await startCli(['backup', 'work', '-c', w.config], w.env).ended
    assert.equal(backup.code, 0, backup.stderr)
    assert.equal(provider.tokenRequests.filter((t) => t.form.grant_type === 'refresh_token').at(-1)!.form.refresh_token, provider.issuedRefresh.at(-1))
  })

  it('a redirect with a state we did not send: exit 77, one line, the stored token untouched', async () => {
    provider.consent = 'wrong-state'
    const w = world()
    const good = storeGoodToken(w)
    const before = provider.tokenRequests.length
    const { end, page } = await authByUrl(w)
    assert.equal(page.status, 400)
    assertRefused(end, 77, /state this sign-in did not send.*nothing was stored/, w, good)
    assert.equal(provider.tokenRequests.length, before, 'the code that came with it was not redeemed')
  })

  it('a refused consent: exit 77, one line, the stored token untouched', async () => {
    provider.consent = 'deny'
    const w = world()
    const good = storeGoodToken(w)
    const before = provider.tokenRequests.length
    const { end } = await authByUrl(w)
    assertRefused(end, 77, /consent was refused \(access_denied\); nothing was stored/, w, good)
    assert.equal(provider.tokenRequests.length, before, 'no code was redeemed')
  })

  it('an expired device code: exit 77, one line, the stored token untouched', async () => {
    provider.deviceScript = ['authorization_pending', 'expired_token']
    const w = world()
    const good = storeGoodToken(w)
    const end = await startCli(['auth', 'work', '-c', w.config, '--device'], w.env).ended
    assertRefused(end, 77, /the device code expired before the sign-in was completed/, w, good)
  })

  it('a device sign-in the user refuses: exit 77', async () => {
    provider.deviceScript = ['access_denied']
    const w = world()
    const good = storeGoodToken(w)
    const end = await startCli(['auth', 'work', '-c', w.config, '--device'], w.env).ended
    assertRefused(end, 77, /consent was refused \(access_denied\)/, w, good)
  })

  it('a token endpoint that refuses the code (77) or fails (76): one line naming its error, the stored token untouched', async () => {
    provider.consent = 'grant'
    for (const [status, error, exit] of [[400, 'invalid_grant', 77], [503, 'temporarily_unavailable', 76]] as const) {
      provider.codeExchangeError = { status, error }
      const w = world()
      const good = storeGoodToken(w)
      const { end } = await authByUrl(w)
      assertRefused(end, exit, new RegExp(`refused to redeem the sign-in code \\(HTTP ${status} ${error}\\); nothing was stored`), w, good)
    }
    provider.codeExchangeError = undefined
  })

  it('settings that would ignore the stored token are refused before any sign-in (exit 78)', async () => {
    const before = provider.authorizeRequests.length
    for (const [extra, message] of [
      ['oauth2_refresh_token = old-token-in-config\n', /oauth2_refresh_token is set, and would be used instead/],
      ['oauth2_refresh_token_cmd = cat /nowhere\n', /oauth2_refresh_token_cmd is set, so a token stored in the state directory would not be used/],
      ['oauth2_refresh_token_store_cmd = cat > /dev/null\n', /no oauth2_refresh_token_cmd reads the token back/],
    ] as const) {
      const w = world(extra)
      const end = await startCli(['auth', 'work', '-c', w.config, '--no-browser'], w.env).ended
      assert.equal(end.code, 78, end.stderr)
      assert.match(end.stderr, message)
      assert.ok(!end.stderr.includes('old-token-in-config'))
    }
    assert.equal(provider.authorizeRequests.length, before, 'no sign-in was started')
  })
})

// OAuth2 end to end against a real Dovecot: its oauth2 passdb asks an introspection endpoint the
// test serves on 127.0.0.1; mailsync gets its access tokens from a token endpoint the test serves
// too. Covers the login, a token refreshed during a long run, and a refused token (tried once).
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDovecot, type DovecotInstance } from '../support/dovecot.js'
import { parseConfigText } from '../../src/config/index.js'
import { createRepository } from '../../src/repository/factory.js'
import { MailsyncError } from '../../src/errors.js'
import type { ImapRepository } from '../../src/repository/imap/imap-repository.js'

const REFRESH_TOKEN = 'refresh-token-never-logged'
const CLIENT_SECRET = 'client-secret-never-logged'

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let b = ''
    req.on('data', (d) => (b += d))
    req.on('end', () => resolve(b))
  })
}

async function listen(srv: Server): Promise<string> {
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  return `http://127.0.0.1:${(srv.address() as AddressInfo).port}`
}

/** Issues tok-1, tok-2, ... (each new one revokes the ones before) valid for `expiresIn` seconds. */
class Provider {
  issued: string[] = []
  introspected: string[] = []
  refreshForms: Record<string, string>[] = []
  expiresIn = 3600
  valid = new Map<string, string>()
  private servers: Server[] = []

  async start(): Promise<{ tokenUrl: string; introspectUrl: string }> {
    const token = createServer(async (req, res) => {
      const form = Object.fromEntries(new URLSearchParams(await body(req)))
      this.refreshForms.push(form)
      if (form.refresh_token !== REFRESH_TOKEN || form.client_secret !== CLIENT_SECRET) {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_grant"}')
        return
      }
      const t = `tok-${this.issued.length + 1}`
      this.issued.push(t)
      this.valid.clear()
      this.valid.set(t, form.login_hint ?? 'alice')
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: t, expires_in: this.expiresIn, token_type: 'Bearer' }))
    })
    const introspect = createServer(async (req, res) => {
      const form = Object.fromEntries(new URLSearchParams(await body(req)))
      const t = form.token ?? ''
      this.introspected.push(t)
      const user = this.valid.get(t)
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(user ? { active: 'true', username: user } : { active: 'false' }))
    })
    this.servers.push(token, introspect)
    return { tokenUrl: `${await listen(token)}/token`, introspectUrl: `${await listen(introspect)}/introspect` }
  }

  stop(): void {
    for (const s of this.servers) s.close()
  }
}

let d: DovecotInstance
let provider: Provider
let tokenUrl: string
let confDir: string

function oauthRepo(extra = ''): ImapRepository {
  const text = `[Repository Cloud]
type = IMAP
remotehost = 127.0.0.1
remoteport = ${d.tlsPort}
remoteuser = alice
sslcacertfile = ${d.certFile}
maxconnections = 2
oauth2_client_id = mailsync-test
oauth2_client_secret_cmd = echo ${CLIENT_SECRET}
oauth2_refresh_token = ${REFRESH_TOKEN}
oauth2_request_url = ${tokenUrl}
${extra}`
  const cfg = parseConfigText(text, '/rc', { home: d.dir, env: {} }).repositories.get('Cloud')!
  return createRepository(cfg, { env: {}, imapLogger: (l) => log.push(l), warn: () => undefined }) as ImapRepository
}

const log: string[] = []

describe('OAuth2 login against Dovecot', () => {
  before(async () => {
    provider = new Provider()
    const urls = await provider.start()
    tokenUrl = urls.tokenUrl
    confDir = mkdtempSync(join(tmpdir(), 'mailsync-oauth2-'))
    chmodSync(confDir, 0o755)
    const conf = join(confDir, 'oauth2.conf')
    writeFileSync(conf, `introspection_mode = post\nintrospection_url = ${urls.introspectUrl}\nusername_attribute = username\nactive_attribute = active\nactive_value = true\nforce_introspection = yes\n`)
    d = await startDovecot({
      users: ['alice'],
      extraConfig: `auth_mechanisms = plain login oauthbearer xoauth2\npassdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = ${conf}\n}\n`,
    })
  })
  after(async () => {
    await d?.stop()
    provider?.stop()
    rmSync(confDir, { recursive: true, force: true })
  })

  it('logs in with a refreshed access token (OAUTHBEARER), secrets never in the protocol log', async () => {
    const r = oauthRepo()
    try {
      const names = (await r.listFolders()).map((f) => f.name)
      assert.ok(names.includes('INBOX'), names.join(','))
    } finally {
      await r.close()
    }
    assert.equal(provider.refreshForms.length, 1)
    assert.equal(provider.refreshForms[0]!.grant_type, 'refresh_token')
    assert.deepEqual(provider.introspected, ['tok-1'], 'Dovecot checked the token mailsync got')
    assert.ok(log.some((l) => /AUTHENTICATE OAUTHBEARER/.test(l)), 'OAUTHBEARER was used')
    const all = log.join('\n')
    for (const secret of ['tok-1', REFRESH_TOKEN, CLIENT_SECRET]) assert.ok(!all.includes(secret), `${secret} is not logged`)
  })

  it('a connection opened after the token expired logs in with a new token', async () => {
    provider.expiresIn = 1
    const r = oauthRepo()
    try {
      const held = await r.openFolder('INBOX')
      const before = provider.issued.length
      // the token lives 1 s (renewed 100 ms early); the held connection keeps its session
      await new Promise((res) => setTimeout(res, 1100))
      const names = (await r.listFolders()).map((f) => f.name)
      assert.ok(names.includes('INBOX'))
      assert.equal(provider.issued.length, before + 1, 'one refresh for the second connection')
      assert.equal(provider.introspected.at(-1), provider.issued.at(-1), 'the second login used the new token')
      await held.list()
      await held.close()
    } finally {
      await r.close()
      provider.expiresIn = 3600
    }
  })

  it('a token the server refuses is one auth error naming repository, user and host; no retry', async () => {
    const r = oauthRepo('oauth2_access_token_cmd = echo revoked-token\n')
    const seen = provider.introspected.length
    try {
      const results = await Promise.allSettled([r.listFolders(), r.openFolder('INBOX'), r.folderStatus('INBOX')])
      for (const res of results) {
        assert.equal(res.status, 'rejected')
        const e = (res as PromiseRejectedResult).reason as MailsyncError
        assert.ok(e instanceof MailsyncError)
        assert.equal(e.kind, 'auth')
        assert.match(e.message, /repository Cloud: login as alice on 127\.0\.0\.1 refused/)
        assert.ok(!e.message.includes('revoked-token'))
      }
      assert.equal(provider.introspected.length - seen, 1, 'the server was asked once, not once per caller')
    } finally {
      await r.close()
    }
  })
})

// Where an IMAP repository's OAuth2 access token comes from (OfflineIMAP's option names):
// oauth2_access_token, oauth2_access_token_cmd, or a refresh: oauth2_client_id,
// oauth2_client_secret[_cmd], oauth2_refresh_token[_cmd], oauth2_request_url. A refreshed token
// is kept until shortly before it expires; a connection opened later in a long run gets a new one.
import type { RepositoryConfig } from '../config/index.js'
import { ConfigError } from '../errors.js'
import { refreshAccessToken } from './oauth2-refresh.js'
import { runSecretCommand } from './secret-command.js'
import { optionLocation } from './user-source.js'

export interface AccessTokenSource {
  /** Which source it is, for `info` (never a token). */
  describe: string
  /** A token valid now (fetched, or kept from before while it is still fresh). */
  get(): Promise<string>
}

export interface OAuth2Options {
  /** Clock, for tests. */
  now?: () => number
}

/** A token from a command is run again after this long (the command knows expiry, we do not). */
const COMMAND_TOKEN_TTL_MS = 10 * 60_000
/** Assumed lifetime when the endpoint does not say (expires_in). */
const DEFAULT_EXPIRES_IN_S = 3600

const REFRESH_OPTIONS = ['oauth2_client_id', 'oauth2_client_secret', 'oauth2_client_secret_cmd', 'oauth2_refresh_token', 'oauth2_refresh_token_cmd', 'oauth2_request_url'] as const

/** True when any oauth2_* option is set. */
export function usesOAuth2(repo: RepositoryConfig): boolean {
  return ['oauth2_access_token', 'oauth2_access_token_cmd', ...REFRESH_OPTIONS].some((o) => !!repo.get<string | undefined>(o))
}

export function accessTokenSource(repo: RepositoryConfig, opts: OAuth2Options = {}): AccessTokenSource | undefined {
  const now = opts.now ?? Date.now
  const where = (o: string) => optionLocation(repo, o)
  const fixed = repo.get<string | undefined>('oauth2_access_token')
  if (fixed) return { describe: 'oauth2_access_token (clear text in the config file)', get: async () => fixed }
  const cmd = repo.get<string | undefined>('oauth2_access_token_cmd')
  if (cmd) {
    return { describe: `oauth2_access_token_cmd \`${cmd}\``, get: cached(now, () => runSecretCommand(cmd, 'OAuth2 access token', where('oauth2_access_token_cmd')).then((token) => ({ token, ttlMs: COMMAND_TOKEN_TTL_MS }))) }
  }
  if (!REFRESH_OPTIONS.some((o) => !!repo.get<string | undefined>(o))) return undefined
  const url = repo.get<string | undefined>('oauth2_request_url')
  const clientId = repo.get<string | undefined>('oauth2_client_id')
  const missing = [
    url ? undefined : 'oauth2_request_url',
    clientId ? undefined : 'oauth2_client_id',
    repo.get('oauth2_refresh_token') || repo.get('oauth2_refresh_token_cmd') ? undefined : 'oauth2_refresh_token (or oauth2_refresh_token_cmd)',
  ].filter((x): x is string => !!x)
  if (missing.length) {
    throw new ConfigError(`OAuth2 refresh needs ${missing.join(', ')}`, { section: `Repository ${repo.name}` }, { hint: 'or set oauth2_access_token_cmd to a command that prints a valid access token' })
  }
  checkEndpoint(repo, url!)
  const secret = secretValue(repo, 'oauth2_client_secret', 'OAuth2 client secret')
  const refreshToken = secretValue(repo, 'oauth2_refresh_token', 'OAuth2 refresh token')
  return {
    describe: `OAuth2 refresh at ${url}`,
    get: cached(now, async () => {
      const got = await refreshAccessToken({ repository: repo.name, url: url!, clientId: clientId!, clientSecret: await secret(), refreshToken: (await refreshToken())! })
      const lifeMs = (got.expiresIn ?? DEFAULT_EXPIRES_IN_S) * 1000
      // renew a little before the end: a minute, or a tenth of a short lifetime
      return { token: got.token, ttlMs: Math.max(0, lifeMs - Math.min(60_000, lifeMs / 10)) }
    }),
  }
}

/** option or option_cmd; the command runs once and its answer is kept. */
function secretValue(repo: RepositoryConfig, option: string, what: string): () => Promise<string | undefined> {
  const value = repo.get<string | undefined>(option)
  if (value) return async () => value
  const cmd = repo.get<string | undefined>(`${option}_cmd`)
  if (!cmd) return async () => undefined
  let p: Promise<string> | undefined
  return () => (p ??= runSecretCommand(cmd, what, optionLocation(repo, `${option}_cmd`)).catch((err) => {
    p = undefined
    throw err
  }))
}

/** The client secret must not travel in clear text, except to a token endpoint on this machine. */
function checkEndpoint(repo: RepositoryConfig, url: string): void {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new ConfigError(`"${url}" is not a URL`, optionLocation(repo, 'oauth2_request_url'))
  }
  const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(u.hostname)
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) {
    throw new ConfigError(`the token endpoint must use https (got ${u.protocol}//${u.host})`, optionLocation(repo, 'oauth2_request_url'))
  }
}

/** One fetch at a time; the result is kept until its time-to-live passes. */
function cached(now: () => number, fetchToken: () => Promise<{ token: string; ttlMs: number }>): () => Promise<string> {
  let current: { token: string; until: number } | undefined
  let inflight: Promise<string> | undefined
  return () => {
    if (current && now() < current.until) return Promise.resolve(current.token)
    inflight ??= fetchToken().then(
      (t) => {
        current = { token: t.token, until: now() + t.ttlMs }
        inflight = undefined
        return t.token
      },
      (err) => {
        inflight = undefined
        throw err
      },
    )
    return inflight
  }
}

// Where an IMAP repository's OAuth2 access token comes from (OfflineIMAP's option names):
// oauth2_access_token, oauth2_access_token_cmd, or a refresh: oauth2_client_id,
// oauth2_client_secret[_cmd], oauth2_refresh_token[_cmd], oauth2_request_url. A refreshed token
// is kept until shortly before it expires; a connection opened later in a long run gets a new one.
// With no refresh token configured, the one `mailsync auth` stored in the state directory is used,
// and the token endpoint may come from the oauth2_provider preset.
import type { RepositoryConfig } from '../config/index.js'
import { existsSync } from 'node:fs'
import { ConfigError } from '../errors.js'
import { checkEndpointUrl, oauth2Endpoints } from './oauth2-providers.js'
import { refreshAccessToken } from './oauth2-refresh.js'
import { readStoredToken, storedTokenPath, writeStoredToken } from './refresh-token-store.js'
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
  /** The state directory, where `mailsync auth` stores refresh tokens ([general] metadata). */
  stateDir?: string
}

/** A token from a command is run again after this long (the command knows expiry, we do not). */
const COMMAND_TOKEN_TTL_MS = 10 * 60_000
/** Assumed lifetime when the endpoint does not say (expires_in). */
const DEFAULT_EXPIRES_IN_S = 3600

const REFRESH_OPTIONS = ['oauth2_client_id', 'oauth2_client_secret', 'oauth2_client_secret_cmd', 'oauth2_refresh_token', 'oauth2_refresh_token_cmd', 'oauth2_request_url'] as const

/** True when any oauth2_* option is set. */
export function usesOAuth2(repo: RepositoryConfig): boolean {
  return ['oauth2_access_token', 'oauth2_access_token_cmd', ...REFRESH_OPTIONS].some((o) => !!repo.get<string | undefined>(o)) || repo.isSet('oauth2_provider')
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
  const configuredRefresh = !!(repo.get('oauth2_refresh_token') || repo.get('oauth2_refresh_token_cmd'))
  // a refresh token `mailsync auth` stored, used when the config names none
  const storedFile = !configuredRefresh && opts.stateDir ? storedTokenPath(opts.stateDir, repo.name) : undefined
  const stored = storedFile !== undefined && existsSync(storedFile)
  if (!REFRESH_OPTIONS.some((o) => !!repo.get<string | undefined>(o)) && !stored && !repo.isSet('oauth2_provider')) return undefined
  const url = oauth2Endpoints(repo).tokenUrl
  const clientId = repo.get<string | undefined>('oauth2_client_id')
  const missing = [
    url ? undefined : 'oauth2_request_url',
    clientId ? undefined : 'oauth2_client_id',
    configuredRefresh || stored ? undefined : `oauth2_refresh_token (or oauth2_refresh_token_cmd, or a token stored by \`mailsync auth ${repo.name}\`)`,
  ].filter((x): x is string => !!x)
  if (missing.length) {
    throw new ConfigError(`OAuth2 refresh needs ${missing.join(', ')}`, { section: `Repository ${repo.name}` }, {
      hint: configuredRefresh || stored ? 'or set oauth2_access_token_cmd to a command that prints a valid access token' : `sign in with \`mailsync auth ${repo.name}\`, or set oauth2_access_token_cmd to a command that prints a valid access token`,
    })
  }
  checkEndpointUrl(repo, url!, 'oauth2_request_url')
  const secret = secretValue(repo, 'oauth2_client_secret', 'OAuth2 client secret')
  let refreshToken = stored ? storedValue(storedFile!) : secretValue(repo, 'oauth2_refresh_token', 'OAuth2 refresh token')
  return {
    describe: stored ? `OAuth2 refresh at ${url} (refresh token from \`mailsync auth\`: ${storedFile})` : `OAuth2 refresh at ${url}`,
    get: cached(now, async () => {
      const got = await refreshAccessToken({
        repository: repo.name, url: url!, clientId: clientId!, clientSecret: await secret(), refreshToken: (await refreshToken())!,
        revokedHint: stored ? `the refresh token was revoked or expired: sign in again with \`mailsync auth ${repo.name}\`` : undefined,
      })
      if (stored && got.refreshToken) {
        // the provider rotated it (Microsoft does): keep the new one, here and on disk
        const fresh = got.refreshToken
        refreshToken = async () => fresh
        try {
          writeStoredToken(storedFile!, fresh)
        } catch {
          // the old one stays on disk; providers that rotate keep it valid for a while
        }
      }
      const lifeMs = (got.expiresIn ?? DEFAULT_EXPIRES_IN_S) * 1000
      // renew a little before the end: a minute, or a tenth of a short lifetime
      return { token: got.token, ttlMs: Math.max(0, lifeMs - Math.min(60_000, lifeMs / 10)) }
    }),
  }
}

/** The stored token, read once (a file others may read is refused then). */
function storedValue(file: string): () => Promise<string | undefined> {
  let value: string | undefined
  return async () => (value ??= readStoredToken(file))
}

/** option or option_cmd; the command runs once and its answer is kept. */
export function secretValue(repo: RepositoryConfig, option: string, what: string): () => Promise<string | undefined> {
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

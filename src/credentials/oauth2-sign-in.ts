// `mailsync auth ACCOUNT|REPOSITORY`: check the repository's OAuth2 settings, run the sign-in
// (the loopback flow, or the device flow), and keep the refresh token where the token refresh
// will find it (the state directory, or oauth2_refresh_token_store_cmd). Everything about the
// settings is checked before the browser is sent anywhere, so a sign-in never ends in a token
// that would not be used.
import type { LoadedConfig, RepositoryConfig } from '../config/index.js'
import { resolveRepository } from '../config/index.js'
import { ConfigError, MailsyncError } from '../errors.js'
import { deviceFlow, type DeviceCodeShown } from './oauth2-device.js'
import { authorizationCodeFlow } from './oauth2-loopback.js'
import { checkEndpointUrl, oauth2Endpoints, type OAuth2Endpoints } from './oauth2-providers.js'
import { secretValue } from './oauth2-source.js'
import { handTokenToCommand, storedTokenPath, writeStoredToken } from './refresh-token-store.js'
import { optionLocation, userSource } from './user-source.js'

export interface SignInRequest {
  config: LoadedConfig
  /** An [Account] (its remote repository), a [Repository], or a repository URL. */
  target: string
  device: boolean
  port?: number
  timeoutSeconds: number
  /** The consent page's URL, once the redirect listener is up. */
  showUrl: (url: string) => void
  showDeviceCode: (d: DeviceCodeShown) => void
}

export interface SignInResult {
  repository: string
  provider: string
  /** Where the refresh token went: a file (mode 0600) or a command. */
  storedIn: { file: string } | { command: string }
}

/** The IMAP repository `auth` signs in: an account's remote one, or the one named. */
export function signInRepository(config: LoadedConfig, target: string): RepositoryConfig {
  const account = config.accounts.get(target)
  const repo = account ? account.remote : resolveRepository(config, target)
  if (repo.type !== 'IMAP') throw new MailsyncError('usage', `repository ${repo.name} is a ${repo.type} repository: only IMAP repositories sign in`, { hint: 'name the account, or its IMAP repository' })
  return repo
}

/** Settings that would make the refresh ignore what `auth` stores, or store nothing usable. */
function checkTokenSettings(repo: RepositoryConfig): void {
  const where = (o: string) => optionLocation(repo, o)
  for (const o of ['oauth2_access_token', 'oauth2_access_token_cmd', 'oauth2_refresh_token']) {
    if (repo.get<string | undefined>(o)) throw new ConfigError(`${o} is set, and would be used instead of the refresh token mailsync auth gets`, where(o), { hint: `remove ${o}, then sign in again` })
  }
  const read = repo.get<string | undefined>('oauth2_refresh_token_cmd')
  const store = repo.get<string | undefined>('oauth2_refresh_token_store_cmd')
  if (read && !store) throw new ConfigError('oauth2_refresh_token_cmd is set, so a token stored in the state directory would not be used', where('oauth2_refresh_token_cmd'), { hint: 'set oauth2_refresh_token_store_cmd to the command that stores what oauth2_refresh_token_cmd prints (e.g. pass insert -m -f NAME), or remove oauth2_refresh_token_cmd' })
  if (store && !read) throw new ConfigError('oauth2_refresh_token_store_cmd is set, but no oauth2_refresh_token_cmd reads the token back', where('oauth2_refresh_token_store_cmd'), { hint: 'set oauth2_refresh_token_cmd to the command that prints what the store command keeps (e.g. pass show NAME)' })
}

const REGISTER_HINT: Record<string, string> = {
  google: 'register an OAuth client of type "Desktop app" in the Google Cloud console (APIs & Services, Credentials) and set oauth2_client_id and oauth2_client_secret',
  microsoft: 'register an app in Microsoft Entra (App registrations: public client, redirect URI http://localhost, IMAP.AccessAsUser.All) and set oauth2_client_id',
  custom: 'set the client id the provider gave you',
}

function requiredEndpoints(repo: RepositoryConfig, e: OAuth2Endpoints, device: boolean): { start: string; token: string; scope: string } {
  const missing: string[] = []
  const start = device ? e.deviceUrl : e.authorizeUrl
  if (!start) missing.push(device ? 'oauth2_device_url' : 'oauth2_authorize_url')
  if (!e.tokenUrl) missing.push('oauth2_request_url')
  if (!e.scope) missing.push('oauth2_scope')
  if (missing.length) {
    const host = repo.get<string | undefined>('remotehost')
    throw new ConfigError(`signing in needs ${missing.join(', ')}`, { section: repo.fromUrl ? repo.name : `Repository ${repo.name}` }, {
      hint: e.provider === 'custom' ? `${host ?? 'the host'} is not a provider mailsync knows: set oauth2_provider = google or microsoft, or the URLs of your provider` : undefined,
    })
  }
  checkEndpointUrl(repo, start!, device ? 'oauth2_device_url' : 'oauth2_authorize_url')
  checkEndpointUrl(repo, e.tokenUrl!, 'oauth2_request_url')
  return { start: start!, token: e.tokenUrl!, scope: e.scope! }
}

export async function signIn(req: SignInRequest): Promise<SignInResult> {
  const repo = signInRepository(req.config, req.target)
  checkTokenSettings(repo)
  const e = oauth2Endpoints(repo)
  const urls = requiredEndpoints(repo, e, req.device)
  const clientId = repo.get<string | undefined>('oauth2_client_id')
  if (!clientId) throw new ConfigError('signing in needs oauth2_client_id', optionLocation(repo, 'oauth2_client_id'), { hint: REGISTER_HINT[e.provider] })
  const clientSecret = await secretValue(repo, 'oauth2_client_secret', 'OAuth2 client secret')()
  let loginHint: string | undefined
  try {
    loginHint = userSource(repo, req.config.env)?.get()
  } catch {
    loginHint = undefined
  }
  const tokens = req.device
    ? await deviceFlow({ repository: repo.name, deviceUrl: urls.start, tokenUrl: urls.token, clientId, clientSecret, scope: urls.scope, show: req.showDeviceCode })
    : await authorizationCodeFlow({
      repository: repo.name, authorizeUrl: urls.start, tokenUrl: urls.token, clientId, clientSecret, scope: urls.scope, authorizeParams: e.authorizeParams,
      loginHint, port: req.port, timeoutMs: req.timeoutSeconds * 1000, show: req.showUrl,
    })
  const store = repo.get<string | undefined>('oauth2_refresh_token_store_cmd')
  if (store) {
    await handTokenToCommand(store, tokens.refreshToken, optionLocation(repo, 'oauth2_refresh_token_store_cmd'), { MAILSYNC_REPOSITORY: repo.name, ...(loginHint ? { MAILSYNC_USER: loginHint } : {}) })
    return { repository: repo.name, provider: e.provider, storedIn: { command: store } }
  }
  const file = storedTokenPath(req.config.general.get<string>('metadata'), repo.name)
  writeStoredToken(file, tokens.refreshToken)
  return { repository: repo.name, provider: e.provider, storedIn: { file } }
}

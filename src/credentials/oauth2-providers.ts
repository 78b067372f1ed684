// Whose OAuth2 endpoints a repository signs in with: the Google and Microsoft presets, or a
// custom provider, each URL overridable by an oauth2_* option. The preset comes from
// oauth2_provider, else from the repository's preset, type or host (Gmail, Office 365).
//
// Google (OAuth 2.0 for desktop apps, and for TV and limited-input devices): authorization at
// accounts.google.com/o/oauth2/v2/auth, tokens at oauth2.googleapis.com/token, device codes at
// oauth2.googleapis.com/device/code; IMAP needs the scope https://mail.google.com/, and a refresh
// token is only issued with access_type=offline (prompt=consent issues one again on a re-run).
// Microsoft identity platform v2: login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize,
// /token and /devicecode; IMAP needs https://outlook.office.com/IMAP.AccessAsUser.All, and a
// refresh token needs offline_access.
import type { RepositoryConfig } from '../config/index.js'
import { ConfigError } from '../errors.js'
import { optionLocation } from './user-source.js'

export type ProviderName = 'google' | 'microsoft' | 'custom'

export interface OAuth2Endpoints {
  provider: ProviderName
  /** Why this provider: `oauth2_provider`, `preset gmail`, `type Gmail`, `host imap.gmail.com`, or `default`. */
  chosenBy: string
  authorizeUrl?: string
  tokenUrl?: string
  deviceUrl?: string
  scope?: string
  /** Extra query parameters of the authorization request. */
  authorizeParams: Record<string, string>
}

interface Preset {
  authorizeUrl: string
  tokenUrl: string
  deviceUrl: string
  scope: string
  authorizeParams: Record<string, string>
}

function preset(provider: ProviderName, tenant: string): Preset | undefined {
  if (provider === 'google') {
    return {
      authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenUrl: 'https://oauth2.googleapis.com/token',
      deviceUrl: 'https://oauth2.googleapis.com/device/code',
      scope: 'https://mail.google.com/',
      authorizeParams: { access_type: 'offline', prompt: 'consent' },
    }
  }
  if (provider === 'microsoft') {
    const base = `https://login.microsoftonline.com/${encodeURIComponent(tenant)}/oauth2/v2.0`
    return {
      authorizeUrl: `${base}/authorize`,
      tokenUrl: `${base}/token`,
      deviceUrl: `${base}/devicecode`,
      scope: 'https://outlook.office.com/IMAP.AccessAsUser.All offline_access',
      authorizeParams: {},
    }
  }
  return undefined
}

const GOOGLE_HOSTS = ['imap.gmail.com', 'imap.googlemail.com']
const MICROSOFT_HOSTS = ['outlook.office365.com', 'outlook.office.com']

/** The provider a repository uses, and what chose it. */
export function chooseProvider(repo: RepositoryConfig): { provider: ProviderName; chosenBy: string } {
  const set = repo.get<ProviderName | undefined>('oauth2_provider')
  if (set) return { provider: set, chosenBy: 'oauth2_provider' }
  // `preset = gmail` / `preset = microsoft365` names the provider even where the host is the
  // user's own (a custom domain in front of Gmail or Exchange Online), so it comes before the host
  const named = repo.get<string | undefined>('preset')
  if (named === 'gmail') return { provider: 'google', chosenBy: 'preset gmail' }
  if (named === 'microsoft365') return { provider: 'microsoft', chosenBy: 'preset microsoft365' }
  if (repo.declaredType.startsWith('gmail')) return { provider: 'google', chosenBy: `type ${repo.declaredType}` }
  const host = (repo.get<string | undefined>('remotehost') ?? '').toLowerCase()
  if (GOOGLE_HOSTS.includes(host)) return { provider: 'google', chosenBy: `host ${host}` }
  if (MICROSOFT_HOSTS.includes(host)) return { provider: 'microsoft', chosenBy: `host ${host}` }
  return { provider: 'custom', chosenBy: 'default' }
}

/** The endpoints in effect: each oauth2_* URL option, else the preset's. */
export function oauth2Endpoints(repo: RepositoryConfig): OAuth2Endpoints {
  const { provider, chosenBy } = chooseProvider(repo)
  const p = preset(provider, repo.get<string | undefined>('oauth2_tenant') ?? 'common')
  const opt = (name: string) => repo.get<string | undefined>(name) || undefined
  return {
    provider,
    chosenBy,
    authorizeUrl: opt('oauth2_authorize_url') ?? p?.authorizeUrl,
    tokenUrl: opt('oauth2_request_url') ?? p?.tokenUrl,
    deviceUrl: opt('oauth2_device_url') ?? p?.deviceUrl,
    scope: opt('oauth2_scope') ?? p?.scope,
    authorizeParams: p?.authorizeParams ?? {},
  }
}

/** The endpoint URLs go over https, or plain http to this machine only (tests, local helpers). */
export function checkEndpointUrl(repo: RepositoryConfig, url: string, option: string): URL {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new ConfigError(`"${url}" is not a URL`, optionLocation(repo, option))
  }
  const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(u.hostname)
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) {
    throw new ConfigError(`the OAuth2 endpoint must use https (got ${u.protocol}//${u.host})`, optionLocation(repo, option))
  }
  return u
}

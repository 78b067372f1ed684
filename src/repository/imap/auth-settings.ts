// How an IMAP repository logs in, from auth_mechanisms and the oauth2_* settings.
import type { RepositoryConfig } from '../../config/index.js'
import { ConfigError } from '../../errors.js'
import type { ImapAuthOptions } from './options.js'

const OAUTH = ['XOAUTH2', 'OAUTHBEARER']
const PASSWORD = ['PLAIN', 'LOGIN']
export const SUPPORTED_MECHANISMS = [...OAUTH, ...PASSWORD]

export function authOptions(cfg: RepositoryConfig, token: { get(): Promise<string> } | undefined): ImapAuthOptions {
  const s = cfg.settings.auth_mechanisms
  const where = { file: s?.file, line: s?.line, section: cfg.fromUrl ? cfg.name : `Repository ${cfg.name}`, option: 'auth_mechanisms' }
  const wanted = (cfg.get<string[] | undefined>('auth_mechanisms') ?? ['XOAUTH2', 'PLAIN', 'LOGIN']).map((m) => m.trim().toUpperCase()).filter((m) => m)
  const known = wanted.filter((m) => SUPPORTED_MECHANISMS.includes(m))
  if (known.length === 0) {
    throw new ConfigError(`none of the mechanisms ${wanted.join(', ')} is supported (CRAM-MD5 and GSSAPI are not)`, where, {
      hint: `use ${SUPPORTED_MECHANISMS.join(', ')}; PLAIN and LOGIN are safe over TLS`,
    })
  }
  const oauth = known.some((m) => OAUTH.includes(m))
  if (token && oauth) return { accessToken: () => token.get() }
  const password = known.filter((m) => PASSWORD.includes(m))
  if (password.length === 0) {
    throw new ConfigError(`auth_mechanisms allows only ${known.join(', ')}, but no oauth2_* setting gives a token`, where, {
      hint: 'set oauth2_access_token_cmd, or oauth2_client_id + oauth2_refresh_token + oauth2_request_url; or allow PLAIN/LOGIN',
    })
  }
  // PLAIN first (or both): imapflow picks AUTHENTICATE PLAIN, then LOGIN, then the LOGIN command.
  if (password[0] === 'PLAIN') return password.length === 1 ? { loginMethod: 'AUTH=PLAIN' } : {}
  return password.length === 1 ? { loginMethod: 'LOGIN' } : { loginMethod: 'AUTH=LOGIN' }
}

// How an IMAP repository logs in, from auth_mechanisms and the oauth2_* settings.
import type { RepositoryConfig } from '../../config/index.js'
import { ConfigError } from '../../errors.js'
import type { ImapAuthOptions } from './options.js'

const OAUTH = ['XOAUTH2', 'OAUTHBEARER']
const PASSWORD = ['CRAM-MD5', 'PLAIN', 'LOGIN']
export const SUPPORTED_MECHANISMS = [...OAUTH, ...PASSWORD]

export function authOptions(cfg: RepositoryConfig, token: { get(): Promise<string> } | undefined): ImapAuthOptions {
  const s = cfg.settings.auth_mechanisms
  const where = { file: s?.file, line: s?.line, section: cfg.fromUrl ? cfg.name : `Repository ${cfg.name}`, option: 'auth_mechanisms' }
  const wanted = (cfg.get<string[] | undefined>('auth_mechanisms') ?? ['XOAUTH2', 'PLAIN', 'LOGIN']).map((m) => m.trim().toUpperCase()).filter((m) => m)
  const known = wanted.filter((m) => SUPPORTED_MECHANISMS.includes(m))
  if (known.length === 0) {
    throw new ConfigError(`none of the mechanisms ${wanted.join(', ')} is supported (GSSAPI is not)`, where, {
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
  const admin = adminLogin(cfg)
  if (admin?.form === 'authzid') {
    if (!password.includes('PLAIN')) {
      throw new ConfigError(`authuser logs in with SASL PLAIN (its authorization identity names the mailbox), but auth_mechanisms allows only ${known.join(', ')}`, where, {
        hint: 'add PLAIN to auth_mechanisms, or set authuserseparator for a server that takes user*admin logins',
      })
    }
    return { loginMethod: 'AUTH=PLAIN', authUser: admin.authUser }
  }
  // CRAM-MD5 where offered, when listed before PLAIN/LOGIN (or alone: then nothing else)
  if (password[0] === 'CRAM-MD5') {
    const rest = plainOrLogin(password.slice(1))
    return rest ? { cramMd5: 'prefer', ...rest } : { cramMd5: 'only' }
  }
  return plainOrLogin(password)!
}

/** PLAIN first (or both): imapflow picks AUTHENTICATE PLAIN, then LOGIN, then the LOGIN command. */
function plainOrLogin(list: string[]): ImapAuthOptions | undefined {
  const l = list.filter((m) => m !== 'CRAM-MD5')
  if (l.length === 0) return undefined
  if (l[0] === 'PLAIN') return l.length === 1 ? { loginMethod: 'AUTH=PLAIN' } : {}
  return l.length === 1 ? { loginMethod: 'LOGIN' } : { loginMethod: 'AUTH=LOGIN' }
}

/**
 * The admin login a repository asks for (authuser): by authorization identity, or by Dovecot's
 * `user*master` login name (authuserseparator); undefined without authuser.
 */
export function adminLogin(cfg: RepositoryConfig): { authUser: string; form: 'authzid' } | { authUser: string; form: 'separator'; separator: string } | undefined {
  const authUser = cfg.get<string | undefined>('authuser')?.trim()
  if (!authUser) return undefined
  const separator = cfg.get<string | undefined>('authuserseparator')
  return separator ? { authUser, form: 'separator', separator } : { authUser, form: 'authzid' }
}

/** The login name for `user` under an admin login of the separator form (alice*admin); else `user`. */
export function loginName(cfg: RepositoryConfig, user: string): string {
  const admin = adminLogin(cfg)
  return admin?.form === 'separator' ? `${user}${admin.separator}${admin.authUser}` : user
}

// For `mailsync info`: where an IMAP repository's login name and password (or OAuth2 token) would
// come from, without reading any secret or running any command. Never throws.
import type { RepositoryConfig } from '../config/index.js'
import { accessTokenSource } from './oauth2-source.js'
import { passwordSource } from './password-source.js'
import { userSource } from './user-source.js'

export interface CredentialDescription {
  /** e.g. `remoteuser`, `remoteusercmd \`...\``, or undefined when none is set. */
  user?: string
  /** e.g. `remotepasscmd \`pass Mail/work\``, `OAuth2 refresh at https://...`, or undefined. */
  secret?: string
}

export function describeCredentials(repo: RepositoryConfig, env: Record<string, string | undefined>, opts: { interactive?: boolean; stateDir?: string } = {}): CredentialDescription {
  if (repo.type !== 'IMAP') return {}
  const safe = <T>(f: () => T): T | undefined => {
    try {
      return f()
    } catch {
      return undefined
    }
  }
  const oauth = safe(() => accessTokenSource(repo, { stateDir: opts.stateDir })?.describe)
  return {
    user: safe(() => userSource(repo, env)?.describe),
    secret: oauth ?? safe(() => passwordSource(repo, env, opts)?.describe),
  }
}

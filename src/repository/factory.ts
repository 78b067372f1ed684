// Builds a Repository from its configuration. The only place that knows every repository kind;
// the engine sees only the Repository interface.
import { readFileSync } from 'node:fs'
import type { RepositoryConfig } from '../config/index.js'
import { ConfigError } from '../errors.js'
import type { Repository } from './types.js'
import { MaildirRepository } from './maildir/maildir-repository.js'
import { ImapRepository } from './imap/imap-repository.js'
import type { TlsMode } from './imap/options.js'
import { missingPassword, passwordSource } from '../credentials/password-source.js'

export interface FactoryContext {
  env: Record<string, string | undefined>
  /** Protocol debug log for IMAP (secrets masked by the IMAP layer). */
  imapLogger?: (line: string) => void
  /** Create the Maildir root when missing (backup targets). */
  createRoot?: boolean
}

export function createRepository(cfg: RepositoryConfig, ctx: FactoryContext): Repository {
  if (cfg.type === 'Maildir') {
    return new MaildirRepository({
      name: cfg.name,
      root: cfg.get<string>('localfolders'),
      sep: cfg.get<string>('sep'),
      layout: cfg.get<'verbatim' | 'maildir++'>('maildir_layout'),
      readOnly: cfg.get<boolean>('readonly'),
      keywordLetters: cfg.get<Record<string, string>>('keywords'),
      maxConnections: cfg.get<number>('maxconnections'),
      createRoot: ctx.createRoot ?? true,
    })
  }
  const ssl = cfg.get<boolean>('ssl')
  const starttls = cfg.get<boolean>('starttls')
  const mode: TlsMode = ssl ? 'implicit' : starttls ? 'starttls' : 'none'
  const caFile = cfg.get<string | undefined>('sslcacertfile')
  let ca: Buffer | undefined
  if (caFile && caFile !== 'OS-DEFAULT') {
    try {
      ca = readFileSync(caFile)
    } catch {
      throw new ConfigError(`cannot read sslcacertfile ${caFile}`, { section: `Repository ${cfg.name}`, option: 'sslcacertfile' })
    }
  }
  const source = passwordSource(cfg, ctx.env)
  const user = cfg.get<string | undefined>('remoteuser')
  if (!user) throw new ConfigError(`repository ${cfg.name}: remoteuser is not set`, { section: `Repository ${cfg.name}`, option: 'remoteuser' })
  const timeout = cfg.get<number | undefined>('timeout')
  return new ImapRepository({
    name: cfg.name,
    host: cfg.get<string>('remotehost'),
    port: cfg.get<number | undefined>('remoteport'),
    user,
    password: async () => {
      if (!source) throw missingPassword(cfg)
      return source.get()
    },
    tls: {
      mode,
      ca,
      fingerprints: cfg.get<string[] | undefined>('cert_fingerprint'),
      minVersion: cfg.get<string | undefined>('ssl_version') === 'tls1_3' ? 'TLSv1.3' : undefined,
    },
    maxConnections: cfg.get<number>('maxconnections'),
    readOnly: cfg.get<boolean>('readonly'),
    logger: ctx.imapLogger,
    socketTimeoutMs: timeout ? timeout * 1000 : undefined,
  })
}

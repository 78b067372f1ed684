// One batch row as an account `migrate` can run: its two IMAP repositories, built from a
// [Repository] section of the config whose remotehost (and remoteport, where both say one) is the
// row's host when there is one (the per-host template: TLS settings, certificates, an admin login
// with authuser, a password from remotepassfile / remotepasscmd / MAILSYNC_PASS_<NAME>), else from
// the row alone. The row's user, password (when its column has one), port and tls win over the
// template. The account is named as `migrate SOURCE TARGET` names it, so a batch row and a single
// migrate of the same pair share one status cache.
import { adHocAccountName } from '../cli/choose-accounts.js'
import { accountFor, repositoryFromUrl, type AccountConfig, type LoadedConfig, type RepositoryConfig } from '../config/index.js'
import { ConfigError } from '../errors.js'
import type { BatchRow, BatchSide, BatchTls } from './batch-file.js'
import { addDemand, serverKey } from './connection-budget.js'

export interface RowAccount {
  account: AccountConfig
  /** Connections this mailbox may open, per server. */
  demand: Map<string, number>
  /** imap(s)://user@host:port of each side (no password), for output. */
  source: string
  target: string
}

/** `maxConnections`: the most connections one mailbox opens on each side. */
export function rowAccount(config: LoadedConfig, row: BatchRow, maxConnections: number): RowAccount {
  if (row.prefix !== undefined) {
    throw new ConfigError(`line ${row.line}: the prefix column is not supported yet`, { section: `line ${row.line}` }, { hint: 'leave prefix empty, or migrate this mailbox alone with a nametrans in a [Repository] section' })
  }
  const source = sideRepository(config, row.source, row, maxConnections, 'source')
  const target = sideRepository(config, row.target, row, maxConnections, 'target')
  const name = adHocAccountName(source.display, target.display)
  const account = accountFor(config, name, target.repo, source.repo)
  const demand = addDemand(addDemand(new Map(), source.server, maxConnections), target.server, maxConnections)
  return { account, demand, source: source.display, target: target.display }
}

function sideRepository(config: LoadedConfig, side: BatchSide, row: BatchRow, maxConnections: number, which: 'source' | 'target') {
  const template = templateFor(config, side)
  const templateTls: BatchTls | undefined = template
    ? template.get<boolean>('ssl') ? 'imaps' : template.get<boolean>('starttls') ? 'starttls' : 'none'
    : undefined
  const port = side.port ?? (template && !side.tls ? template.get<number | undefined>('remoteport') : undefined)
  const tls: BatchTls = side.tls ?? templateTls ?? (port === 143 ? 'starttls' : 'imaps')
  const realPort = port ?? (tls === 'imaps' ? 993 : 143)
  const scheme = tls === 'imaps' ? 'imaps' : 'imap'
  const display = `${scheme}://${side.user}@${side.host.includes(':') ? `[${side.host}]` : side.host}:${realPort}`
  const where = { section: `line ${row.line} (${which})` }
  const base = template ?? repositoryFromUrl(`${scheme}://${encodeURIComponent(side.user)}@${side.host.includes(':') ? `[${side.host}]` : side.host}:${realPort}`, { home: config.home, env: config.env, warnings: config.warnings }, where)
  if (!base) throw new ConfigError(`the ${which} host ${side.host} is not a usable host name`, where)
  const repo: RepositoryConfig = base.withOverrides({
    remotehost: side.host,
    remoteport: realPort,
    remoteuser: side.user,
    ssl: tls === 'imaps',
    starttls: tls === 'starttls',
    maxconnections: maxConnections,
    ...(side.password !== undefined ? { remotepass: side.password } : {}),
  })
  return { repo, display, server: serverKey(side.host, realPort) }
}

/** The config's IMAP [Repository] for this host (and port, when both give one). */
function templateFor(config: LoadedConfig, side: BatchSide): RepositoryConfig | undefined {
  for (const repo of config.repositories.values()) {
    if (repo.type !== 'IMAP') continue
    const host = repo.get<string | undefined>('remotehost')
    if (!host || host.toLowerCase() !== side.host.toLowerCase()) continue
    const port = repo.settings.remoteport?.source === 'default' ? undefined : repo.get<number | undefined>('remoteport')
    if (side.port !== undefined && port !== undefined && port !== side.port) continue
    return repo
  }
  return undefined
}

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
  const source = sideRepository(config, row.source, row, maxConnections, 'source')
  const target = sideRepository(config, row.target, row, maxConnections, 'target')
  const name = adHocAccountName(source.display, target.display)
  const [sourceRepo, targetRepo] = row.prefix === undefined ? [source.repo, target.repo] : underPrefix(row.prefix, row, source.repo, target.repo)
  const account = accountFor(config, name, targetRepo, sourceRepo)
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

/**
 * The row's `prefix`: every source folder goes under that folder on the target (levels written
 * with '/', in the target's own separator there), INBOX too (`Old/INBOX`), and only the target's
 * folders under it take part. Each repository's folder functions are given its own hierarchy
 * separator by the pairing, so this works whatever separators the two servers use; a template's
 * own folderfilter and nametrans still apply first.
 */
function underPrefix(prefix: string, row: BatchRow, source: RepositoryConfig, target: RepositoryConfig): [RepositoryConfig, RepositoryConfig] {
  const levels = prefix.replace(/^\/+|\/+$/g, '').split('/').map((l) => l.trim())
  if (levels.some((l) => l === '')) {
    throw new ConfigError(`line ${row.line}: the prefix ${JSON.stringify(prefix)} has an empty level`, { section: `line ${row.line}` }, { hint: 'write the target folder\'s levels with "/", e.g. Archive/Old' })
  }
  const head = (sep: string) => levels.join(sep)
  const sourceWithPrefix = source.withOverrides({
    nametrans: (name: string, sep = '/') => `${head(sep)}${sep}${source.nametrans(name, sep)}`,
  })
  const targetUnderPrefix = target.withOverrides({
    folderfilter: (name: string, sep = '/') => name.startsWith(head(sep) + sep) && target.folderfilter(name, sep),
    nametrans: (name: string, sep = '/') => target.nametrans(name.startsWith(head(sep) + sep) ? name.slice(head(sep).length + sep.length) : name, sep),
  })
  return [sourceWithPrefix, targetUnderPrefix]
}

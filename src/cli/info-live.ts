// What `mailsync info` learns beyond the config: for each repository what the server or store
// says (TLS certificate, capabilities, separator, folders), for each account the folder mapping
// both ways and the status cache figures. Strictly read-only: LIST and CAPABILITY on IMAP, a
// directory listing on Maildir, and the status cache only read when it already exists.
import { existsSync } from 'node:fs'
import type { AccountConfig, LoadedConfig, RepositoryConfig } from '../config/index.js'
import type { FolderInfo } from '../repository/types.js'
import type { MappingReport } from '../engine/folder-mapping-report.js'
import type { TlsMode } from '../repository/imap/options.js'

export interface LiveRepository {
  name: string
  type: string
  /** IMAP only. */
  host?: string
  port?: number
  user?: string
  tls?: TlsMode
  /** SHA-256 of the server certificate, `AB:CD:...` (TLS only). */
  certificateSha256?: string
  /** Maildir only. */
  root?: string
  /** Maildir root does not exist yet (the first run creates it). */
  missing?: boolean
  /** False with --offline (IMAP) or when connecting failed (then `error` says why, in one line). */
  connected: boolean
  error?: string
  capabilities?: string[]
  separator?: string
  /** The personal namespace's prefix (IMAP only; `INBOX.` on Debian's Cyrus). */
  personalPrefix?: string
  folders?: FolderInfo[]
  /** type = Gmail: which folder is the store, which are views (repository/gmail/describe-layout.ts). */
  layout?: string[]
}

export interface StatusPairFigures {
  remote: string
  local: string
  messagesPaired: number
  /** ISO time, or null when never completed. */
  lastSync: string | null
  uidValidityRemote: number | null
  uidValidityLocal: number | null
}

export interface LiveAccount {
  name: string
  remote: string
  local: string
  /** Absent when one side could not be listed (`mappingUnavailable` says why). */
  mapping?: MappingReport
  mappingUnavailable?: string
  status: { file: string; exists: boolean; pairs: StatusPairFigures[]; error?: string }
}

export interface LiveInfo {
  offline: boolean
  repositories: LiveRepository[]
  accounts: LiveAccount[]
}

const PROBE_TIMEOUT_MS = 20_000

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!
}

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${PROBE_TIMEOUT_MS / 1000} s`)), PROBE_TIMEOUT_MS)
  })
  return Promise.race([p, t]).finally(() => clearTimeout(timer))
}

function tlsMode(cfg: RepositoryConfig): TlsMode {
  return cfg.get<boolean>('ssl') ? 'implicit' : cfg.get<boolean>('starttls') ? 'starttls' : 'none'
}

async function probeRepository(config: LoadedConfig, cfg: RepositoryConfig, offline: boolean): Promise<LiveRepository> {
  const base: LiveRepository = cfg.type === 'IMAP'
    ? { name: cfg.name, type: cfg.type, host: cfg.get<string>('remotehost'), port: cfg.get<number>('remoteport'), user: cfg.get<string | undefined>('remoteuser'), tls: tlsMode(cfg), connected: false }
    : { name: cfg.name, type: cfg.type, root: cfg.get<string>('localfolders'), connected: false }
  if (offline && cfg.type === 'IMAP') return base
  if (cfg.type === 'Maildir' && !existsSync(base.root!)) {
    // Not an error: the first backup or sync creates it. Shown as an empty store.
    return { ...base, connected: true, capabilities: [], separator: cfg.get<string>('sep'), folders: [], error: undefined, missing: true }
  }
  const { createRepository } = await import('../repository/factory.js')
  let repo
  try {
    repo = createRepository(cfg, { env: config.env, createRoot: false, stateDir: config.general.get<string>('metadata'), socketTimeoutSeconds: config.general.get<number | undefined>('socktimeout') })
    if (cfg.type === 'IMAP' && base.tls !== 'none') {
      const { serverCertificateFingerprint } = await import('../repository/imap/certificate-fingerprint.js')
      base.certificateSha256 = await withTimeout(serverCertificateFingerprint({ host: base.host!, port: base.port, mode: base.tls!, timeoutMs: PROBE_TIMEOUT_MS }), `${cfg.name}: certificate`)
    }
    await withTimeout(repo.open(), `${cfg.name}: connecting`)
    const [caps, sep, folders, prefix] = await withTimeout(Promise.all([repo.capabilities(), repo.separator(), repo.listFolders(), repo.personalPrefix?.()]), `${cfg.name}: listing`)
    const layout = 'layoutLines' in repo && typeof repo.layoutLines === 'function' ? await (repo.layoutLines as () => Promise<string[]>)() : undefined
    return { ...base, connected: true, capabilities: [...caps].sort(), separator: sep, folders, ...(prefix === undefined ? {} : { personalPrefix: prefix }), ...(layout ? { layout } : {}) }
  } catch (e) {
    return { ...base, error: oneLine(e) }
  } finally {
    await repo?.close().catch(() => undefined)
  }
}

async function statusFigures(config: LoadedConfig, account: string): Promise<LiveAccount['status']> {
  const { statusDbPath } = await import('../state/locate.js')
  const file = statusDbPath(config.general.get<string>('metadata'), account)
  if (!existsSync(file)) return { file, exists: false, pairs: [] }
  const { StatusDb } = await import('../state/status-db.js')
  let db
  try {
    db = StatusDb.open(file)
    const pairs = db.listFolderPairs().map((p) => ({
      remote: p.nameA,
      local: p.nameB,
      messagesPaired: db!.countMessagePairs(p.id),
      lastSync: p.lastSync === null ? null : new Date(p.lastSync).toISOString(),
      uidValidityRemote: p.uidValidityA,
      uidValidityLocal: p.uidValidityB,
    }))
    return { file, exists: true, pairs }
  } catch (e) {
    return { file, exists: true, pairs: [], error: oneLine(e) }
  } finally {
    db?.close()
  }
}

async function accountInfo(config: LoadedConfig, a: AccountConfig, repos: Map<string, LiveRepository>): Promise<LiveAccount> {
  const remote = repos.get(a.remote.name)!
  const local = repos.get(a.local.name)!
  const out: LiveAccount = { name: a.name, remote: a.remote.name, local: a.local.name, status: await statusFigures(config, a.name) }
  const missing = [remote, local].find((r) => !r.folders)
  if (missing) {
    out.mappingUnavailable = `the folders of ${missing.name} are not known (${missing.error ?? 'not connected: --offline'})`
    return out
  }
  const { folderMappingReport } = await import('../engine/folder-mapping-report.js')
  const { folderFunctions } = await import('../config/folder-functions.js')
  const utf8 = a.get<boolean | undefined>('utf8foldernames')
  const side = (r: LiveRepository, cfg: RepositoryConfig) => ({ folders: r.folders!, separator: r.separator!, prefix: r.personalPrefix, ...folderFunctions(cfg, utf8) })
  out.mapping = folderMappingReport(side(remote, a.remote), side(local, a.local))
  return out
}

/** Probes the named repositories (in parallel) and builds each named account's mapping. */
export async function collectLiveInfo(config: LoadedConfig, repositories: RepositoryConfig[], accounts: AccountConfig[], opts: { offline: boolean }): Promise<LiveInfo> {
  const wanted = new Map<string, RepositoryConfig>()
  for (const r of repositories) wanted.set(r.name, r)
  for (const a of accounts) {
    wanted.set(a.remote.name, a.remote)
    wanted.set(a.local.name, a.local)
  }
  const probed = await Promise.all([...wanted.values()].map((r) => probeRepository(config, r, opts.offline)))
  const byName = new Map(probed.map((r) => [r.name, r]))
  const accountInfos = []
  for (const a of accounts) accountInfos.push(await accountInfo(config, a, byName))
  return { offline: opts.offline, repositories: probed, accounts: accountInfos }
}

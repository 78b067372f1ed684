// Builds a Repository from its configuration. The only place that knows every repository kind;
// the engine sees only the Repository interface.
import type { RepositoryConfig } from '../config/index.js'
import type { Repository } from './types.js'
import { MaildirRepository } from './maildir/maildir-repository.js'
import { offlineimapValidityDir } from './maildir/offlineimap-state.js'
import { withLogging } from './logging-repository.js'
import { ImapRepository } from './imap/imap-repository.js'
import { missingPassword, passwordSource } from '../credentials/password-source.js'
import { userSource, optionLocation } from '../credentials/user-source.js'
import { accessTokenSource } from '../credentials/oauth2-source.js'
import { ConfigError } from '../errors.js'
import { authOptions, loginName } from './imap/auth-settings.js'
import { isLoopbackHost, tlsSettings } from './imap/tls-settings.js'
import type { ThrottleReport } from './imap/throttle-wait.js'
import type { ImapRepositoryOptions } from './imap/options.js'
import { GmailRepository } from './gmail/gmail-repository.js'
import type { LabelMode } from './gmail/label-mode.js'
import { isGmailType } from '../config/build.js'

export interface FactoryContext {
  env: Record<string, string | undefined>
  /** Protocol debug log for IMAP (secrets masked by the IMAP layer). */
  imapLogger?: (line: string) => void
  /** Debug log of every Maildir operation (`-d maildir`). */
  maildirLogger?: (line: string) => void
  /** Create the Maildir root when missing (backup targets). */
  createRoot?: boolean
  /** Where warnings about risky settings go (default: stderr, `warning: ...`). */
  warn?: (message: string) => void
  /** May a missing password be asked on the terminal? Default: when stdin is a TTY. */
  interactive?: boolean
  /** The account's utf8foldernames: how a Maildir spells new folder names (unset: as its folders are spelled). */
  utf8FolderNames?: boolean
  /**
   * Where another tool may have kept its state of this account: metadata directories to look in
   * (OfflineIMAP's) and the name of the repository on the other side, which that state is named after.
   */
  priorTool?: { metadataDirs: string[]; otherRepository: string }
  /** Where a connection retry is told (default: as a warning). */
  onRetry?: (message: string) => void
  /** Where each pause for a server that throttles is told (imap/throttle-wait.ts). */
  onThrottle?: (r: ThrottleReport) => void
  /** [general] socktimeout: the network timeout of a repository that sets no `timeout`. */
  socketTimeoutSeconds?: number
  /** Connections a watcher holds open per repository name (push): this repository's runs use that many fewer, at least one. */
  heldConnections?: Readonly<Record<string, number>>
  /**
   * The state directory ([general] metadata): where `mailsync auth` stored refresh tokens, and
   * the daily transfer counts of imap/daily-quota.ts are kept.
   */
  stateDir?: string
  /** type = Gmail: the label layout for this run (migrate --labels), instead of the repository's labelmode. */
  labelMode?: LabelMode
  /**
   * A Maildir keeps labels (a sidecar per folder, maildir/labels-sidecar.ts) though it is not
   * declared GmailMaildir: the jobs layer asks for it when the other side keeps labels.
   */
  keepLabels?: boolean
}

/** Network timeout when neither `timeout` nor `socktimeout` is set: no wait on a stalled connection lasts longer. */
export const DEFAULT_SOCKET_TIMEOUT_S = 60
/** ImapRepository's maxConnections when `maxconnections` is not set. */
const DEFAULT_IMAP_CONNECTIONS = 4

export function createRepository(cfg: RepositoryConfig, ctx: FactoryContext): Repository {
  if (cfg.type === 'Maildir') {
    const repo = new MaildirRepository({
      name: cfg.name,
      root: cfg.get<string>('localfolders'),
      sep: cfg.get<string>('sep'),
      layout: cfg.get<'verbatim' | 'maildir++'>('maildir_layout'),
      readOnly: cfg.get<boolean>('readonly'),
      keywordLetters: cfg.get<Record<string, string>>('keywords'),
      maxConnections: cfg.get<number>('maxconnections'),
      createRoot: ctx.createRoot ?? true,
      lineEndings: cfg.get<'lf' | 'crlf'>('lineendings'),
      spelling: ctx.utf8FolderNames === undefined ? undefined : ctx.utf8FolderNames ? 'utf8' : 'mutf7',
      offlineimapValidityDir: ctx.priorTool && offlineimapValidityDir(ctx.priorTool.metadataDirs, ctx.priorTool.otherRepository),
      // OfflineIMAP's GmailMaildir is a Maildir that keeps Gmail's labels
      labels: cfg.declaredType === 'gmailmaildir' || ctx.keepLabels === true,
    })
    return ctx.maildirLogger ? withLogging(repo, ctx.maildirLogger) : repo
  }
  const warn = ctx.warn ?? ((m: string) => void process.stderr.write(`warning: ${m}\n`))
  const tls = tlsSettings(cfg, warn)
  const user = userSource(cfg, ctx.env)?.get()
  if (!user) {
    throw new ConfigError('no login name is configured', optionLocation(cfg, 'remoteuser'), {
      hint: `set remoteuser (or remoteuserfile / remoteusercmd), or add a ~/.netrc entry for ${cfg.get<string>('remotehost')}`,
    })
  }
  const token = accessTokenSource(cfg, { stateDir: ctx.stateDir })
  const auth = authOptions(cfg, token)
  const source = auth.accessToken ? undefined : passwordSource(cfg, ctx.env, { interactive: ctx.interactive })
  const timeout = cfg.get<number | undefined>('timeout') ?? ctx.socketTimeoutSeconds ?? DEFAULT_SOCKET_TIMEOUT_S
  const imap: ImapRepositoryOptions = {
    name: cfg.name,
    host: cfg.get<string>('remotehost'),
    port: cfg.get<number | undefined>('remoteport'),
    user: loginName(cfg, user),
    password: auth.accessToken
      ? undefined
      : async () => {
        if (!source) throw missingPassword(cfg)
        return source.get()
      },
    auth,
    tls,
    maxConnections: withoutHeld(cfg.get<number | undefined>('maxconnections'), ctx.heldConnections?.[cfg.name]),
    readOnly: cfg.get<boolean>('readonly'),
    logger: ctx.imapLogger,
    socketTimeoutMs: timeout * 1000,
    onRetry: ctx.onRetry ?? warn,
    onThrottle: ctx.onThrottle,
    throttleBudgetMs: cfg.get<number>('maxthrottlewait') * 1000,
    appendLimit: appendLimitSetting(cfg),
    dailyLimits: { download: limitSetting(cfg, 'dailydownloadlimit'), upload: limitSetting(cfg, 'dailyuploadlimit') },
    stateDir: ctx.stateDir,
    maxBytesPerSecond: cfg.get<number | undefined>('maxbytespersecond'),
    maxMessagesPerSecond: cfg.get<number | undefined>('maxmessagespersecond'),
    compression: useCompression(cfg.get<string>('compression'), cfg.get<string>('remotehost')),
  }
  if (!isGmailType(cfg.declaredType)) return new ImapRepository(imap)
  return new GmailRepository({
    imap,
    labelMode: ctx.labelMode ?? cfg.get<LabelMode>('labelmode'),
    trashFolder: cfg.get<string | undefined>('trashfolder'),
    spamFolder: cfg.get<string | undefined>('spamfolder'),
  })
}

/** A byte limit as set, and whose figure it is. */
function limitSetting(cfg: RepositoryConfig, option: string): { bytes: number; why: string } | undefined {
  const s = cfg.settings[option]
  if (!s || typeof s.value !== 'number' || s.value === 0) return undefined
  return { bytes: s.value, why: s.source === 'preset' ? `preset ${s.preset}` : `${option} = ${s.value}` }
}

/** appendlimit as set, and whose figure it is (docs/presets.md). */
function appendLimitSetting(cfg: RepositoryConfig): { bytes: number; why: string; explicit: boolean } | undefined {
  const s = cfg.settings.appendlimit
  if (!s || typeof s.value !== 'number') return undefined
  if (s.source === 'preset') return { bytes: s.value, why: `the ${cfg.preset?.preset.title ?? s.preset} limit (preset ${s.preset})`, explicit: false }
  return { bytes: s.value, why: `appendlimit = ${s.value}`, explicit: true }
}

/** `compression = auto` compresses except to a server on this machine, where it only costs CPU. */
export function useCompression(setting: string, host: string): boolean {
  return setting === 'yes' || (setting === 'auto' && !isLoopbackHost(host))
}

/** A repository's connection limit less the push connections a watcher holds open (at least one left). */
function withoutHeld(max: number | undefined, held: number | undefined): number | undefined {
  if (!held) return max
  return Math.max(1, (max ?? DEFAULT_IMAP_CONNECTIONS) - held)
}

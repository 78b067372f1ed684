// The one list of every config option mailsync understands. It drives parsing (types, defaults,
// aliases), validation (required, unsupported, unknown-name suggestions), masking of secrets in
// `mailsync info`, and the generated reference docs/config.md. Option names follow OfflineIMAP's
// offlineimaprc so old files paste in unchanged.

export type SectionKind = 'general' | 'account' | 'repository' | 'mbnames'
/** Which repository kinds an option applies to. */
export type RepositoryKindFilter = 'IMAP' | 'Maildir' | 'both'
export type OptionType = 'string' | 'int' | 'number' | 'bool' | 'path' | 'list' | 'enum' | 'function' | 'date' | 'map'

/** What a default may depend on: the section's other resolved values and the environment. */
export interface DefaultContext {
  values: Record<string, unknown>
  env: Record<string, string | undefined>
  home: string
  /** Repositories: the `type` as written, lowercased (e.g. `gmail`). */
  declaredType?: string
}

export interface OptionSpec {
  readonly section: SectionKind
  readonly name: string
  readonly type: OptionType
  readonly description: string
  /** Repository options only. */
  readonly repo?: RepositoryKindFilter
  /** Enum options: the accepted values (compared without regard to case). */
  readonly values?: readonly string[]
  /** Enum options: other spellings accepted and what they mean. */
  readonly valueAliases?: Readonly<Record<string, string>>
  /** Other option names accepted for this one (e.g. `passcmd` for `remotepasscmd`). */
  readonly aliases?: readonly string[]
  readonly default?: unknown
  /** A default computed from the other values of the section (or the environment). */
  readonly computeDefault?: (ctx: DefaultContext) => unknown
  /** How the docs show a computed default. */
  readonly defaultDoc?: string
  readonly required?: boolean
  /** Value is a password or token: never shown, never logged. */
  readonly secret?: boolean
  /** Accepted for compatibility but not acted on (warn) or refused (error), with what to do instead. */
  readonly unsupported?: { readonly level: 'warn' | 'error'; readonly hint: string }
  /** Read without %(name)s interpolation (the value has its own % placeholders). */
  readonly raw?: boolean
  /** A value in Python quotes ("mailboxes ") is unquoted, as OfflineIMAP evaluates it. */
  readonly unquote?: boolean
  /** Function options: what the function returns, and its parameter names (for messages/docs). */
  readonly returns?: 'boolean' | 'string'
  readonly params?: readonly string[]
  readonly min?: number
}

const stateDirDefault = (ctx: DefaultContext): string =>
  ctx.env.XDG_STATE_HOME ? `${ctx.env.XDG_STATE_HOME}/mailsync` : `${ctx.home}/.local/state/mailsync`

export const OPTIONS = [
  // ---- [general]
  { section: 'general', name: 'accounts', type: 'list', description: 'Accounts to sync when none is named on the command line (default: every [Account] section, in file order).' },
  { section: 'general', name: 'maxsyncaccounts', type: 'int', default: 1, min: 1, description: 'How many accounts to sync at the same time.' },
  { section: 'general', name: 'metadata', type: 'path', computeDefault: stateDirDefault, defaultDoc: '$XDG_STATE_HOME/mailsync (~/.local/state/mailsync)', description: 'Directory of the status cache (one SQLite database per account).' },
  { section: 'general', name: 'pythonfile', type: 'path', unsupported: { level: 'warn', hint: 'mailsync runs no Python: write folderfilter/nametrans as JavaScript arrow functions' }, description: 'OfflineIMAP helper file; ignored.' },
  { section: 'general', name: 'ui', type: 'enum', values: ['auto', 'progress', 'basic', 'quiet', 'json'], valueAliases: { ttyui: 'progress', blinkenlights: 'progress', machineui: 'json', syslog: 'basic', noninteractive: 'basic' }, default: 'auto', description: 'Output style: progress bars, plain lines, nothing but errors, or a JSON event stream (OfflineIMAP names are accepted).' },
  { section: 'general', name: 'socktimeout', type: 'int', min: 1, description: 'Network timeout in seconds for every repository that sets no `timeout` of its own (default 60): a connection silent that long is dropped, and the folder resumed on a new one.' },
  { section: 'general', name: 'hooktimeout', type: 'int', min: 1, default: 60, description: 'Seconds a presynchook, postsynchook or newmail_hook may run; then it is stopped (its whole process group) and a warning says so.' },

  // ---- [Account NAME]
  { section: 'account', name: 'localrepository', type: 'string', required: true, description: 'The local side: a [Repository NAME] name or a repository URL (maildir:PATH, imaps://user@host).' },
  { section: 'account', name: 'remoterepository', type: 'string', required: true, description: 'The remote side: a [Repository NAME] name or a repository URL.' },
  { section: 'account', name: 'autorefresh', type: 'number', description: 'Minutes between rounds when running continuously (docs/watch.md). Set, `sync` keeps running (as in OfflineIMAP; `-o` runs once); `backup` only with --watch. Pushes (NOTIFY, IDLE, Maildir changes) bring rounds sooner.' },
  { section: 'account', name: 'quick', type: 'int', default: 0, min: 0, description: 'Quick rounds between full ones when running continuously. With CONDSTORE a quick round misses nothing; without, it skips folders whose UIDNEXT and message count are unchanged (flag changes wait for the next full round).' },
  { section: 'account', name: 'maxage', type: 'int', min: 1, description: 'Only sync messages at most this many days old.' },
  { section: 'account', name: 'startdate', type: 'date', description: 'Only sync messages received on or after this date (YYYY-MM-DD).' },
  { section: 'account', name: 'maxsize', type: 'int', min: 1, description: 'Skip messages larger than this many bytes.' },
  { section: 'account', name: 'utf8foldernames', type: 'bool', description: 'How the Maildir spells new folders with non-ASCII names on disk: no = modified UTF-7 (`Entw&APw-rfe`, as OfflineIMAP by default and mbsync do), yes = UTF-8. Unset: as the Maildir\'s existing folders are spelled, else modified UTF-7. Existing folders are found under either spelling. Set to no (as in an offlineimaprc), folderfilter, nametrans and folderincludes see and give names in modified UTF-7, as OfflineIMAP hands them over; unset or yes, in UTF-8.' },
  { section: 'account', name: 'synclabels', type: 'bool', default: false, description: 'sync: let labels travel both ways, three-way merged like flags, where both repositories keep labels (type Gmail, type GmailMaildir, a Maildir paired with a labels-keeping repository; docs/gmail.md). backup, restore and migrate carry labels whatever this says.' },
  { section: 'account', name: 'ignorelabels', type: 'list', default: [], description: 'Labels never synced (comma-separated, case ignored), e.g. `\\Important, \\Starred`: never added or removed on either side, and kept out of the status cache\'s label base.' },
  { section: 'account', name: 'labelsheader', type: 'string', description: 'OfflineIMAP writes labels into this header of each message (X-Keywords). Accepted, with a warning: mailsync never rewrites a message\'s bytes; labels live in the status cache and, on a Maildir, in the folder\'s .mailsync-labels sidecar (docs/gmail.md).' },
  { section: 'account', name: 'status_backend', type: 'string', default: 'sqlite', description: 'Kind of status cache; mailsync always uses SQLite (other values are ignored with a warning).' },
  { section: 'account', name: 'presynchook', type: 'string', description: 'Shell command run before the account is synced (each round, when running continuously); MAILSYNC_* variables name the account and command (docs/hooks.md). A failure is a warning; the sync goes on.' },
  { section: 'account', name: 'postsynchook', type: 'string', description: 'Shell command run after the account is synced, also after a failure; MAILSYNC_* variables give the counts and exit code (docs/hooks.md). A failure is a warning.' },

  // ---- [Repository NAME], every kind
  { section: 'repository', repo: 'both', name: 'type', type: 'enum', values: ['IMAP', 'Maildir'], valueAliases: { gmailimap: 'IMAP', gmail: 'IMAP', gmailmaildir: 'Maildir' }, required: true, description: 'Repository kind: IMAP or Maildir; Gmail (or GmailIMAP) is a Gmail account: an IMAP repository whose labels are kept (docs/gmail.md), with every IMAP option; GmailMaildir is a Maildir that keeps labels (docs/gmail.md).' },
  { section: 'repository', repo: 'both', name: 'folderfilter', type: 'function', returns: 'boolean', params: ['folder'], description: 'JavaScript arrow function `folder => boolean` choosing which folders to sync (simple Python lambdas are translated).' },
  { section: 'repository', repo: 'both', name: 'nametrans', type: 'function', returns: 'string', params: ['folder'], description: 'JavaScript arrow function `folder => string` renaming folders seen from the other side (simple Python lambdas are translated).' },
  { section: 'repository', repo: 'both', name: 'folderincludes', type: 'list', default: [], description: 'Folders synced even if folderfilter excludes them (comma-separated, or a Python list literal).' },
  { section: 'repository', repo: 'both', name: 'createfolders', type: 'bool', default: true, description: 'Create folders here that exist only on the other side.' },
  { section: 'repository', repo: 'both', name: 'readonly', type: 'bool', default: false, description: 'Never change anything in this repository.' },
  { section: 'repository', repo: 'both', name: 'sync_deletes', type: 'bool', default: true, description: 'Propagate deletions made on the other side to this repository.' },
  { section: 'repository', repo: 'both', name: 'maxconnections', type: 'int', min: 1, default: 4, description: 'IMAP: parallel connections. Maildir: parallel file operations (local disk; the IMAP side is usually the limit).' },
  { section: 'repository', repo: 'both', name: 'newmail_hook', type: 'string', description: 'Shell command run after a sync that brought new mail to the local side (OfflineIMAP\'s `lambda: os.system("...")` form is understood too); MAILSYNC_NEW_LOCAL says how many (docs/hooks.md).' },

  // ---- IMAP
  { section: 'repository', repo: 'IMAP', name: 'remotehost', type: 'string', required: true, computeDefault: (c) => (c.declaredType?.startsWith('gmail') ? 'imap.gmail.com' : undefined), defaultDoc: 'imap.gmail.com for type Gmail, else required', description: 'Server host name.' },
  { section: 'repository', repo: 'IMAP', name: 'remoteport', type: 'int', min: 1, computeDefault: (c) => (c.values.ssl === false ? 143 : 993), defaultDoc: '993 with ssl, 143 without', description: 'Server port.' },
  { section: 'repository', repo: 'IMAP', name: 'remoteuser', type: 'string', description: 'Login name.' },
  { section: 'repository', repo: 'IMAP', name: 'authuser', type: 'string', description: 'Admin login: authenticate as this user (a Dovecot master user, a Cyrus admin, an Exchange impersonating account) and open the mailbox of remoteuser, with SASL PLAIN and remoteuser as the authorization identity (RFC 4616; imapsync\'s --authuser1/--authuser2). The password options then give authuser\'s password.' },
  { section: 'repository', repo: 'IMAP', name: 'authuserseparator', type: 'string', description: 'With authuser: log in as remoteuser SEPARATOR authuser instead of by authorization identity (Dovecot\'s auth_master_user_separator form, e.g. `*` makes alice*admin).' },
  { section: 'repository', repo: 'IMAP', name: 'remoteuserfile', type: 'path', description: 'File whose first line is the login name.' },
  { section: 'repository', repo: 'IMAP', name: 'remoteusercmd', type: 'string', description: 'Shell command printing the login name on its first line of output.' },
  { section: 'repository', repo: 'IMAP', name: 'remoteusereval', type: 'string', unsupported: { level: 'error', hint: 'mailsync runs no Python: use remoteuser, remoteuserfile, or remoteusercmd = <shell command printing the login name>' }, description: 'OfflineIMAP Python expression for the login name; refused.' },
  { section: 'repository', repo: 'IMAP', name: 'remotepass', type: 'string', secret: true, description: 'Password in clear text (prefer remotepasscmd or remotepassfile).' },
  { section: 'repository', repo: 'IMAP', name: 'remotepassfile', type: 'path', description: 'File whose first line is the password.' },
  { section: 'repository', repo: 'IMAP', name: 'remotepasscmd', type: 'string', aliases: ['passcmd'], description: 'Shell command printing the password on its first line of output. It is run with MAILSYNC_USER, MAILSYNC_HOST, MAILSYNC_PORT and MAILSYNC_REPOSITORY set, so one command can serve many users (e.g. in a batch: `pass show "mail/$MAILSYNC_USER"`).' },
  { section: 'repository', repo: 'IMAP', name: 'remotepasseval', type: 'string', unsupported: { level: 'error', hint: 'mailsync runs no Python: use remotepasscmd = <shell command printing the password>' }, description: 'OfflineIMAP Python expression for the password; refused.' },
  { section: 'repository', repo: 'IMAP', name: 'ssl', type: 'bool', default: true, description: 'Connect with TLS from the first byte (IMAPS).' },
  { section: 'repository', repo: 'IMAP', name: 'starttls', type: 'bool', computeDefault: (c) => c.values.ssl === false, defaultDoc: 'yes when ssl = no', description: 'Without ssl: upgrade the plain connection with STARTTLS, and refuse to go on without it. Plaintext needs ssl = no and starttls = no.' },
  { section: 'repository', repo: 'IMAP', name: 'sslcacertfile', type: 'path', description: 'CA certificates (PEM) to trust instead of the system store (OS-DEFAULT = system store).' },
  { section: 'repository', repo: 'IMAP', name: 'cert_fingerprint', type: 'list', description: 'Accept exactly these server certificates: SHA-256 fingerprints (hex, colons and case ignored; OfflineIMAP SHA-1 ones accepted with a warning).' },
  { section: 'repository', repo: 'IMAP', name: 'tls_level', type: 'enum', values: ['tls_secure', 'tls_no_ssl', 'tls_compat'], default: 'tls_secure', description: 'Minimum TLS version: tls_secure = TLS 1.2 or later; tls_no_ssl and tls_compat also allow TLS 1.0 and 1.1.' },
  { section: 'repository', repo: 'IMAP', name: 'ssl_version', type: 'enum', values: ['tls1_2', 'tls1_3'], valueAliases: { tls1: 'tls1_2', tls1_1: 'tls1_2', ssl23: 'tls1_2' }, description: 'Minimum TLS version (older names mean TLS 1.2).' },
  { section: 'repository', repo: 'IMAP', name: 'auth_mechanisms', type: 'list', default: ['XOAUTH2', 'PLAIN', 'LOGIN'], description: 'Authentication mechanisms allowed, in order of preference: XOAUTH2/OAUTHBEARER (with oauth2_* settings), CRAM-MD5 (where offered), PLAIN, LOGIN.' },
  { section: 'repository', repo: 'IMAP', name: 'oauth2_access_token', type: 'string', secret: true, description: 'OAuth2 access token.' },
  { section: 'repository', repo: 'IMAP', name: 'oauth2_access_token_cmd', type: 'string', description: 'Shell command printing an OAuth2 access token.' },
  { section: 'repository', repo: 'IMAP', name: 'oauth2_client_id', type: 'string', description: 'OAuth2 client id.' },
  { section: 'repository', repo: 'IMAP', name: 'oauth2_client_secret', type: 'string', secret: true, description: 'OAuth2 client secret.' },
  { section: 'repository', repo: 'IMAP', name: 'oauth2_client_secret_cmd', type: 'string', description: 'Shell command printing the OAuth2 client secret.' },
  { section: 'repository', repo: 'IMAP', name: 'oauth2_refresh_token', type: 'string', secret: true, description: 'OAuth2 refresh token.' },
  { section: 'repository', repo: 'IMAP', name: 'oauth2_refresh_token_cmd', type: 'string', description: 'Shell command printing the OAuth2 refresh token.' },
  { section: 'repository', repo: 'IMAP', name: 'oauth2_request_url', type: 'string', defaultDoc: 'the oauth2_provider preset\'s token endpoint', description: 'Token endpoint: where access tokens are refreshed, and where `mailsync auth` exchanges its code.' },
  // ---- OAuth2 sign-in (`mailsync auth`): provider presets, a custom provider, where the refresh token goes
  { section: 'repository', repo: 'IMAP', name: 'oauth2_provider', type: 'enum', values: ['google', 'microsoft', 'custom'], valueAliases: { gmail: 'google', microsoft365: 'microsoft', office365: 'microsoft', outlook: 'microsoft' }, defaultDoc: 'google for type Gmail or a Gmail host, microsoft for outlook.office365.com / outlook.office.com, else custom', description: 'Whose OAuth2 endpoints and scopes `mailsync auth` and the token refresh use: google, microsoft (Microsoft identity platform v2), or custom (every URL from the oauth2_* options below).' },
  { section: 'repository', repo: 'IMAP', name: 'oauth2_authorize_url', type: 'string', description: 'Authorization endpoint of the provider (the consent page `mailsync auth` opens); overrides the preset.' },
  { section: 'repository', repo: 'IMAP', name: 'oauth2_device_url', type: 'string', description: 'Device authorization endpoint (RFC 8628) for `mailsync auth --device`; overrides the preset.' },
  { section: 'repository', repo: 'IMAP', name: 'oauth2_scope', type: 'string', description: 'Scopes asked for, space-separated; overrides the preset (Google: https://mail.google.com/; Microsoft: https://outlook.office.com/IMAP.AccessAsUser.All offline_access).' },
  { section: 'repository', repo: 'IMAP', name: 'oauth2_tenant', type: 'string', default: 'common', description: 'Microsoft: the tenant in the endpoint URLs (common, organizations, consumers, or a tenant id or domain).' },
  { section: 'repository', repo: 'IMAP', name: 'oauth2_refresh_token_store_cmd', type: 'string', description: 'Shell command `mailsync auth` hands the new refresh token to on its stdin (e.g. `pass insert -m -f mail/work-oauth2`), instead of storing it in the state directory; set oauth2_refresh_token_cmd to read it back.' },
  { section: 'repository', repo: 'IMAP', name: 'compression', type: 'enum', values: ['auto', 'yes', 'no'], valueAliases: { true: 'yes', false: 'no', on: 'yes', off: 'no' }, default: 'auto', description: 'COMPRESS=DEFLATE (RFC 4978) where the server offers it. auto: yes, except to a server on this machine (loopback), where compressing only costs CPU (a 10,000-message pull took twice as long with it). Say no for a fast LAN, yes for a slow link to a local tunnel.' },
  { section: 'repository', repo: 'IMAP', name: 'holdconnectionopen', type: 'bool', default: false, description: 'Keep this repository\'s logged-in connections open from one round to the next when running continuously (no login per round); a connection dropped meanwhile is replaced.' },
  { section: 'repository', repo: 'IMAP', name: 'keepalive', type: 'int', min: 1, description: 'Seconds between NOOPs on connections held open between rounds (holdconnectionopen); a dead one is closed and replaced at the next round.' },
  { section: 'repository', repo: 'IMAP', name: 'expunge', type: 'bool', default: true, description: 'Expunge messages flagged \\Deleted after a sync.' },
  { section: 'repository', repo: 'IMAP', name: 'idlefolders', type: 'list', default: [], description: 'Folders to watch with IDLE (one connection each, within maxconnections) when running continuously and the server has no NOTIFY; with NOTIFY one connection watches every folder.' },
  { section: 'repository', repo: 'IMAP', name: 'timeout', type: 'int', min: 1, description: 'Network timeout in seconds (default: [general] socktimeout, else 60).' },
  // -- provider presets and throttling (src/config/presets.ts, docs/presets.md)
  { section: 'repository', repo: 'IMAP', name: 'preset', type: 'enum', values: ['gmail', 'microsoft365', 'fastmail', 'yahoo', 'icloud', 'none'], valueAliases: { office365: 'microsoft365', outlook: 'microsoft365', googlemail: 'gmail' }, defaultDoc: 'picked from remotehost (imap.gmail.com, outlook.office365.com, imap.fastmail.com, imap.mail.yahoo.com, imap.mail.me.com), gmail for type Gmail', description: 'Provider preset: the provider\'s server, TLS and port, connection count, largest message, folders that hold no mail (docs/presets.md). Each setting of the preset gives way to the same setting in the config. none: no preset.' },
  { section: 'repository', repo: 'IMAP', name: 'appendlimit', type: 'int', min: 1, description: 'Largest message (bytes) to upload here: a larger one is skipped with its size in a warning, the rest of the folder goes on (and it is tried again next run). Default: the server\'s APPENDLIMIT (RFC 7889) where it announces one, else the preset\'s figure.' },
  { section: 'repository', repo: 'IMAP', name: 'maxbytespersecond', type: 'int', min: 1, description: 'At most this many message bytes per second downloaded from and uploaded to this repository, over all its connections together (imapsync\'s --maxbytespersecond).' },
  { section: 'repository', repo: 'IMAP', name: 'maxmessagespersecond', type: 'int', min: 1, description: 'At most this many messages per second downloaded from and uploaded to this repository, over all its connections together (imapsync\'s --maxmessagespersecond).' },
  { section: 'repository', repo: 'IMAP', name: 'dailydownloadlimit', type: 'int', min: 0, description: 'At most this many bytes of messages fetched from this account in 24 hours, counted across runs in the state directory; then the run stops cleanly with exit 81 and says when to go on (the Gmail preset: Google\'s published 2,500 MB a day over IMAP). 0: no limit.' },
  { section: 'repository', repo: 'IMAP', name: 'dailyuploadlimit', type: 'int', min: 0, description: 'At most this many bytes of messages uploaded to this account in 24 hours, counted across runs; then exit 81, as dailydownloadlimit (the Gmail preset: Google\'s published 500 MB a day over IMAP). 0: no limit.' },
  { section: 'repository', repo: 'IMAP', name: 'maxthrottlewait', type: 'int', min: 0, default: 600, description: 'Seconds to wait in all, with growing pauses, when the server says it is throttling (NO [THROTTLED], [LIMIT], [INUSE], [UNAVAILABLE], Gmail\'s "Account exceeded command or bandwidth limits", Microsoft\'s "Request is throttled"; its suggested wait is honoured) before giving up with exit 80: try again later.' },
  // -- Gmail (type = Gmail; docs/gmail.md)
  { section: 'repository', repo: 'IMAP', name: 'labelmode', type: 'enum', values: ['store', 'folders', 'first', 'keywords'], default: 'store', description: 'type = Gmail: how the account is laid out. store: All Mail holds every message once with its labels (plus Trash and Spam); label folders are views, not synced. folders: every label folder is a folder, All Mail holds the archived mail (no label). first: each message once, in its first label (\\Inbox, \\Sent, \\Draft, then user labels by name; none: All Mail). keywords: each message once in All Mail, its labels as IMAP keywords. migrate --labels sets it for one run.' },
  { section: 'repository', repo: 'IMAP', name: 'trashfolder', type: 'string', description: 'type = Gmail: the Trash folder, where a delete moves a message (default: the folder with SPECIAL-USE \\Trash, [Gmail]/Trash in English).' },
  { section: 'repository', repo: 'IMAP', name: 'spamfolder', type: 'string', description: 'type = Gmail: the Spam folder, synced as a folder of its own (default: the folder with SPECIAL-USE \\Junk, [Gmail]/Spam in English).' },

  // ---- Maildir
  { section: 'repository', repo: 'Maildir', name: 'localfolders', type: 'path', required: true, description: 'Root directory of the Maildir tree.' },
  { section: 'repository', repo: 'Maildir', name: 'sep', type: 'string', default: '.', description: 'Hierarchy separator used in folder names on disk.' },
  { section: 'repository', repo: 'Maildir', name: 'maildir_layout', type: 'enum', values: ['verbatim', 'maildir++'], default: 'verbatim', description: 'Folder layout: verbatim (nested directories named as the folders) or Maildir++ (.Folder.Sub under the root).' },
  { section: 'repository', repo: 'Maildir', name: 'utime_from_header', type: 'bool', default: false, description: 'Set file mtimes from the Date header instead of the internal date.' },
  { section: 'repository', repo: 'Maildir', name: 'filename_use_mail_timestamp', type: 'bool', default: false, description: 'Use the message date instead of now in new file names.' },
  { section: 'repository', repo: 'Maildir', name: 'restoreatime', type: 'bool', default: false, description: 'Restore directory access times after a sync.' },
  { section: 'repository', repo: 'Maildir', name: 'lineendings', type: 'enum', values: ['lf', 'crlf'], default: 'lf', description: 'Line endings of new message files: lf (the Maildir convention: messages are stored with LF and served to IMAP with CRLF again, byte-exact) or crlf (stored as IMAP sends them). Files of either kind are read correctly.' },
  { section: 'repository', repo: 'Maildir', name: 'keywords', type: 'map', default: {}, description: 'Fixed keyword letters, `letter:keyword` comma-separated (e.g. `a:$Label1, b:Work`).' },

  // ---- [mbnames]
  { section: 'mbnames', name: 'enabled', type: 'bool', default: false, description: 'Write a file listing every synced folder (e.g. for mutt).' },
  { section: 'mbnames', name: 'filename', type: 'path', default: '~/Mail/muttrc.mailboxes', description: 'The file to write.' },
  { section: 'mbnames', name: 'header', type: 'string', unquote: true, default: 'mailboxes ', description: 'Text before the first item (Python quotes are removed).' },
  { section: 'mbnames', name: 'peritem', type: 'string', raw: true, default: '+%(accountname)s/%(foldername)s', description: 'One item; %(accountname)s and %(foldername)s are replaced (no interpolation).' },
  { section: 'mbnames', name: 'sep', type: 'string', unquote: true, default: ' ', description: 'Text between items (Python quotes are removed).' },
  { section: 'mbnames', name: 'footer', type: 'string', unquote: true, default: '\n', description: 'Text after the last item (Python quotes are removed).' },
  { section: 'mbnames', name: 'incremental', type: 'bool', default: false, description: 'Rewrite the file after each account instead of once at the end.' },
  { section: 'mbnames', name: 'folderfilter', type: 'function', returns: 'boolean', params: ['account', 'folder'], description: 'JavaScript arrow function `(account, folder) => boolean` choosing the folders listed.' },
] as const satisfies readonly OptionSpec[]

export type OptionSpecEntry = (typeof OPTIONS)[number]

type ValueOfType<S> = S extends { type: 'int' | 'number' }
  ? number
  : S extends { type: 'bool' }
    ? boolean
    : S extends { type: 'list' }
      ? string[]
      : S extends { type: 'map' }
        ? Record<string, string>
        : S extends { type: 'enum'; values: readonly (infer V)[] }
          ? V
          : S extends { type: 'function'; returns: 'boolean' }
            ? (...args: string[]) => boolean
            : S extends { type: 'function' }
              ? (...args: string[]) => string
              : string

type ValueWithPresence<S> = S extends { default: unknown } | { required: true } | { returns: unknown }
  ? ValueOfType<S>
  : ValueOfType<S> | undefined

/** The resolved value type of every option of a section kind, by name. */
export type OptionValues<K extends SectionKind> = {
  [S in Extract<OptionSpecEntry, { section: K }> as S['name']]: ValueWithPresence<S>
}
export type GeneralValues = OptionValues<'general'>
export type AccountValues = OptionValues<'account'>
export type RepositoryValues = OptionValues<'repository'>
export type MbnamesValues = OptionValues<'mbnames'>

export type RepositoryType = 'IMAP' | 'Maildir'

/** Does this option apply to a section kind (and repository type)? */
function appliesTo(spec: OptionSpec, section: SectionKind, type?: RepositoryType): boolean {
  if (spec.section !== section) return false
  if (section !== 'repository' || type === undefined) return true
  return spec.repo === 'both' || spec.repo === type
}

/** The specs of a section kind (for repositories, only those for `type` when given). */
export function optionsFor(section: SectionKind, type?: RepositoryType): OptionSpec[] {
  return (OPTIONS as readonly OptionSpec[]).filter((s) => appliesTo(s, section, type))
}

/** Find a spec by name or alias (lowercase) among `specs`. */
export function findOption(specs: readonly OptionSpec[], name: string): OptionSpec | undefined {
  const n = name.toLowerCase()
  return specs.find((s) => s.name === n || s.aliases?.includes(n))
}

export function isSecretOption(section: SectionKind, name: string): boolean {
  return findOption(optionsFor(section), name)?.secret === true
}

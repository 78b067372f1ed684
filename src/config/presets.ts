// Provider presets: what the big providers document about their IMAP service, picked from the
// repository's host (or `preset = NAME`), and given as settings of their own source ('preset'):
// a setting in the config file, a URL or a flag always beats them; the schema's defaults come
// after them. Every figure here is one the provider publishes; where it comes from is said next
// to it (and in docs/presets.md). Nothing here is guessed: a provider that publishes no figure for
// something gets none, and the ordinary default (or the server's own word, e.g. APPENDLIMIT) stands.

export const PRESET_NAMES = ['gmail', 'microsoft365', 'fastmail', 'yahoo', 'icloud'] as const
export type PresetName = (typeof PRESET_NAMES)[number]

const MB = 1024 * 1024

export interface ProviderPreset {
  name: PresetName
  /** How the provider calls itself, for messages. */
  title: string
  /** Host names of its IMAP service (compared without case and a trailing dot). */
  hosts: readonly string[]
  /** Host name suffixes that are this provider too (`.outlook.com`). */
  hostSuffixes?: readonly string[]
  /** The IMAP server: host, port, TLS from the first byte. */
  server: { host: string; port: number }
  /** Connections mailsync opens at most (the provider's own limit is shared with the user's other mail clients). */
  maxconnections?: number
  /** Largest message the provider accepts, in bytes: a larger one is skipped with its reason, not sent. */
  appendlimit?: number
  /**
   * Top-level folders that hold no mail (calendars, contacts...): left out of the sync with
   * everything below them, unless folderfilter is set or folderincludes names one.
   */
  notMail?: readonly string[]
  /** Daily transfer limits over IMAP, in bytes (dailydownloadlimit, dailyuploadlimit). */
  dailyLimit?: { download: number; upload: number }
}

export const PRESETS: Readonly<Record<PresetName, ProviderPreset>> = {
  gmail: {
    name: 'gmail',
    title: 'Gmail',
    // Gmail Help "Check Gmail through other email platforms": imap.gmail.com, SSL, port 993.
    hosts: ['imap.gmail.com', 'imap.googlemail.com'],
    server: { host: 'imap.gmail.com', port: 993 },
    // Gmail Help "Too many simultaneous connections" (answer 97150): at most 15 IMAP connections per
    // account today (10 when the page was first written), shared by every client of it; 10 leaves
    // room for a phone and a desktop client.
    maxconnections: 10,
    // Gmail Help "Attachment size limit": messages up to 25 MB; Gmail answers a larger APPEND with
    // "[ALERT] Message too large".
    appendlimit: 25 * MB,
    // [Gmail] is a \Noselect parent: the listing says so, and no mail folder is synced for it.
    // Google Workspace Admin Help "Gmail bandwidth limits": IMAP download 2,500 MB, upload 500 MB per day.
    dailyLimit: { download: 2500 * MB, upload: 500 * MB },
  },
  microsoft365: {
    name: 'microsoft365',
    title: 'Microsoft 365 / Outlook.com',
    // Microsoft Support "POP, IMAP, and SMTP settings for Outlook.com": outlook.office365.com, port
    // 993, SSL/TLS (the same server for Microsoft 365 work accounts); imap-mail.outlook.com is the older name.
    hosts: ['outlook.office365.com', 'outlook.office.com', 'imap-mail.outlook.com', 'outlook.com'],
    hostSuffixes: ['.outlook.com'],
    server: { host: 'outlook.office365.com', port: 993 },
    // Exchange Online limits ("Exchange Online throttling and limits FAQ"): at most 20 concurrent
    // IMAP connections per mailbox; 10 leaves room for the user's other clients.
    maxconnections: 10,
    // Exchange Online limits, "Message limits": 35 MB sent / 36 MB received by default (an admin may
    // raise it to 150 MB: then set appendlimit); a larger APPEND is refused with "Maximum size of
    // appendable message has been exceeded".
    appendlimit: 35 * MB,
    // Exchange lists its other item folders over IMAP beside the mail ones (Outlook's default folders).
    notMail: ['Calendar', 'Contacts', 'Tasks', 'Journal', 'Notes', 'Sync Issues'],
  },
  fastmail: {
    name: 'fastmail',
    title: 'Fastmail',
    // Fastmail Help "Server names and ports": imap.fastmail.com, port 993, SSL/TLS (not STARTTLS).
    // No connection or size figure is published; the server announces APPENDLIMIT itself.
    hosts: ['imap.fastmail.com'],
    server: { host: 'imap.fastmail.com', port: 993 },
  },
  yahoo: {
    name: 'yahoo',
    title: 'Yahoo Mail',
    // Yahoo Help's IMAP server settings, and Yahoo's "IMAP/SMTP Exchange using OAUTH2" developer
    // page (senders.yahooinc.com): imap.mail.yahoo.com, port 993, SSL. No size figure published.
    hosts: ['imap.mail.yahoo.com'],
    server: { host: 'imap.mail.yahoo.com', port: 993 },
  },
  icloud: {
    name: 'icloud',
    title: 'iCloud Mail',
    // Apple Support "iCloud Mail server settings": imap.mail.me.com, port 993, SSL.
    hosts: ['imap.mail.me.com'],
    server: { host: 'imap.mail.me.com', port: 993 },
    // Apple Support "iCloud Mail specifications" (HT4863): incoming and outgoing messages up to 20 MB.
    appendlimit: 20 * MB,
  },
}

/** Why a preset applies: `preset = NAME` in the config, the host, or `type = Gmail`. */
export type PresetReason = { kind: 'option' } | { kind: 'host'; host: string } | { kind: 'type'; declaredType: string }

export interface AppliedPreset {
  preset: ProviderPreset
  reason: PresetReason
}

/** The provider whose IMAP service `host` is, if one of the presets. */
export function presetForHost(host: string): ProviderPreset | undefined {
  const h = host.trim().toLowerCase().replace(/\.$/, '')
  if (h === '') return undefined
  return Object.values(PRESETS).find((p) => p.hosts.includes(h) || (p.hostSuffixes ?? []).some((s) => h.endsWith(s)))
}

/**
 * Which preset applies: `preset` as set (a name, or `none` for none at all), else the host's,
 * else Gmail for `type = Gmail` / `GmailIMAP` (OfflineIMAP's names, which imply the host).
 */
export function choosePreset(o: { preset?: string; host?: string; declaredType?: string }): AppliedPreset | undefined {
  if (o.preset !== undefined) {
    if (o.preset === 'none') return undefined
    return { preset: PRESETS[o.preset as PresetName], reason: { kind: 'option' } }
  }
  const byHost = o.host ? presetForHost(o.host) : undefined
  if (byHost) return { preset: byHost, reason: { kind: 'host', host: o.host!.trim().toLowerCase() } }
  if (o.declaredType?.startsWith('gmail') && o.declaredType !== 'gmailmaildir') return { preset: PRESETS.gmail, reason: { kind: 'type', declaredType: o.declaredType } }
  return undefined
}

/** One line for `mailsync info`: which preset and why. */
export function describePresetReason(a: AppliedPreset): string {
  const why = a.reason.kind === 'option' ? 'preset = ' + a.preset.name + ' is set'
    : a.reason.kind === 'host' ? `the host ${a.reason.host} is ${a.preset.title}'s`
      : `type = ${a.reason.declaredType}`
  return `${a.preset.name} (${a.preset.title}), because ${why}`
}

/** The folderfilter of a preset with non-mail folders: false for them and everything below them. */
export function notMailFilter(names: readonly string[]): { fn: (folder: string, separator?: string) => boolean; text: string } {
  const lower = new Set(names.map((n) => n.toLowerCase()))
  const fn = (folder: string, separator?: string): boolean => {
    const top = separator ? folder.split(separator)[0]! : folder
    return !lower.has(top.toLowerCase()) && !lower.has(folder.toLowerCase())
  }
  return { fn, text: `folder => not ${names.join(', ')} (nor below them)` }
}

/**
 * The settings a preset gives, by option name, for those `given` does not set. Port and TLS
 * (remoteport, ssl) are given only when none of remoteport, ssl and starttls is set: a port of
 * the config with the preset's TLS (or the other way round) would be neither's connection.
 */
export function presetValues(p: ProviderPreset, given: (option: string) => boolean): Map<string, { value: unknown; text?: string }> {
  const out = new Map<string, { value: unknown; text?: string }>()
  const put = (option: string, value: unknown, text?: string) => {
    if (!given(option)) out.set(option, { value, text })
  }
  put('remotehost', p.server.host)
  if (!['remoteport', 'ssl', 'starttls'].some(given)) {
    put('remoteport', p.server.port)
    put('ssl', true)
  }
  if (p.maxconnections !== undefined) put('maxconnections', p.maxconnections)
  if (p.appendlimit !== undefined) put('appendlimit', p.appendlimit)
  if (p.dailyLimit) {
    put('dailydownloadlimit', p.dailyLimit.download)
    put('dailyuploadlimit', p.dailyLimit.upload)
  }
  if (p.notMail?.length) {
    const f = notMailFilter(p.notMail)
    put('folderfilter', f.fn, f.text)
  }
  return out
}

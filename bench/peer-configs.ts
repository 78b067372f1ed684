// Config files for the three tools, all talking plain IMAP to the test Dovecot on loopback
// (no TLS for anyone, so the comparison measures sync work, not handshakes).
import { writeFileSync } from 'node:fs'

export interface ImapEndpoint {
  port: number
  user: string
  password: string
  /**
   * A server not on this machine (reached through bench/link-proxy.ts): mailsync is told
   * `compression = yes`, what its default (auto) does for any server that is not loopback.
   */
  remote?: boolean
}

const HOST = '127.0.0.1'

function mbsyncAccount(name: string, e: ImapEndpoint): string {
  // AuthMechs LOGIN: isync refuses SASL PLAIN over an unencrypted connection.
  return `IMAPAccount ${name}\nHost ${HOST}\nPort ${e.port}\nUser ${e.user}\nPass ${e.password}\nSSLType None\nAuthMechs LOGIN\n\nIMAPStore ${name}-imap\nAccount ${name}\n`
}

/** mbsync IMAP -> Maildir; `mode` pull for the initial copy, all (two-way) for the re-runs. */
export function writeMbsyncMaildirConfig(file: string, e: ImapEndpoint, maildir: string, mode: 'pull' | 'all'): void {
  writeFileSync(file, [
    mbsyncAccount('far', e),
    `MaildirStore near\nPath ${maildir}/\nInbox ${maildir}/INBOX\nSubFolders Verbatim\n`,
    `Channel bench\nFar :far-imap:\nNear :near:\nPatterns *\n${mode === 'pull' ? 'Sync Pull\nCreate Near' : 'Sync All\nCreate Both'}\nCopyArrivalDate yes\nSyncState *\n`,
  ].join('\n'), { mode: 0o600 })
}

/** mbsync IMAP -> IMAP: everything of `from` pulled into `to`. */
export function writeMbsyncImapConfig(file: string, from: ImapEndpoint, to: ImapEndpoint, stateDir: string): void {
  writeFileSync(file, [
    mbsyncAccount('old', from),
    mbsyncAccount('new', to),
    `Channel migrate\nFar :old-imap:\nNear :new-imap:\nPatterns *\nSync Pull\nCreate Near\nCopyArrivalDate yes\nSyncState ${stateDir}/\n`,
  ].join('\n'), { mode: 0o600 })
}

/** The `[general]` and `[Account bench]` sections both offlineimap3 and mailsync read. */
function benchAccount(metadata: string): string {
  return `[general]
accounts = bench
metadata = ${metadata}

[Account bench]
localrepository = local
remoterepository = remote
`
}

/** An IMAP repository section in the offlineimap3/mailsync dialect; `last` is its final option line. */
function imapRepository(name: string, e: ImapEndpoint, last: string): string {
  return `[Repository ${name}]
type = IMAP
remotehost = ${HOST}
remoteport = ${e.port}
remoteuser = ${e.user}
remotepass = ${e.password}
ssl = no
starttls = no
${last}
`
}

function maildirRepository(maildir: string): string {
  return `[Repository local]\ntype = Maildir\nlocalfolders = ${maildir}\n`
}

function mailsyncImap(name: string, e: ImapEndpoint, maxConnections: number): string {
  return imapRepository(name, e, `maxconnections = ${maxConnections}${e.remote ? '\ncompression = yes' : ''}`)
}

/** offlineimap3 IMAP <-> Maildir; `readonly` for the initial one-way pull. */
export function writeOfflineimapConfig(file: string, e: ImapEndpoint, maildir: string, metadata: string, readonly: boolean): void {
  writeFileSync(file, `${benchAccount(metadata)}\n${maildirRepository(maildir)}\n${imapRepository('remote', e, `readonly = ${readonly ? 'True' : 'False'}`)}`, { mode: 0o600 })
}

/** mailsync account `bench` (IMAP `remote` <-> Maildir `local`). */
export function writeMailsyncMaildirConfig(file: string, e: ImapEndpoint, maildir: string, metadata: string, maxConnections = 4): void {
  writeFileSync(file, `${benchAccount(metadata)}\n${mailsyncImap('remote', e, maxConnections)}\n${maildirRepository(maildir)}`, { mode: 0o600 })
}

/** mailsync repositories `old` and `new` for `mailsync migrate old new`. */
export function writeMailsyncMigrateConfig(file: string, from: ImapEndpoint, to: ImapEndpoint, metadata: string, maxConnections = 4): void {
  writeFileSync(file, `[general]
metadata = ${metadata}

${mailsyncImap('old', from, maxConnections)}
${mailsyncImap('new', to, maxConnections)}`, { mode: 0o600 })
}

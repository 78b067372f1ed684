// Config files for the three tools, all talking plain IMAP to the test Dovecot on loopback
// (no TLS for anyone, so the comparison measures sync work, not handshakes).
import { writeFileSync } from 'node:fs'

export interface ImapEndpoint {
  port: number
  user: string
  password: string
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

/** offlineimap3 IMAP <-> Maildir; `readonly` for the initial one-way pull. */
export function writeOfflineimapConfig(file: string, e: ImapEndpoint, maildir: string, metadata: string, readonly: boolean): void {
  writeFileSync(file, `[general]
accounts = bench
metadata = ${metadata}

[Account bench]
localrepository = local
remoterepository = remote

[Repository local]
type = Maildir
localfolders = ${maildir}

[Repository remote]
type = IMAP
remotehost = ${HOST}
remoteport = ${e.port}
remoteuser = ${e.user}
remotepass = ${e.password}
ssl = no
starttls = no
readonly = ${readonly ? 'True' : 'False'}
`, { mode: 0o600 })
}

function mailsyncImap(name: string, e: ImapEndpoint, maxConnections: number): string {
  return `[Repository ${name}]
type = IMAP
remotehost = ${HOST}
remoteport = ${e.port}
remoteuser = ${e.user}
remotepass = ${e.password}
ssl = no
starttls = no
maxconnections = ${maxConnections}
`
}

/** mailsync account `bench` (IMAP `remote` <-> Maildir `local`). */
export function writeMailsyncMaildirConfig(file: string, e: ImapEndpoint, maildir: string, metadata: string, maxConnections = 4): void {
  writeFileSync(file, `[general]
accounts = bench
metadata = ${metadata}

[Account bench]
localrepository = local
remoterepository = remote

${mailsyncImap('remote', e, maxConnections)}
[Repository local]
type = Maildir
localfolders = ${maildir}
`, { mode: 0o600 })
}

/** mailsync repositories `old` and `new` for `mailsync migrate old new`. */
export function writeMailsyncMigrateConfig(file: string, from: ImapEndpoint, to: ImapEndpoint, metadata: string, maxConnections = 4): void {
  writeFileSync(file, `[general]
metadata = ${metadata}

${mailsyncImap('old', from, maxConnections)}
${mailsyncImap('new', to, maxConnections)}`, { mode: 0o600 })
}

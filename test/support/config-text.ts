// Config file text for tests: one account `t` syncing repository `R` (remote) with `L` (local),
// built from repository sections for the test Dovecot or for Maildirs.
import { TEST_PASSWORD } from './dovecot.js'

/** How a config reaches the test Dovecot over implicit TLS: its TLS port, trusting its certificate. */
export function tlsServer(d: { tlsPort: number; certFile: string }): string {
  return `remoteport = ${d.tlsPort}\nsslcacertfile = ${d.certFile}`
}

/** How a config reaches the test Dovecot in clear text: its plain port, no TLS. */
export function plainServer(d: { port: number }): string {
  return `remoteport = ${d.port}\nssl = no\nstarttls = no`
}

/**
 * `[Repository <name>]` of type IMAP on 127.0.0.1: `server` gives the port and TLS lines
 * (tlsServer(d) or plainServer(d)), `extra` more option lines (each ending in a newline).
 */
export function imapRepository(name: string, o: { server: string; user: string; password?: string; extra?: string }): string {
  return `[Repository ${name}]\ntype = IMAP\nremotehost = 127.0.0.1\n${o.server}\nremoteuser = ${o.user}\nremotepass = ${o.password ?? TEST_PASSWORD}\n${o.extra ?? ''}`
}

/** `[Repository <name>]` of type Maildir in `localfolders`; `extra`: more option lines. */
export function maildirRepository(name: string, localfolders: string, extra = ''): string {
  return `[Repository ${name}]\ntype = Maildir\nlocalfolders = ${localfolders}\n${extra}`
}

/**
 * A config with one account (`t` unless named) syncing `remote` (a section for repository `R`)
 * with `local` (one for `L`), its status cache in `metadata`; `extra` is appended (other sections).
 */
export function oneAccountConfig(o: { metadata: string; remote: string; local: string; account?: string; extra?: string }): string {
  const account = o.account ?? 't'
  return `[general]\naccounts = ${account}\nmetadata = ${o.metadata}\n\n[Account ${account}]\nlocalrepository = L\nremoterepository = R\n\n${o.remote}\n${o.local}${o.extra ?? ''}`
}

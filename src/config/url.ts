// Repository URLs: a short way to name a repository without a [Repository] section.
//   imaps://user@host[:port]   IMAP over TLS (port 993)
//   imap://user@host[:port]    IMAP with STARTTLS required (port 143)
//   maildir:PATH, /abs/path, ./rel/path, ../rel/path, ~/path   a Maildir tree
// Userinfo may be percent-encoded. A password in the URL is refused: it would end up in shell
// history and process lists.
import { ConfigError, type ConfigLocation } from '../errors.js'
import type { RepositoryType } from './schema.js'
import { expandHome } from './values.js'

export interface RepositoryUrl {
  type: RepositoryType
  /** Option values the URL stands for, as typed values. */
  values: Record<string, unknown>
  /** The URL as a display name (never contains a password). */
  display: string
}

export function looksLikeRepositoryUrl(text: string): boolean {
  return /^(imaps?:\/\/|maildir:)/i.test(text) || /^(\/|\.\/|\.\.\/|~\/|~$)/.test(text)
}

/** Parse a repository URL; undefined if `text` is not one (then it is a repository name). */
export function parseRepositoryUrl(text: string, home: string, where: ConfigLocation = {}): RepositoryUrl | undefined {
  const t = text.trim()
  if (!looksLikeRepositoryUrl(t)) return undefined
  if (/^maildir:/i.test(t)) {
    const path = t.slice('maildir:'.length).replace(/^\/\/(?=\/)/, '')
    if (path === '') throw new ConfigError(`"${t}" names no directory`, where, { hint: 'write maildir:PATH, e.g. maildir:~/Mail' })
    return { type: 'Maildir', values: { type: 'Maildir', localfolders: expandHome(path, home) }, display: t }
  }
  if (!/^imaps?:\/\//i.test(t)) return { type: 'Maildir', values: { type: 'Maildir', localfolders: expandHome(t, home) }, display: t }

  let url: URL
  try {
    url = new URL(t)
  } catch {
    throw new ConfigError(`"${t}" is not a valid repository URL`, where, { hint: 'write imaps://user@host[:port] or imap://user@host[:port]' })
  }
  if (url.password !== '') {
    const safe = `${url.protocol}//${url.username}@${url.host}`
    throw new ConfigError(`refusing a password inside the repository URL ${safe}`, where, {
      hint: 'put the password behind remotepasscmd or remotepassfile in a [Repository] section (e.g. remotepasscmd = printenv IMAP_PASSWORD)',
    })
  }
  if (url.hostname === '') throw new ConfigError(`"${t}" names no host`, where)
  if ((url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) {
    throw new ConfigError(`"${t}" has a path or query; a repository URL is just scheme://user@host[:port]`, where)
  }
  const secure = url.protocol.toLowerCase() === 'imaps:'
  const values: Record<string, unknown> = {
    type: 'IMAP',
    remotehost: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    remoteport: url.port ? Number(url.port) : secure ? 993 : 143,
    ssl: secure,
    starttls: !secure,
  }
  if (url.username) {
    try {
      values.remoteuser = decodeURIComponent(url.username)
    } catch {
      throw new ConfigError(`"${t}": the user name is not valid percent-encoding`, where)
    }
  }
  const display = `${url.protocol}//${url.username ? `${url.username}@` : ''}${url.host}`
  return { type: 'IMAP', values, display }
}

// ~/.netrc (or $NETRC): `machine HOST login USER password PASS`, and `default` for any host.
// Tokens may span lines; `macdef` bodies (up to an empty line) are skipped.
import { existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { assertPrivateFile } from './secret-file.js'

export interface NetrcEntry {
  /** Undefined for the `default` entry. */
  machine?: string
  login?: string
  password?: string
}

export function parseNetrc(text: string): NetrcEntry[] {
  const entries: NetrcEntry[] = []
  const tokens = tokenize(text)
  let cur: NetrcEntry | undefined
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!
    if (t === 'machine') {
      cur = { machine: tokens[++i] }
      entries.push(cur)
    } else if (t === 'default') {
      cur = {}
      entries.push(cur)
    } else if (cur && (t === 'login' || t === 'password' || t === 'account')) {
      const v = tokens[++i]
      if (t === 'login') cur.login = v
      else if (t === 'password') cur.password = v
    }
  }
  return entries
}

function tokenize(text: string): string[] {
  const out: string[] = []
  const lines = text.split(/\r?\n/)
  for (let l = 0; l < lines.length; l++) {
    const line = lines[l]!
    if (/^\s*macdef\b/.test(line)) {
      while (l + 1 < lines.length && lines[l + 1]!.trim() !== '') l++
      continue
    }
    if (line.trim().startsWith('#')) continue
    const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g
    for (let m = re.exec(line); m; m = re.exec(line)) {
      out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!)
    }
  }
  return out
}

/** The entry for `host` (and `user`, when given), else the `default` entry, else undefined. */
export function findNetrcEntry(entries: NetrcEntry[], host: string, user?: string): NetrcEntry | undefined {
  const fits = (e: NetrcEntry) => user === undefined || e.login === undefined || e.login === user
  const h = host.toLowerCase()
  return entries.find((e) => e.machine?.toLowerCase() === h && fits(e)) ?? entries.find((e) => e.machine === undefined && fits(e))
}

export function netrcPath(env: Record<string, string | undefined>): string {
  return env.NETRC || join(env.HOME || homedir(), '.netrc')
}

/** Reads the netrc file, if there is one; refuses one that others may read. */
export function loadNetrc(env: Record<string, string | undefined>): { file: string; entries: NetrcEntry[] } | undefined {
  const file = netrcPath(env)
  if (!existsSync(file)) return undefined
  assertPrivateFile(file, 'netrc file', { file })
  return { file, entries: parseNetrc(readFileSync(file, 'utf8')) }
}

// Reads a secret from a file: the first line. A file that group or others may read is refused,
// as ssh does with private keys: the secret may already have leaked, and the user should know.
import { readFileSync, statSync } from 'node:fs'
import { ConfigError, type ConfigLocation } from '../errors.js'

/** Throws unless `file` exists and only its owner may read or write it. */
export function assertPrivateFile(file: string, what: string, where: ConfigLocation): void {
  let mode: number
  try {
    mode = statSync(file).mode
  } catch (err) {
    const code = (err as { code?: string }).code
    throw new ConfigError(`cannot read ${what} ${file}${code ? ` (${code})` : ''}`, where)
  }
  if ((mode & 0o077) !== 0) {
    throw new ConfigError(`${what} ${file} is readable or writable by others (mode ${(mode & 0o777).toString(8).padStart(3, '0')}); refusing to use it`, where, { hint: `chmod 600 ${file}` })
  }
}

/** The first line of a private file (trailing CR/LF removed; surrounding spaces kept for passwords). */
export function readSecretFile(file: string, what: string, where: ConfigLocation, opts: { checkMode: boolean }): string {
  if (opts.checkMode) assertPrivateFile(file, what, where)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    const code = (err as { code?: string }).code
    throw new ConfigError(`cannot read ${what} ${file}${code ? ` (${code})` : ''}`, where)
  }
  const line = text.split(/\r?\n/)[0] ?? ''
  if (!line) throw new ConfigError(`${what} ${file} is empty (its first line is used)`, where)
  return line
}

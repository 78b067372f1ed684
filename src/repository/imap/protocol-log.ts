// imapflow's structured log as plain lines for the user's debug log, with secrets scrubbed.
import type { Logger } from 'imapflow'

/**
 * imapflow already masks LOGIN passwords and AUTHENTICATE payloads; as a second line of defence,
 * any occurrence of the password (plain or inside a base64 SASL PLAIN blob) is replaced as well.
 */
export function protocolLogger(repository: string, sink: ((line: string) => void) | undefined, secrets: () => string[]): Logger | false {
  if (!sink) return false
  const write = (level: string) => (obj: unknown): void => {
    const line = scrub(formatEntry(repository, level, obj), secrets())
    try {
      sink(line)
    } catch {
      // a broken log sink must not break the connection
    }
  }
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') }
}

function formatEntry(repository: string, level: string, obj: unknown): string {
  if (typeof obj !== 'object' || obj === null) return `${repository} ${level} ${String(obj)}`
  const o = obj as { src?: string; msg?: unknown; cid?: string; err?: { message?: string } }
  const dir = o.src === 'c' ? 'C: ' : o.src === 's' ? 'S: ' : ''
  const err = o.err?.message ? ` (${o.err.message})` : ''
  return `${repository}[${o.cid ?? '-'}] ${level === 'debug' ? '' : level + ' '}${dir}${String(o.msg ?? '')}${err}`
}

export function scrub(line: string, secrets: string[]): string {
  let out = line
  for (const s of secrets) {
    if (!s) continue
    for (const form of [s, Buffer.from(s).toString('base64')]) {
      if (form.length >= 3) out = out.split(form).join('***')
    }
  }
  return out
}

/** Each connection's logger, for the commands mailsync sends on it itself (raw/uid-fetch.ts). */
const connectionLoggers = new WeakMap<object, Logger>()

export function rememberLogger(client: object, logger: Logger | false): void {
  if (logger) connectionLoggers.set(client, logger)
}

export function loggerOf(client: object): Logger | undefined {
  return connectionLoggers.get(client)
}

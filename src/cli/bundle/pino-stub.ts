// What dist/mailsync.cjs hands imapflow for `require('pino')` (write-bundle.ts aliases it), so the
// bundle does not carry and load pino. imapflow only builds a pino logger for a connection that was
// given no logger of its own, and mailsync always gives one (connect.ts: protocolLogger(), which is
// an object of level methods or false). Should it ever be asked for one, it logs nothing.
export interface SilentLogger {
  level: string
  trace(...args: unknown[]): void
  debug(...args: unknown[]): void
  info(...args: unknown[]): void
  warn(...args: unknown[]): void
  error(...args: unknown[]): void
  fatal(...args: unknown[]): void
  child(bindings?: object): SilentLogger
  isLevelEnabled(level: string): boolean
}

export default function pino(options?: { level?: string }): SilentLogger {
  const ignore = (): void => undefined
  const logger: SilentLogger = {
    level: options?.level ?? 'info',
    trace: ignore,
    debug: ignore,
    info: ignore,
    warn: ignore,
    error: ignore,
    fatal: ignore,
    child: () => logger,
    isLevelEnabled: () => false,
  }
  return logger
}

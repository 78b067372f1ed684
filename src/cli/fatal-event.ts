// The `fatal` JSON object (docs/json-events.md) for a command that stops on an error, so that
// programs using --json learn why without parsing stderr.
import { isMailsyncError } from '../errors.js'
import { isExitRequest, isUsageError, usageMessage, type Failure } from './failure.js'

export interface FatalEvent {
  type: 'fatal'
  kind: string
  message: string
  hint?: string
  exitCode: number
}

/** Undefined for oclif's "exit with this code" requests, which are not failures to report. */
export function fatalEvent(err: unknown, failure: Failure): FatalEvent | undefined {
  if (isExitRequest(err) || !failure.text) return undefined
  if (isMailsyncError(err)) return { type: 'fatal', kind: err.kind, message: err.message, ...(err.hint ? { hint: err.hint } : {}), exitCode: failure.exitCode }
  if (isUsageError(err)) return { type: 'fatal', kind: 'usage', message: usageMessage((err as Error).message, (err as { args?: unknown }).args), exitCode: failure.exitCode }
  const message = err instanceof Error ? err.message : String(err)
  return { type: 'fatal', kind: 'internal', message: `internal error: ${message.split('\n')[0] ?? ''}`, exitCode: failure.exitCode }
}

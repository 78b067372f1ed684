// Text shared by every command's --help: the exit codes (from EXIT in src/errors.ts).
import { EXIT } from '../errors.js'
import { STOP_EXIT } from '../jobs/stop-request.js'

const MEANINGS: [number, string][] = [
  [EXIT.ok, 'everything done'],
  [EXIT.partial, 'finished, but some messages or folders failed: run again'],
  [EXIT.usage, 'bad command line'],
  [EXIT.data, 'data or verification problem'],
  [EXIT.network, 'network unreachable or connection lost'],
  [EXIT.internal, 'internal error (a bug: please report it, with --debug output)'],
  [EXIT.disk, 'local disk problem (full, read-only, permissions)'],
  [EXIT.server, 'the server refused or failed'],
  [EXIT.auth, 'login failed'],
  [EXIT.config, 'configuration problem'],
  [EXIT.tls, 'TLS / certificate problem'],
  [EXIT.throttled, 'the provider kept throttling the account: nothing lost, try again later'],
  [EXIT.quota, 'a daily transfer limit is reached: stopped cleanly, run again after the time it says'],
  [STOP_EXIT.SIGINT!, 'stopped by SIGINT (Ctrl-C) before the end: what was done is recorded, run again for the rest'],
  [STOP_EXIT.SIGTERM!, 'stopped by SIGTERM before the end: what was done is recorded, run again for the rest'],
]

const EXIT_CODES_HELP = ['Exit codes:', ...MEANINGS.map(([code, text]) => `${String(code).padEnd(4)}${text}`)].join('\n')

/** A command description followed by the exit codes table. */
export function describeWithExitCodes(text: string): string {
  return `${text}\n\n${EXIT_CODES_HELP}`
}

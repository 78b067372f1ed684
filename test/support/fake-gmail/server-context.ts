// What every session of one fake Gmail shares: the users and their accounts, the capabilities,
// the throttling a test asked for, and the log of commands received.
import type { GmailAccount } from './account.js'
import type { ParsedCommand } from './parse.js'
import type { Session } from './session.js'

export interface FakeUser {
  user: string
  password: string
  /** OAuth access token accepted by AUTHENTICATE XOAUTH2 / OAUTHBEARER. */
  token: string
  account: GmailAccount
}

/** What a throttled command is answered with. */
export type ThrottleReply = 'throttled' | 'alert' | 'bye' | { no: string } | { bye: string }

export interface ThrottleRule {
  /** Which commands: a name (`UID FETCH`, `SELECT`, ...), a test of the command, or every command. */
  command?: string | ((cmd: ParsedCommand, session: Session) => boolean)
  /** How many of them get the reply (default 1; Infinity for all). */
  times?: number
  reply?: ThrottleReply
}

interface ActiveRule { rule: ThrottleRule; left: number }

// Gmail's own words when an account is over its limits (Gmail Help, "IMAP errors": "Account
// exceeded command or bandwidth limits"); [THROTTLED] is the response code of RFC 5530's
// family that other providers use and mailsync also knows.
const REPLIES = {
  throttled: '[THROTTLED] Too many commands, slow down (Failure)',
  alert: '[ALERT] Account exceeded command or bandwidth limits. (Failure)',
  bye: '[ALERT] Account exceeded command or bandwidth limits.',
}

/** Before login Gmail offers its mechanisms; after it, the extensions this server implements. */
export const PRE_AUTH_CAPABILITIES = 'IMAP4rev1 UNSELECT IDLE NAMESPACE ID CHILDREN X-GM-EXT-1 SASL-IR AUTH=XOAUTH2 AUTH=PLAIN AUTH=OAUTHBEARER'

export function capabilities(o: { appendLimit: number; condstore: boolean }): string {
  return `IMAP4rev1 UNSELECT IDLE NAMESPACE ID CHILDREN X-GM-EXT-1 UIDPLUS ENABLE MOVE${o.condstore ? ' CONDSTORE' : ''} LIST-EXTENDED LIST-STATUS SPECIAL-USE LITERAL- APPENDLIMIT=${o.appendLimit}`
}

export class ServerContext {
  readonly sessions = new Set<Session>()
  /** Every command line received, literals shown by size: `user: tag NAME args`. */
  readonly log: string[] = []
  /** Commands received by name, all users. */
  readonly counters = new Map<string, number>()
  private readonly rules: ActiveRule[] = []
  /** Greetings still to be a BYE instead of OK (a server that turns connections away). */
  byeGreetings: { left: number; text: string } = { left: 0, text: '' }

  constructor(
    readonly users: Map<string, FakeUser>,
    readonly appendLimit: number,
    /** CONDSTORE (RFC 7162) offered, as Gmail does; QRESYNC is not (Gmail has none). */
    readonly condstore: boolean,
    /** Most connections one user may have at once (Gmail: 15); more are refused at login. */
    readonly maxConnections: number,
  ) {}

  count(name: string): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + 1)
  }

  throttle(rule: ThrottleRule): void {
    this.rules.push({ rule, left: rule.times ?? 1 })
  }

  clearThrottles(): void {
    this.rules.length = 0
  }

  /** The throttle reply for this command, if a rule takes it (and counts it). */
  throttleFor(cmd: ParsedCommand, session: Session): { bye: boolean; text: string } | undefined {
    for (const r of this.rules) {
      if (r.left <= 0) continue
      const c = r.rule.command
      const matches = c === undefined || (typeof c === 'string' ? c.toUpperCase() === cmd.name : c(cmd, session))
      if (!matches) continue
      r.left--
      const reply = r.rule.reply ?? 'throttled'
      if (reply === 'bye') return { bye: true, text: REPLIES.bye }
      if (reply === 'throttled' || reply === 'alert') return { bye: false, text: REPLIES[reply] }
      return 'bye' in reply ? { bye: true, text: reply.bye } : { bye: false, text: reply.no }
    }
    return undefined
  }
}

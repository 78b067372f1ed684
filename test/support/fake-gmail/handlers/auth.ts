// Logging in: LOGIN, AUTHENTICATE PLAIN (RFC 4616) and the OAuth mechanisms Gmail offers,
// XOAUTH2 ("OAuth 2.0 Mechanism", developers.google.com/gmail/imap/xoauth2-protocol: the
// initial response is base64 of `user=...^Aauth=Bearer <token>^A^A`; a refused token gets a `+`
// with a base64 JSON error, the client answers with an empty line, then NO) and OAUTHBEARER
// (RFC 7628). A SASL initial response may ride on the command line (SASL-IR, RFC 4959).
import type { ParsedCommand } from '../parse.js'
import { atomArg, stringArg } from '../parse.js'
import type { Session } from '../session.js'
import { capabilities } from '../server-context.js'
import type { Handler } from './types.js'

const FAILED = '[AUTHENTICATIONFAILED] Invalid credentials (Failure)'

function accept(s: Session, cmd: ParsedCommand, user: string): void {
  const u = s.ctx.users.get(user)!
  const open = [...s.ctx.sessions].filter((x) => x.user === user && !x.closed).length
  // Gmail Help, "IMAP errors": too many simultaneous connections are refused at login
  if (open >= s.ctx.maxConnections) return s.tagged(cmd.tag, 'NO', '[ALERT] Too many simultaneous connections. (Failure)')
  s.login(user, u.account)
  s.tagged(cmd.tag, 'OK', `[CAPABILITY ${capabilities(s.ctx)}] ${user} authenticated (Success)`)
}

/** The user a SASL response authenticates, or undefined. */
function check(s: Session, mechanism: string, response: Buffer): string | undefined {
  const text = response.toString('utf8')
  if (mechanism === 'PLAIN') {
    const [authzid, authcid, password] = text.split('\0')
    const u = s.ctx.users.get(authcid ?? '')
    if (!u || u.password !== password || (authzid && authzid !== authcid)) return undefined
    return u.user
  }
  const fields = text.split('\x01')
  const bearer = fields.find((f) => f.startsWith('auth=Bearer '))?.slice('auth=Bearer '.length)
  const user = mechanism === 'XOAUTH2'
    ? fields.find((f) => f.startsWith('user='))?.slice(5)
    : /^n,a=([^,]*),/.exec(fields[0] ?? '')?.[1]?.replace(/=2C/g, ',').replace(/=3D/g, '=')
  const u = s.ctx.users.get(user ?? '')
  return u && bearer === u.token ? u.user : undefined
}

function finish(s: Session, cmd: ParsedCommand, mechanism: string, response: Buffer): void {
  const user = check(s, mechanism, response)
  if (user) return accept(s, cmd, user)
  if (mechanism === 'PLAIN') return s.tagged(cmd.tag, 'NO', FAILED)
  const error = Buffer.from(JSON.stringify({ status: '401', schemes: 'Bearer', scope: 'https://mail.google.com/' })).toString('base64')
  s.send(`+ ${error}`)
  s.expectLine(() => s.tagged(cmd.tag, 'NO', '[AUTHENTICATIONFAILED] Invalid credentials (Failure)'))
}

export const authHandlers: Record<string, Handler> = {
  LOGIN: {
    state: 'any',
    run(s, cmd) {
      if (s.account) return s.tagged(cmd.tag, 'BAD', 'Already authenticated')
      const user = stringArg(cmd.args[0], 'a user name')
      const password = stringArg(cmd.args[1], 'a password')
      const u = s.ctx.users.get(user)
      if (!u || u.password !== password) return s.tagged(cmd.tag, 'NO', FAILED)
      accept(s, cmd, user)
    },
  },
  AUTHENTICATE: {
    state: 'any',
    run(s, cmd) {
      if (s.account) return s.tagged(cmd.tag, 'BAD', 'Already authenticated')
      const mechanism = atomArg(cmd.args[0], 'a mechanism').toUpperCase()
      if (!['PLAIN', 'XOAUTH2', 'OAUTHBEARER'].includes(mechanism)) return s.tagged(cmd.tag, 'NO', 'Unsupported mechanism (Failure)')
      const decode = (b64: string) => Buffer.from(b64.trim(), 'base64')
      if (cmd.args[1]) return finish(s, cmd, mechanism, decode(stringArg(cmd.args[1], 'a response', 'latin1')))
      s.send('+ ')
      s.expectLine((line) => {
        if (line.trim() === '*') return s.tagged(cmd.tag, 'BAD', 'Authentication cancelled')
        finish(s, cmd, mechanism, decode(line))
      })
    },
  },
}

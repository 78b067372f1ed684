// Commands of any state that touch no folder: CAPABILITY, NOOP, CHECK, LOGOUT, ID, ENABLE,
// NAMESPACE, and IDLE (RFC 2177), during which changes to the account are sent as they happen.
import { capabilities, PRE_AUTH_CAPABILITIES } from '../server-context.js'
import type { Handler } from './types.js'

export const connectionHandlers: Record<string, Handler> = {
  CAPABILITY: {
    state: 'any',
    run(s, cmd) {
      s.send(`* CAPABILITY ${s.account ? capabilities(s.ctx) : PRE_AUTH_CAPABILITIES}`)
      s.tagged(cmd.tag, 'OK', 'Thats all she wrote!')
    },
  },
  NOOP: { state: 'any', run: (s, cmd) => s.done(cmd) },
  CHECK: { state: 'selected', run: (s, cmd) => s.done(cmd) },
  LOGOUT: {
    state: 'any',
    run(s, cmd) {
      s.send('* BYE LOGOUT Requested')
      s.tagged(cmd.tag, 'OK', '73 good day (Success)')
      s.closed = true
      s.socket.end()
    },
  },
  // "Gmail IMAP Extensions": clients should announce themselves with ID (RFC 2971); Gmail
  // answers with its own name
  ID: {
    state: 'any',
    run(s, cmd) {
      s.send('* ID ("name" "GImap" "vendor" "Google, Inc." "support-url" "https://support.google.com/mail")')
      s.tagged(cmd.tag, 'OK', 'Success')
    },
  },
  // CONDSTORE is the one extension to enable (no UTF8=ACCEPT: names stay modified UTF-7);
  // RFC 5161 says to ignore the rest
  ENABLE: {
    state: 'auth',
    run(s, cmd) {
      const asked = cmd.args.map((t) => (t.kind === 'atom' ? t.value.toUpperCase() : ''))
      const on = s.ctx.condstore && asked.includes('CONDSTORE')
      if (on) s.condstore = true
      s.send(`* ENABLED${on ? ' CONDSTORE' : ''}`)
      s.tagged(cmd.tag, 'OK', 'Success')
    },
  },
  NAMESPACE: {
    state: 'auth',
    run(s, cmd) {
      s.send('* NAMESPACE (("" "/")) NIL NIL')
      s.tagged(cmd.tag, 'OK', 'Success')
    },
  },
  IDLE: {
    state: 'auth',
    run(s, cmd) {
      s.catchUp(true)
      s.send('+ idling')
      s.idling = true
      s.expectLine((line) => {
        s.idling = false
        if (line.trim().toUpperCase() !== 'DONE') return s.tagged(cmd.tag, 'BAD', 'Expected DONE')
        s.done(cmd)
      })
    },
  },
}

// Fewer round trips before the first real command. imapflow, talking to Dovecot, spends five
// round trips between the greeting and NAMESPACE: ID, AUTHENTICATE PLAIN, its "+" continuation
// (it does not send the initial response even where the server offers SASL-IR), and ID once more
// (Dovecot answers the first ID, sent before login, with its name only). Over a 100 ms link that
// is half a second of every run, a no-change one included. Here, on one client:
// - ID is sent once, after login (the client name need not travel before authentication);
// - AUTHENTICATE PLAIN carries its initial response on the command line where the server offers
//   SASL-IR (RFC 4959): one round trip instead of two.
// Everything else (STARTTLS, LOGIN, other mechanisms, a configured auth_mechanisms, OAuth) is left
// to imapflow. This leans on imapflow internals (run, exec, state, setAuthenticationState), kept in
// this one file; when they are not as expected, imapflow's own login runs.
import type { ImapFlow } from 'imapflow'
import { authenticateExchange, type SaslConnection } from './sasl-exchange.js'

interface ImapFlowInternals extends SaslConnection {
  state: unknown
  states: { NOT_AUTHENTICATED: unknown }
  capabilities: Map<string, unknown>
  authCapabilities?: Map<string, unknown>
  expectCapabilityUpdate: boolean
  authenticated: unknown
  run(command: string, ...args: unknown[]): Promise<unknown>
  authenticate(): Promise<boolean>
  write(chunk: string): void
  setAuthenticationState(): Promise<void>
}

/** The SASL PLAIN initial response (RFC 4616): base64 of authzid NUL authcid NUL password. */
export function plainInitialResponse(user: string, password: string, authzid = ''): string {
  return Buffer.from(`${authzid}\0${user}\0${password}`).toString('base64')
}

/**
 * `authUser`: an admin login (ImapAuthOptions.authUser): authenticate as authUser, act as `user`.
 * That needs AUTHENTICATE PLAIN; it is never left to imapflow, whose login has no authorization
 * identity and would open the admin's own mailbox.
 */
export function useLeanLogin(client: ImapFlow, user: string, password: string, authUser?: string): void {
  const c = client as unknown as ImapFlowInternals
  if (typeof c.run !== 'function' || typeof c.authenticate !== 'function' || typeof c.exec !== 'function' || !c.states) {
    if (authUser) throw new Error('imapflow internals changed: the admin login (authuser) cannot run')
    return
  }
  const run = c.run.bind(c)
  c.run = (command: string, ...args: unknown[]) => {
    if (command === 'ID' && c.state === c.states.NOT_AUTHENTICATED) return Promise.resolve(undefined)
    return run(command, ...args)
  }
  const fallback = c.authenticate.bind(c)
  c.authenticate = async () => {
    if (authUser) return adminPlain(c, user, password, authUser)
    // imapflow logs in with LOGIN for a user name with \ or / (Exchange's domain\user form)
    if (c.state !== c.states.NOT_AUTHENTICATED || /[\\/]/.test(user) || !password) return fallback()
    if (!c.capabilities.has('SASL-IR') || !c.capabilities.has('AUTH=PLAIN')) return fallback()
    c.expectCapabilityUpdate = true
    await authenticateExchange(c, [
      { type: 'ATOM', value: 'PLAIN' },
      { type: 'ATOM', value: plainInitialResponse(user, password), sensitive: true },
    ], async () => {
      // a server that asks for more after the initial response: cancel the exchange (RFC 4954)
      c.write('*')
    })
    return loggedIn(c, user)
  }
}

/** AUTHENTICATE PLAIN as authUser for `user`: the response on the command line (SASL-IR) or after the "+". */
async function adminPlain(c: ImapFlowInternals, user: string, password: string, authUser: string): Promise<boolean> {
  if (c.state !== c.states.NOT_AUTHENTICATED) return true
  if (!c.capabilities.has('AUTH=PLAIN')) {
    const err = new Error(`the server does not offer AUTHENTICATE PLAIN, which the admin login (authuser ${authUser}) needs`) as Error & { authenticationFailed?: boolean }
    err.authenticationFailed = true
    throw err
  }
  const response = plainInitialResponse(authUser, password, user)
  const initial = c.capabilities.has('SASL-IR')
  c.expectCapabilityUpdate = true
  let answered = initial
  await authenticateExchange(c, [
    { type: 'ATOM', value: 'PLAIN' },
    ...(initial ? [{ type: 'ATOM', value: response, sensitive: true }] : []),
  ], async () => {
    if (answered) {
      c.write('*')
      return
    }
    answered = true
    c.write(response)
  })
  return loggedIn(c, user)
}

async function loggedIn(c: ImapFlowInternals, user: string): Promise<boolean> {
  c.authenticated = user
  c.authCapabilities?.set('AUTH=PLAIN', true)
  await c.setAuthenticationState()
  return true
}

// SASL CRAM-MD5 (RFC 2195) for imapflow, which has no such mechanism: the client's login step is
// replaced by one that answers the server's challenge with HMAC-MD5(password, challenge), when the
// server offers AUTH=CRAM-MD5, and otherwise falls back to imapflow's own (PLAIN / LOGIN).
// This leans on imapflow internals (exec via sasl-exchange.ts, write, setAuthenticationState), kept in this one file.
import { createHmac } from 'node:crypto'
import type { ImapFlow } from 'imapflow'
import { authenticateExchange, type SaslConnection } from './sasl-exchange.js'

interface ImapFlowInternals extends SaslConnection {
  state: unknown
  states: { NOT_AUTHENTICATED: unknown }
  capabilities: Map<string, unknown>
  expectCapabilityUpdate: boolean
  authenticated: boolean
  authenticate(): Promise<boolean>
  write(chunk: string): void
  setAuthenticationState(): Promise<void>
}

/** The answer to one challenge: base64("user hex(hmac-md5(password, challenge))"). */
export function cramMd5Response(user: string, password: string, challengeBase64: string): string {
  const challenge = Buffer.from(challengeBase64, 'base64')
  const digest = createHmac('md5', password).update(challenge).digest('hex')
  return Buffer.from(`${user} ${digest}`).toString('base64')
}

/**
 * Makes `client` log in with CRAM-MD5 where the server offers it. `required`: a server without it
 * is refused instead of falling back to PLAIN / LOGIN.
 */
export function useCramMd5(client: ImapFlow, user: string, password: string, required: boolean): void {
  const c = client as unknown as ImapFlowInternals
  const fallback = c.authenticate.bind(c)
  c.authenticate = async () => {
    if (c.state !== c.states.NOT_AUTHENTICATED) return fallback()
    if (!c.capabilities.has('AUTH=CRAM-MD5')) {
      if (required) throw Object.assign(new Error('the server does not offer CRAM-MD5, the only mechanism auth_mechanisms allows'), { authenticationFailed: true })
      return fallback()
    }
    c.expectCapabilityUpdate = true
    await authenticateExchange(c, [{ type: 'ATOM', value: 'CRAM-MD5' }], async (resp) => {
      const challenge = resp.attributes?.[0]?.type === 'TEXT' ? resp.attributes[0].value : ''
      c.write(cramMd5Response(user, password, challenge))
    })
    c.authenticated = true
    await c.setAuthenticationState()
    return true
  }
}

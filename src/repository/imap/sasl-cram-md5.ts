// SASL CRAM-MD5 (RFC 2195) for imapflow, which has no such mechanism: the client's login step is
// replaced by one that answers the server's challenge with HMAC-MD5(password, challenge), when the
// server offers AUTH=CRAM-MD5, and otherwise falls back to imapflow's own (PLAIN / LOGIN).
// This leans on imapflow internals (exec, write, setAuthenticationState), kept in this one file.
import { createHmac } from 'node:crypto'
import type { ImapFlow } from 'imapflow'

interface ImapFlowInternals {
  state: unknown
  states: { NOT_AUTHENTICATED: unknown }
  capabilities: Map<string, unknown>
  expectCapabilityUpdate: boolean
  authenticated: boolean
  authenticate(): Promise<boolean>
  exec(command: string, attributes: unknown[], opts: { onPlusTag(resp: { attributes?: { type: string; value: string }[] }): Promise<void> }): Promise<{ next(): void }>
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
    try {
      const response = await c.exec('AUTHENTICATE', [{ type: 'ATOM', value: 'CRAM-MD5' }], {
        onPlusTag: async (resp) => {
          const challenge = resp.attributes?.[0]?.type === 'TEXT' ? resp.attributes[0].value : ''
          c.write(cramMd5Response(user, password, challenge))
        },
      })
      response.next()
    } catch (err) {
      const e = err as { authenticationFailed?: boolean; response?: unknown; responseText?: string }
      // a tagged NO/BAD to AUTHENTICATE is the server refusing the credentials
      if (e.response !== undefined || e.responseText !== undefined) e.authenticationFailed = true
      throw err
    }
    c.authenticated = true
    await c.setAuthenticationState()
    return true
  }
}

// PKCE (RFC 7636) with S256, and the state parameter (RFC 6749 section 10.12): random values a
// sign-in keeps to itself, so a code that reaches the loopback redirect is only redeemable by us,
// and a redirect we did not ask for is recognised.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

export interface Pkce {
  /** Sent with the code exchange only (43 characters of base64url, RFC 7636 section 4.1). */
  verifier: string
  /** BASE64URL(SHA256(verifier)), sent with the authorization request. */
  challenge: string
  method: 'S256'
}

export function s256Challenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url')
}

export function newPkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: s256Challenge(verifier), method: 'S256' }
}

/** An unguessable state value for one authorization request. */
export function newState(): string {
  return randomBytes(16).toString('base64url')
}

/** Constant-time comparison of a returned state with ours. */
export function sameState(expected: string, got: string | null | undefined): boolean {
  if (typeof got !== 'string') return false
  const a = Buffer.from(expected)
  const b = Buffer.from(got)
  return a.length === b.length && timingSafeEqual(a, b)
}

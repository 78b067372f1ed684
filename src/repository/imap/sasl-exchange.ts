// One AUTHENTICATE exchange on imapflow's connection, for the mechanisms mailsync runs itself
// (sasl-cram-md5.ts, lean-login.ts): a tagged NO or BAD is marked as the server refusing the
// credentials, which errors.ts turns into the auth error (exit 77). Leans on imapflow's exec.

interface PlusResponse {
  attributes?: { type: string; value: string }[]
}

export interface SaslConnection {
  exec(command: string, attributes: unknown[], opts: { onPlusTag(resp: PlusResponse): Promise<void> }): Promise<{ next(): void }>
}

export async function authenticateExchange(c: SaslConnection, attributes: unknown[], onPlusTag: (resp: PlusResponse) => Promise<void>): Promise<void> {
  try {
    const response = await c.exec('AUTHENTICATE', attributes, { onPlusTag })
    response.next()
  } catch (err) {
    const e = err as { authenticationFailed?: boolean; response?: unknown; responseText?: string }
    if (e.response !== undefined || e.responseText !== undefined) e.authenticationFailed = true
    throw err
  }
}

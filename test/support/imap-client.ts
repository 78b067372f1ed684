// A logged-in imapflow client of a test Dovecot user for the length of `fn` (plain IMAP on
// loopback), logged out afterwards also when `fn` fails.
import { ImapFlow } from 'imapflow'
import { TEST_PASSWORD } from './dovecot.js'

export async function withImapClient<T>(port: number, user: string, fn: (c: ImapFlow) => Promise<T>, password = TEST_PASSWORD): Promise<T> {
  const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, doSTARTTLS: false, auth: { user, pass: password }, logger: false })
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.logout()
  }
}

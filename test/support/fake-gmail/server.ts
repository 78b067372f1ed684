// Starts and stops a fake Gmail on 127.0.0.1 (plain TCP, any free port): the test API.
//
//   const g = await startFakeGmail({ language: 'de' })
//   g.account.add({ raw: 'Subject: hi\r\n\r\nbody\r\n', labels: ['\\Inbox', 'Work'] })
//   ... point imapflow or mailsync at g.host:g.port as g.user / g.password (or g.token) ...
//   g.throttle({ command: 'UID FETCH', times: 2, reply: 'alert' })
//   await g.stop()
import { createServer, type AddressInfo, type Socket } from 'node:net'
import { GmailAccount, type AccountOptions } from './account.js'
import { ServerContext, type FakeUser, type ThrottleRule } from './server-context.js'
import { Session } from './session.js'

export interface FakeGmailOptions extends AccountOptions {
  /** The users (default one: `user@gmail.com`, password `app-password`, token `ya29.fake-token`). */
  users?: { user: string; password?: string; token?: string; account?: AccountOptions }[]
  /** APPENDLIMIT in bytes (Gmail advertises 35651584). */
  appendLimit?: number
  /** Offer CONDSTORE (default true, as Gmail does). */
  condstore?: boolean
  /** Connections one user may have at once (default 15, Gmail's limit). */
  maxConnections?: number
}

export interface FakeGmail {
  host: string
  port: number
  /** The first user. */
  user: string
  password: string
  token: string
  account: GmailAccount
  /** Every user's account, by user name. */
  accounts: Map<string, GmailAccount>
  /** Every command line received (`user: tag NAME args`, literals shown by size). */
  log: string[]
  /** Commands received by name, all users. */
  counters: Map<string, number>
  /** Answers the next commands a rule picks with a throttle reply. */
  throttle(rule: ThrottleRule): void
  clearThrottles(): void
  /** The next `n` connections are greeted with `* BYE <text>` and closed. */
  refuseConnections(n: number, text?: string): void
  /** Open connections. */
  connections(): number
  /** Closes every connection (as a server restart would), keeping the accounts. */
  dropConnections(): void
  stop(): Promise<void>
}

export async function startFakeGmail(opts: FakeGmailOptions = {}): Promise<FakeGmail> {
  const specs = opts.users?.length ? opts.users : [{ user: 'user@gmail.com' }]
  const users = new Map<string, FakeUser>()
  for (const u of specs) {
    users.set(u.user, {
      user: u.user, password: u.password ?? 'app-password', token: u.token ?? 'ya29.fake-token',
      account: new GmailAccount({ ...opts, ...u.account }),
    })
  }
  const ctx = new ServerContext(users, opts.appendLimit ?? 35651584, opts.condstore ?? true, opts.maxConnections ?? 15)
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    const s = new Session(socket, ctx)
    ctx.sessions.add(s)
    s.greet()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const first = users.get(specs[0]!.user)!
  return {
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    user: first.user, password: first.password, token: first.token, account: first.account,
    accounts: new Map([...users].map(([k, u]) => [k, u.account])),
    log: ctx.log,
    counters: ctx.counters,
    throttle: (rule) => ctx.throttle(rule),
    clearThrottles: () => ctx.clearThrottles(),
    refuseConnections: (n, text = '[UNAVAILABLE] System error, please try again later. (Failure)') => {
      ctx.byeGreetings = { left: n, text }
    },
    connections: () => sockets.size,
    dropConnections: () => {
      for (const s of sockets) s.destroy()
    },
    stop: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy()
      server.close(() => resolve())
    }),
  }
}

// Push from an IMAP server (Repository.watch): with NOTIFY (RFC 5465) one connection hears of new,
// expunged and re-flagged messages in every folder; without it, one IDLE connection per folder
// asked for (`idlefolders`). IDLE is re-issued before servers end it (RFC 2177: 29 minutes), and
// imapflow probes a quiet connection with NOOP, so a dead one is noticed and reported as lost.
import type { ImapFlow } from 'imapflow'
import type { StoreWatch, WatchHandlers } from '../types.js'
import { decodeMutf7 } from '../../mail/mutf7.js'

/** IDLE is ended and started again after this long (servers may drop an IDLE after 30 minutes). */
export const IDLE_RESTART_MS = 25 * 60 * 1000

/**
 * How often IDLE is renewed: IDLE_RESTART_MS, unless MAILSYNC_TEST_IDLE_RENEW_MS (whole ms, at
 * least 100) says otherwise. That variable is a test knob, read here only, so a test can see
 * renewals in seconds against a real server; it is not meant for users (docs/watch.md).
 */
export function idleRenewMs(env: NodeJS.ProcessEnv = process.env): number {
  const ms = Number(env.MAILSYNC_TEST_IDLE_RENEW_MS ?? '')
  return Number.isInteger(ms) && ms >= 100 ? ms : IDLE_RESTART_MS
}
/** A NOOP on the NOTIFY connection this often. */
export const NOTIFY_NOOP_MS = 30_000

const atom = (value: string) => ({ type: 'ATOM', value })
/** `NOTIFY SET STATUS (personal (MessageNew MessageExpunge FlagChange))`: every personal folder; the STATUS answers carry what changed. */
const NOTIFY_SET = [atom('SET'), atom('STATUS'), [atom('personal'), [atom('MessageNew'), atom('MessageExpunge'), atom('FlagChange')]]]

interface Untagged { attributes?: { value?: unknown }[] }
interface ImapFlowInternals {
  exec(command: string, attributes: unknown, options?: unknown): Promise<{ next(): void }>
  untaggedHandlers: Record<string, (u: Untagged) => void | Promise<void>>
}

/** `connect` opens a logged-in client with auto-IDLE on (see connect.ts `idle`). */
export async function watchImap(connect: () => Promise<ImapFlow>, h: WatchHandlers, folders: readonly string[]): Promise<StoreWatch | undefined> {
  const first = await connect()
  if (first.capabilities.has('NOTIFY')) {
    try {
      return await notifyWatch(first, h)
    } catch {
      // a server that announces NOTIFY but refuses our SET: IDLE it is
    }
  }
  if (!folders.length) {
    await first.logout().catch(() => undefined)
    return undefined
  }
  const clients: ImapFlow[] = []
  try {
    clients.push(await idleWatch(first, folders[0]!, h))
    for (const f of folders.slice(1)) clients.push(await idleWatch(await connect(), f, h))
  } catch (e) {
    await Promise.allSettled(clients.map((c) => c.logout()))
    throw e
  }
  return watchOf(`IDLE ${folders.join(', ')}`, clients)
}

async function notifyWatch(c: ImapFlow, h: WatchHandlers): Promise<StoreWatch> {
  const internals = c as unknown as ImapFlowInternals
  internals.untaggedHandlers.STATUS = (u) => {
    const raw = u.attributes?.[0]?.value
    const name = typeof raw === 'string' ? decodeMutf7(raw) ?? raw : undefined
    h.changed(name)
  }
  // NOTIFY also reports EXISTS/EXPUNGE/FETCH of a selected folder; none is selected here
  const res = await internals.exec('NOTIFY', NOTIFY_SET)
  res.next()
  onLost(c, h)
  // nothing is selected, so imapflow starts no IDLE: a NOOP now and then keeps the connection
  // from looking dead, and finds out when it is
  const timer = setInterval(() => void c.noop().catch(() => undefined), NOTIFY_NOOP_MS)
  timer.unref()
  c.on('close', () => clearInterval(timer))
  return watchOf('NOTIFY (every folder)', [c])
}

async function idleWatch(c: ImapFlow, folder: string, h: WatchHandlers): Promise<ImapFlow> {
  try {
    await c.mailboxOpen(folder, { readOnly: true })
  } catch (e) {
    await c.logout().catch(() => undefined)
    throw e
  }
  const changed = () => h.changed(folder)
  c.on('exists', changed)
  c.on('expunge', changed)
  c.on('flags', changed)
  onLost(c, h)
  void c.idle().catch(() => undefined)
  return c
}

function onLost(c: ImapFlow, h: WatchHandlers): void {
  let closing = false
  ;(c as unknown as { closingOnPurpose?: () => void }).closingOnPurpose = () => { closing = true }
  c.on('close', () => {
    if (!closing) h.lost(new Error('the push connection was closed'))
  })
}

function watchOf(how: string, clients: ImapFlow[]): StoreWatch {
  return {
    how,
    connections: clients.length,
    async close() {
      for (const c of clients) (c as unknown as { closingOnPurpose?: () => void }).closingOnPurpose?.()
      await Promise.allSettled(clients.map((c) => c.logout()))
    },
  }
}

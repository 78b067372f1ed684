// The parts of an APPEND command before each message's literal, formatted by imapflow's own
// helpers exactly as its APPEND would send them: the mailbox name, then per message
// ` (flags) "date"`; and the APPENDUID of the answer. Shared by the MULTIAPPEND and the
// streamed APPEND.
import type { ImapFlow } from 'imapflow'
import { createRequire } from 'node:module'

interface ImapflowTools {
  encodePath(connection: ImapFlow, path: string): string
  formatFlag(flag: string): string | false
  canUseFlag(mailbox: unknown, flag: string): boolean
  formatDateTime(value: Date): string | undefined
}
const tools = createRequire(import.meta.url)('imapflow/lib/tools.js') as ImapflowTools

/** The mailbox as a quoted string; undefined when it cannot be one (imapflow then sends it). */
export function appendMailbox(client: ImapFlow, path: string): string | undefined {
  const name = tools.encodePath(client, path)
  if (!name || /[\r\n\0\u0080-\uffff]/.test(name)) return undefined
  return `"${name.replace(/["\\]/g, (c) => '\\' + c)}"`
}

/** ` (flags) "date"` for one message: only flags the mailbox takes, as imapflow filters them. */
export function messageArgs(client: ImapFlow, path: string, flags: string[], internalDate: number): string {
  const selected = client.mailbox && client.mailbox.path === path && !client.mailbox.readOnly ? client.mailbox : false
  const formatted = flags.map((f) => tools.formatFlag(f)).filter((f): f is string => !!f && tools.canUseFlag(selected, f))
  const date = tools.formatDateTime(new Date(internalDate))
  return ` (${formatted.join(' ')})${date ? ` "${date}"` : ''}`
}

/** The server's APPENDLIMIT, when it has one. */
export function appendLimit(client: ImapFlow): number | undefined {
  const limit = client.capabilities.get('APPENDLIMIT')
  return typeof limit === 'number' ? limit : undefined
}

/**
 * `[APPENDUID validity uids]` of a tagged OK, for `count` messages appended. UIDs that do not map
 * one to one onto the messages are no UIDs at all: undefined (the copies stay unpaired, and the
 * next run pairs them by fingerprint).
 */
export function appendUid(tagged: string, count: number): { uidValidity: number; uids: number[] } | undefined {
  const m = /\[APPENDUID (\d+) ([0-9:,]+)\]/i.exec(tagged)
  const uids = m ? expandUidSet(m[2]!) : undefined
  return uids && uids.length === count ? { uidValidity: Number(m![1]), uids } : undefined
}

/** `5:7,9` -> [5, 6, 7, 9], in the order given (APPENDUID lists them in message order). */
function expandUidSet(set: string): number[] | undefined {
  const out: number[] = []
  for (const part of set.split(',')) {
    const range = /^(\d+)(?::(\d+))?$/.exec(part)
    if (!range) return undefined
    const a = Number(range[1])
    const b = range[2] === undefined ? a : Number(range[2])
    if (a < 1 || b < 1 || Math.abs(b - a) > 100_000) return undefined
    if (a <= b) for (let u = a; u <= b; u++) out.push(u)
    else for (let u = a; u >= b; u--) out.push(u)
  }
  return out
}


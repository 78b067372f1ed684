// Which messages a copy may include: OfflineIMAP's maxage / startdate / maxsize, and the
// --since / --before of restore.
import type { AccountConfig } from '../config/index.js'
import type { MessageMeta } from '../repository/types.js'

const DAY = 86_400_000

export function messageFilter(account: AccountConfig, o: { since?: Date; before?: Date; now?: number }): ((m: MessageMeta) => boolean) | undefined {
  const maxage = account.get<number | undefined>('maxage')
  const startdate = account.get<Date | string | undefined>('startdate')
  const maxsize = account.get<number | undefined>('maxsize')
  const tests: ((m: MessageMeta) => boolean)[] = []
  const now = o.now ?? Date.now()
  if (maxage !== undefined) tests.push((m) => m.internalDate >= now - maxage * DAY)
  if (startdate !== undefined) {
    const t = startdate instanceof Date ? startdate.getTime() : Date.parse(startdate)
    if (!Number.isNaN(t)) tests.push((m) => m.internalDate >= t)
  }
  if (maxsize !== undefined) tests.push((m) => m.size <= maxsize)
  if (o.since) tests.push((m) => m.internalDate >= o.since!.getTime())
  if (o.before) tests.push((m) => m.internalDate < o.before!.getTime())
  if (!tests.length) return undefined
  return (m) => tests.every((t) => t(m))
}

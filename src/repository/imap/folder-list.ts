// LIST -> FolderInfo, CAPABILITY -> Capability set, STATUS -> FolderStatus.
import type { ImapFlow, ListResponse, StatusObject } from 'imapflow'
import type { Capability, FolderInfo, FolderStatus, SpecialUse } from '../types.js'

const SPECIAL_USES: readonly SpecialUse[] = ['\\Sent', '\\Drafts', '\\Trash', '\\Junk', '\\Archive', '\\All', '\\Flagged', '\\Important']

/**
 * Folders as the server lists them. Names are imapflow's decoded `path` (UTF-8; modified UTF-7
 * on the wire). Special-use comes only from the server (RFC 6154 attributes), never from
 * imapflow's guesses by folder name: automapping by name is the engine's decision.
 */
export async function listFolderInfos(client: ImapFlow): Promise<FolderInfo[]> {
  return sortedInfos(await client.list())
}

/** STATUS of the given folders from one LIST ... RETURN (STATUS ...) (RFC 5819). */
export async function listFolderStatuses(client: ImapFlow, names: readonly string[]): Promise<Map<string, FolderStatus>> {
  return pickStatuses((await listWithStatus(client)).statuses, names)
}

/**
 * The folders and the STATUS of each, from one LIST ... RETURN (STATUS ...) (RFC 5819): a run
 * that lists the folders and then asks their status needs one round trip, not two.
 */
export async function listWithStatus(client: ImapFlow): Promise<{ folders: FolderInfo[]; statuses: Map<string, FolderStatus> }> {
  const condstore = client.capabilities.has('CONDSTORE') || client.capabilities.has('QRESYNC')
  const entries = await client.list({ statusQuery: { messages: true, uidNext: true, uidValidity: true, highestModseq: condstore } })
  const statuses = new Map<string, FolderStatus>()
  for (const e of entries) {
    // A folder the server did not answer for is left out: its caller asks folderStatus.
    if (!e.status || 'error' in e.status || e.status.uidValidity === undefined) continue
    statuses.set(e.path, toFolderStatus(e.status))
  }
  return { folders: sortedInfos(entries), statuses }
}

/** The statuses of `names` that `statuses` has. */
export function pickStatuses(statuses: ReadonlyMap<string, FolderStatus>, names: readonly string[]): Map<string, FolderStatus> {
  const out = new Map<string, FolderStatus>()
  for (const n of names) {
    const st = statuses.get(n)
    if (st) out.set(n, st)
  }
  return out
}

function sortedInfos(entries: ListResponse[]): FolderInfo[] {
  return entries.map(toFolderInfo).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

export function toFolderInfo(e: ListResponse): FolderInfo {
  const flags = new Set([...e.flags].map((f) => f.toLowerCase()))
  const info: FolderInfo = {
    name: e.path,
    separator: e.delimiter || '/',
    selectable: !flags.has('\\noselect') && !flags.has('\\nonexistent'),
  }
  const use = serverSpecialUse(e)
  if (use) info.specialUse = use
  return info
}

function serverSpecialUse(e: ListResponse): SpecialUse | undefined {
  // Gmail's \Important (its Important folder) is no RFC 6154 attribute, so imapflow does not report it
  if (!e.specialUse && [...e.flags].some((f) => f.toLowerCase() === '\\important')) return '\\Important'
  if (!e.specialUse || e.specialUseSource === 'name') return undefined
  return SPECIAL_USES.find((s) => s.toLowerCase() === e.specialUse!.toLowerCase())
}

/** The hierarchy separator of the personal (INBOX) namespace. */
export function inboxSeparator(client: ImapFlow): string | undefined {
  return client.namespace?.delimiter || undefined
}

const CAPABILITY_NAMES: Record<string, Capability> = {
  UIDPLUS: 'UIDPLUS',
  CONDSTORE: 'CONDSTORE',
  QRESYNC: 'QRESYNC',
  MOVE: 'MOVE',
  'SPECIAL-USE': 'SPECIAL-USE',
  IDLE: 'IDLE',
  'COMPRESS=DEFLATE': 'COMPRESS',
  NAMESPACE: 'NAMESPACE',
}

export function mapCapabilities(server: Iterable<string>): Set<Capability> {
  const out = new Set<Capability>()
  for (const c of server) {
    const mapped = CAPABILITY_NAMES[c.toUpperCase()]
    if (mapped) out.add(mapped)
  }
  // QRESYNC implies CONDSTORE (RFC 7162 section 3.2.3).
  if (out.has('QRESYNC')) out.add('CONDSTORE')
  return out
}

export function toFolderStatus(s: StatusObject): FolderStatus {
  const out: FolderStatus = {
    uidValidity: Number(s.uidValidity ?? 0),
    uidNext: s.uidNext ?? 0,
  }
  if (typeof s.messages === 'number') out.messages = s.messages
  if (typeof s.highestModseq === 'bigint') out.highestModSeq = s.highestModseq
  return out
}

// The connected part of `mailsync info` as text: per repository what the server or store said,
// per account the folder mapping both ways (with problems in words) and the status cache figures.
// Pure: LiveInfo in, lines out.
import type { LiveAccount, LiveInfo, LiveRepository } from './info-live.js'
import type { MappingRow } from '../engine/folder-mapping-report.js'
import { formatTable } from './format.js'

export function renderRepositoryLive(r: LiveRepository, offline: boolean): string[] {
  const out: string[] = []
  if (r.type === 'IMAP') out.push(`  server: ${r.host}:${r.port}, user ${r.user ?? '(none)'}, TLS ${r.tls === 'implicit' ? 'implicit (imaps)' : r.tls}`)
  else out.push(`  store: Maildir at ${r.root}${r.missing ? ' (does not exist yet; the first run creates it)' : ''}`)
  if (r.certificateSha256) out.push(`  certificate SHA-256: ${r.certificateSha256}`)
  if (r.error) out.push(`  not connected: ${r.error}`)
  else if (!r.connected) out.push(offline ? '  not connected (--offline)' : '  not connected')
  if (r.capabilities) out.push(`  capabilities: ${r.capabilities.length ? r.capabilities.join(' ') : '(none of those mailsync uses)'}`)
  if (r.separator !== undefined) out.push(`  hierarchy separator: "${r.separator}"`)
  if (r.personalPrefix) out.push(`  personal namespace: "${r.personalPrefix}"`)
  if (r.folders) out.push(`  folders: ${r.folders.length}`)
  for (const l of r.layout ?? []) out.push(`  ${l}`)
  const spelled = (r.folders ?? []).filter((f) => f.diskName !== undefined)
  if (spelled.length) {
    out.push('  spelled on disk in modified UTF-7 (as OfflineIMAP and mbsync write them; mailsync uses these directories):')
    for (const f of spelled) out.push(`    ${f.name}  ->  ${f.diskName}`)
  }
  return out
}

function mappingTable(rows: MappingRow[], from: string, to: string): string {
  const body = rows.map((r) => [
    r.name + (r.specialUse ? ` (${r.specialUse})` : ''),
    !r.selectable ? 'parent' : r.kept ? 'yes' : 'no',
    r.target + (r.targetExists ? '' : ' (new)'),
    r.roundTrips ? 'yes' : `NO: "${r.back}"`,
    r.problems.length ? `PROBLEM (${r.problems.length})` : r.notes.filter((n) => !n.startsWith('left out')).join('; '),
  ])
  return formatTable([`${from} folder`, 'synced', `-> ${to} name`, 'maps back', 'notes'], body, 5).replace(/^/gm, '  ')
}

function accountLines(a: LiveAccount): string[] {
  const out = ['', `[Account ${a.name}] folder mapping: remote ${a.remote} <-> local ${a.local}`]
  if (!a.mapping) out.push(`  unavailable: ${a.mappingUnavailable}`)
  else {
    const remote = a.mapping.rows.filter((r) => r.side === 'remote')
    const local = a.mapping.rows.filter((r) => r.side === 'local')
    out.push(remote.length ? mappingTable(remote, 'remote', 'local') : '  (no remote folders)')
    out.push('', local.length ? mappingTable(local, 'local', 'remote') : '  (no local folders)')
    if (a.mapping.problems.length) {
      out.push('', `  ${a.mapping.problems.length} problem${a.mapping.problems.length === 1 ? '' : 's'} (fix nametrans / folderfilter; a two-way sync refuses such a mapping):`)
      for (const p of a.mapping.problems) out.push(`  - ${p}`)
    } else out.push('', '  mapping: no problems (every synced folder maps back to itself)')
  }
  const s = a.status
  out.push('', `  status cache: ${s.file}${s.exists ? '' : ' (never synced)'}`)
  if (s.error) out.push(`  cannot read it: ${s.error}`)
  if (s.pairs.length) {
    const rows = s.pairs.map((p) => [p.remote, p.local, String(p.messagesPaired), p.lastSync ?? 'never', `${p.uidValidityRemote ?? '-'} / ${p.uidValidityLocal ?? '-'}`])
    out.push(formatTable(['remote', 'local', 'messages paired', 'last sync', 'UIDVALIDITY remote / local'], rows, 2).replace(/^/gm, '  '))
  }
  return out
}

export function renderAccountsLive(live: LiveInfo): string[] {
  return live.accounts.flatMap(accountLines)
}

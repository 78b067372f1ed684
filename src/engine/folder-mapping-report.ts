// The folder mapping both ways, for people (`mailsync info`): every folder on each side, whether
// folderfilter keeps it, the name nametrans gives it on the other side, and that name translated
// back, with problems said in plain words. Pure: listings and functions in, a table out.
// It uses the same translation as the pairing (forwardName), so what it shows is what a sync does.
import type { SpecialUse } from '../repository/types.js'
import { forwardName, invalidNameReason, type PairingSide } from './folder-pairing.js'

export type SideLabel = 'remote' | 'local'

export interface MappingRow {
  /** The side the folder exists on. */
  side: SideLabel
  name: string
  selectable: boolean
  specialUse?: SpecialUse
  /** folderfilter (or folderincludes) keeps it. */
  kept: boolean
  /** Its name on the other side (nametrans, then the hierarchy separator converted). */
  target: string
  /** The other side's nametrans applied to `target`: equal to `name` when the mapping round-trips. */
  back: string
  roundTrips: boolean
  /** A folder of that name exists on the other side already. */
  targetExists: boolean
  /** What is wrong, in words a user understands (empty when nothing is). */
  problems: string[]
  /** Worth knowing but not wrong (special-use, not selectable, filtered out). */
  notes: string[]
}

export interface MappingReport {
  rows: MappingRow[]
  /** Every problem of every row, plus collisions, one sentence each. */
  problems: string[]
}

const other = (s: SideLabel): SideLabel => (s === 'remote' ? 'local' : 'remote')

function safely<T>(fn: () => T, fallback: (e: unknown) => T): T {
  try {
    return fn()
  } catch (e) {
    return fallback(e)
  }
}

function rowsFor(side: SideLabel, from: PairingSide, to: PairingSide): MappingRow[] {
  const existing = new Set(to.folders.map((f) => f.name))
  return from.folders.map((f) => {
    const problems: string[] = []
    const notes: string[] = []
    const kept = safely(() => from.folderfilter(f.name) || (from.includes ?? []).includes(f.name), (e) => {
      problems.push(`folderfilter fails on ${side} folder "${f.name}": ${(e as Error).message}`)
      return false
    })
    const target = safely(() => forwardName(from, to, f.name), (e) => {
      problems.push(`nametrans fails on ${side} folder "${f.name}": ${(e as Error).message}`)
      return ''
    })
    const back = target === '' ? '' : safely(() => forwardName(to, from, target), (e) => {
      problems.push(`the ${other(side)} nametrans fails on "${target}": ${(e as Error).message}`)
      return ''
    })
    const roundTrips = back === f.name
    if (!f.selectable) notes.push('holds no messages (a parent folder), not synced')
    if (!kept) notes.push('left out by folderfilter')
    if (f.specialUse) notes.push(`special-use ${f.specialUse}: goes to ${other(side)} "${target}"`)
    if (kept && f.selectable && problems.length === 0) {
      const bad = invalidNameReason(target, to.separator)
      if (bad) problems.push(`${side} folder "${f.name}" becomes "${target}", which cannot be a ${other(side)} folder: ${bad}`)
      const levels = f.name.split(from.separator)
      if (to.separator !== from.separator && levels.some((l) => l.includes(to.separator))) {
        problems.push(`${side} folder "${f.name}" has "${to.separator}" inside a name, which is the hierarchy separator on the ${other(side)} side: it would become nested folders there`)
      }
      const keptThere = safely(() => to.folderfilter(target), () => true)
      if (!roundTrips && keptThere && !bad) {
        problems.push(
          `${side} folder "${f.name}" becomes ${other(side)} "${target}", but "${target}" translates back to "${back}", not "${f.name}": ` +
            `give the ${other(side)} repository the inverse nametrans (or exclude "${target}" with its folderfilter), otherwise a folder "${back}" is created on the ${side} side on every two-way sync`,
        )
      }
    }
    return { side, name: f.name, selectable: f.selectable, specialUse: f.specialUse, kept, target, back, roundTrips, targetExists: existing.has(target), problems, notes }
  })
}

/** `remote` is side A (the account's remoterepository), `local` side B. */
export function folderMappingReport(remote: PairingSide, local: PairingSide): MappingReport {
  const rows = [...rowsFor('remote', remote, local), ...rowsFor('local', local, remote)]
  const problems: string[] = []
  for (const side of ['remote', 'local'] as const) {
    const byTarget = new Map<string, MappingRow[]>()
    for (const r of rows) {
      if (r.side !== side || !r.kept || !r.selectable || r.target === '') continue
      byTarget.set(r.target, [...(byTarget.get(r.target) ?? []), r])
    }
    for (const [target, list] of byTarget) {
      if (list.length < 2) continue
      const names = list.map((r) => `"${r.name}"`).join(' and ')
      const text = `${side} folders ${names} all become ${other(side)} "${target}": their mail would be mixed into one folder; change nametrans or folderfilter so each gets its own name`
      for (const r of list) r.problems.push(text)
      problems.push(text)
    }
  }
  for (const r of rows) for (const p of r.problems) if (!problems.includes(p)) problems.push(p)
  return { rows, problems }
}

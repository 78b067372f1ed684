// Folder pairing: which folder on side A goes with which on side B. folderfilter and nametrans
// apply as in OfflineIMAP (each repository's functions see that repository's own names; the
// hierarchy separator is converted after nametrans), special-use folders can be matched by their
// use, and mappings that collide or do not round-trip are refused before anything is touched.
// Between two IMAP servers the personal namespace's prefix is not part of a folder's name:
// Cyrus's `INBOX.Archive` is Dovecot's `Archive` (and back). A Maildir has no namespace: names
// from the server keep their prefix there (as every Maildir of a Cyrus account has them), and a
// Maildir name without it gets it on the way to the server, as imapflow would give it anyway;
// that does not map back, so a two-way sync refuses that folder (alone, the rest goes on).
import type { FolderInfo, SpecialUse } from '../repository/types.js'

export interface PairingSide {
  folders: readonly FolderInfo[]
  separator: string
  folderfilter: (name: string) => boolean
  nametrans: (name: string) => string
  /** Folders to include even where the filter says no (OfflineIMAP's folderincludes). */
  includes?: readonly string[]
  /**
   * The prefix of the personal namespace, in this side's own separator (`INBOX.` on Debian's
   * Cyrus, '' on Dovecot); undefined where the store has no namespaces (Maildir).
   */
  prefix?: string
}

export interface FolderPair {
  nameA: string
  nameB: string
  /** The folder does not exist yet on that side and will be created. */
  createA: boolean
  createB: boolean
  specialUse?: SpecialUse
  /** How the pair was made: nametrans (both directions), or special-use automap. */
  via: 'name' | 'special-use'
}

export interface PairingIssue {
  kind: 'collision' | 'round-trip' | 'invalid-name'
  message: string
  /** The folder (as named on its own side) the issue is about. */
  folder?: string
}

export interface PairingResult {
  pairs: FolderPair[]
  /** Folders left out, and why (filtered, not selectable, not created by policy). */
  left: { side: 'A' | 'B'; name: string; reason: string }[]
  issues: PairingIssue[]
}

export interface PairingOptions {
  createOnA: boolean
  createOnB: boolean
  /** Match source special-use folders to the target folder of the same use (migrate). */
  automap?: boolean
  /** Check that names map back (needed when folders are created in both directions). */
  checkRoundTrip?: boolean
  /** Only folders with one of these names (on either side). */
  only?: readonly string[]
}

export function convertSeparator(name: string, from: string, to: string): string {
  return from === to ? name : name.split(from).join(to)
}

/** Side A name -> side B name. */
export function forwardName(a: PairingSide, b: PairingSide, name: string): string {
  const translated = convertSeparator(a.nametrans(name), a.separator, b.separator)
  if (b.prefix === undefined) return translated
  return swapPrefix(translated, convertSeparator(a.prefix ?? '', a.separator, b.separator), b.prefix)
}

const startsWithPrefix = (name: string, prefix: string): boolean =>
  prefix !== '' && name.length > prefix.length && name.slice(0, prefix.length).toUpperCase() === prefix.toUpperCase()

/** A name without the source's personal prefix, with the target's (INBOX and its children stay as they are). */
function swapPrefix(name: string, from: string, to: string): string {
  if (from.toUpperCase() === to.toUpperCase() || name.toUpperCase() === 'INBOX') return name
  const bare = startsWithPrefix(name, from) ? name.slice(from.length) : name
  return to === '' || startsWithPrefix(bare, to) || bare.toUpperCase() === 'INBOX' ? bare : to + bare
}

/**
 * A folder of `from` (no namespaces: a Maildir) that would be made on `to` under its personal
 * prefix, and come back from there as another folder: why it cannot be synced both ways.
 */
function namespaceGap(from: PairingSide, to: PairingSide, name: string, mapped: string): string | undefined {
  if (from.prefix !== undefined || !to.prefix || forwardName(to, from, mapped) === name) return undefined
  return `the server keeps personal folders under "${to.prefix}", and "${mapped}" would come back as a second folder "${forwardName(to, from, mapped)}"; name it with the prefix (nametrans)`
}

export function invalidNameReason(name: string, sep: string): string | undefined {
  if (name === '') return 'the name is empty'
  const parts = name.split(sep)
  if (parts.some((p) => p === '')) return `it has an empty level (separator "${sep}" at the start, end or twice)`
  if (parts.some((p) => p === 'cur' || p === 'new' || p === 'tmp')) return 'a level is named cur, new or tmp (Maildir uses those)'
  if (parts.some((p) => p === '.' || p === '..')) return 'a level is "." or ".."'
  return undefined
}

/** A level of the translated name holds the other side's separator: it would split into two levels. */
function separatorClash(from: PairingSide, to: PairingSide, name: string): string | undefined {
  if (from.separator === to.separator) return undefined
  const levels = from.nametrans(name).split(from.separator)
  const bad = levels.find((l) => l.includes(to.separator))
  return bad === undefined ? undefined : `the level "${bad}" holds "${to.separator}", the other side's hierarchy separator`
}

/** `name` maps to `mapped` on the other side; `mapped` must map back to `name` through `back`. */
function roundTripIssue(back: PairingSide, to: PairingSide, name: string, mapped: string): PairingIssue | undefined {
  const again = forwardName(back, to, mapped)
  if (again === name) return undefined
  return {
    kind: 'round-trip',
    message: `"${name}" maps to "${mapped}", but "${mapped}" maps back to "${again}": the other side's nametrans must undo this one, or folders are created again on every run`,
  }
}

export function pairFolders(A: PairingSide, B: PairingSide, opts: PairingOptions): PairingResult {
  const result: PairingResult = { pairs: [], left: [], issues: [] }
  const keep = (side: PairingSide, f: FolderInfo): boolean => side.folderfilter(f.name) || (side.includes ?? []).includes(f.name)
  const aFolders = A.folders.filter((f) => f.selectable)
  const bFolders = B.folders.filter((f) => f.selectable)
  for (const f of A.folders) if (!f.selectable) result.left.push({ side: 'A', name: f.name, reason: 'not selectable' })
  for (const f of B.folders) if (!f.selectable) result.left.push({ side: 'B', name: f.name, reason: 'not selectable' })
  const bByName = new Map(bFolders.map((f) => [f.name, f]))
  const aByName = new Map(aFolders.map((f) => [f.name, f]))
  const pairedA = new Set<string>()
  const pairedB = new Map<string, string>() // nameB -> nameA

  const add = (p: FolderPair): void => {
    const other = pairedB.get(p.nameB)
    if (other !== undefined) {
      result.issues.push({ kind: 'collision', message: `folders "${other}" and "${p.nameA}" both map to "${p.nameB}"` })
      return
    }
    pairedA.add(p.nameA)
    pairedB.set(p.nameB, p.nameA)
    result.pairs.push(p)
  }

  if (opts.automap) {
    for (const fa of aFolders) {
      if (!fa.specialUse || !keep(A, fa)) continue
      const fb = bFolders.find((f) => f.specialUse === fa.specialUse)
      if (fb && !pairedB.has(fb.name)) add({ nameA: fa.name, nameB: fb.name, createA: false, createB: false, specialUse: fa.specialUse, via: 'special-use' })
    }
  }

  for (const fa of aFolders) {
    if (pairedA.has(fa.name)) continue
    if (!keep(A, fa)) {
      result.left.push({ side: 'A', name: fa.name, reason: 'excluded by folderfilter' })
      continue
    }
    const nameB = forwardName(A, B, fa.name)
    const bad = separatorClash(A, B, fa.name) ?? invalidNameReason(nameB, B.separator)
    if (bad) {
      result.issues.push({ kind: 'invalid-name', folder: fa.name, message: `"${fa.name}" maps to "${nameB}", which cannot be a folder on B: ${bad}` })
      continue
    }
    const exists = bByName.has(nameB)
    if (!exists && !opts.createOnB) {
      result.left.push({ side: 'A', name: fa.name, reason: `"${nameB}" does not exist on B and this command does not create folders there` })
      continue
    }
    const gapB = !exists && opts.checkRoundTrip ? namespaceGap(A, B, fa.name, nameB) : undefined
    if (gapB) {
      result.issues.push({ kind: 'invalid-name', folder: fa.name, message: `"${fa.name}" maps to "${nameB}", which cannot be a folder on B: ${gapB}` })
      continue
    }
    if (opts.checkRoundTrip && B.folderfilter(nameB)) {
      const issue = roundTripIssue(B, A, fa.name, nameB)
      if (issue) {
        result.issues.push(issue)
        continue
      }
    }
    add({ nameA: fa.name, nameB, createA: false, createB: !exists, specialUse: fa.specialUse, via: 'name' })
  }

  for (const fb of bFolders) {
    if (pairedB.has(fb.name)) continue
    if (!keep(B, fb)) {
      result.left.push({ side: 'B', name: fb.name, reason: 'excluded by folderfilter' })
      continue
    }
    const nameA = forwardName(B, A, fb.name)
    const fa = aByName.get(nameA)
    if (fa && pairedA.has(nameA)) {
      const other = result.pairs.find((p) => p.nameA === nameA)!
      // Harmless where nothing travels from B to A, or where A's folder went to B's folder of the
      // same special use: this B folder is then simply not part of the run.
      if (other.via === 'special-use' || !opts.createOnA) {
        result.left.push({ side: 'B', name: fb.name, reason: `"${nameA}" is paired with "${other.nameB}"` })
      } else {
        result.issues.push({ kind: 'collision', message: `"${fb.name}" maps to "${nameA}", which is already paired with "${other.nameB}"` })
      }
      continue
    }
    if (fa && !keep(A, fa)) {
      result.left.push({ side: 'B', name: fb.name, reason: `"${nameA}" is excluded by folderfilter on A` })
      continue
    }
    const bad = separatorClash(B, A, fb.name) ?? invalidNameReason(nameA, A.separator)
    if (bad) {
      result.issues.push({ kind: 'invalid-name', folder: fb.name, message: `"${fb.name}" maps to "${nameA}", which cannot be a folder on A: ${bad}` })
      continue
    }
    if (!fa && !opts.createOnA) {
      result.left.push({ side: 'B', name: fb.name, reason: `"${nameA}" does not exist on A and this command does not create folders there` })
      continue
    }
    const gapA = fa === undefined && opts.checkRoundTrip ? namespaceGap(B, A, fb.name, nameA) : undefined
    if (gapA) {
      result.issues.push({ kind: 'invalid-name', folder: fb.name, message: `"${fb.name}" maps to "${nameA}", which cannot be a folder on A: ${gapA}` })
      continue
    }
    if (opts.checkRoundTrip && fa === undefined && A.folderfilter(nameA)) {
      const issue = roundTripIssue(A, B, fb.name, nameA)
      if (issue) {
        result.issues.push(issue)
        continue
      }
    }
    add({ nameA, nameB: fb.name, createA: !fa, createB: false, specialUse: fa?.specialUse, via: 'name' })
  }

  if (opts.only?.length) {
    const only = new Set(opts.only)
    result.pairs = result.pairs.filter((p) => only.has(p.nameA) || only.has(p.nameB))
  }
  return result
}

// Three-way flag merge: per flag, a change on either side since the last sync wins over "no
// change". A flag cannot be added on one side and removed on the other since the base, since the
// base either had it or did not; so the merge never conflicts.

export interface FlagMergeResult {
  /** Flags each side should end with. */
  newA: string[]
  newB: string[]
  /** What to change on each side. */
  addA: string[]
  removeA: string[]
  addB: string[]
  removeB: string[]
  /** The new merge base to record. */
  base: string[]
}

const sorted = (s: Iterable<string>): string[] => [...s].sort()

export function mergeFlags(
  base: readonly string[],
  a: readonly string[],
  b: readonly string[],
  dir: { aToB: boolean; bToA: boolean },
): FlagMergeResult {
  // Most messages changed on neither side: the same sorted list three times.
  if (inOrderEqual(a, base) && inOrderEqual(b, base) && isSortedSet(base)) {
    return { newA: [...base], newB: [...base], addA: [], removeA: [], addB: [], removeB: [], base: [...base] }
  }
  const baseS = new Set(base)
  const aS = new Set(a)
  const bS = new Set(b)
  const newA = new Set(aS)
  const newB = new Set(bS)
  if (dir.aToB) {
    for (const f of aS) if (!baseS.has(f)) newB.add(f)
    for (const f of baseS) if (!aS.has(f)) newB.delete(f)
  }
  if (dir.bToA) {
    for (const f of bS) if (!baseS.has(f)) newA.add(f)
    for (const f of baseS) if (!bS.has(f)) newA.delete(f)
  }
  const diff = (from: Set<string>, to: Set<string>) => ({
    add: sorted([...to].filter((f) => !from.has(f))),
    remove: sorted([...from].filter((f) => !to.has(f))),
  })
  const dA = diff(aS, newA)
  const dB = diff(bS, newB)
  // One-way: the base follows the source; two-way: both sides now agree.
  const base2 = dir.bToA && !dir.aToB ? newB : newA
  return { newA: sorted(newA), newB: sorted(newB), addA: dA.add, removeA: dA.remove, addB: dB.add, removeB: dB.remove, base: sorted(base2) }
}

/** Flags for a pair seen for the first time (adopted): union for two-way, the source's for one-way. */
export function firstPairFlags(a: readonly string[], b: readonly string[], dir: { aToB: boolean; bToA: boolean }): FlagMergeResult {
  const base = firstPairBase(a, b, dir)
  if (dir.aToB && dir.bToA) return mergeFlags(base, a, b, dir)
  if (dir.aToB) return mergeFlags(base, a, b, { aToB: true, bToA: false }) // B := A
  if (dir.bToA) return mergeFlags(base, a, b, { aToB: false, bToA: true }) // A := B
  return mergeFlags(base, a, b, dir)
}

/**
 * The merge base firstPairFlags starts from. Recorded for an adopted pair until its flag changes
 * are made: a run killed in between merges from it again and makes the same changes (recording
 * the merged flags at once would make each side's missing flags look removed).
 */
export function firstPairBase(a: readonly string[], b: readonly string[], dir: { aToB: boolean; bToA: boolean }): readonly string[] {
  if (dir.aToB && dir.bToA) return []
  return dir.aToB ? b : a
}

function inOrderEqual(x: readonly string[], y: readonly string[]): boolean {
  if (x.length !== y.length) return false
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false
  return true
}

/** Strictly ascending: sorted, each flag once (what the slow path would return). */
function isSortedSet(x: readonly string[]): boolean {
  for (let i = 1; i < x.length; i++) if (!(x[i - 1]! < x[i]!)) return false
  return true
}

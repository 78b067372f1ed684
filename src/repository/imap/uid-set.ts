// UID lists as IMAP sequence sets: sorted, de-duplicated, runs compressed to ranges ("1:5,7,9:12"),
// and split so that no single command line grows without bound.

/** Sorted, de-duplicated positive integer UIDs; anything else is a bug in the caller. */
export function sortedUids(uids: Iterable<number>): number[] {
  const out = [...new Set(uids)]
  for (const u of out) {
    if (!Number.isInteger(u) || u < 1 || u > 0xffffffff) throw new RangeError(`not a valid UID: ${u}`)
  }
  return out.sort((a, b) => a - b)
}

/** "1:5,7,9:12" for [1,2,3,4,5,7,9,10,11,12]; "" for none. */
export function compressUids(uids: Iterable<number>): string {
  return uidRanges(sortedUids(uids)).map(rangeText).join(',')
}

/**
 * The same set as several sequence-set strings, each at most `maxChars` long (a range is never
 * split, and one range alone is always short), so long sparse lists do not make one huge command.
 */
export function uidSetChunks(uids: Iterable<number>, maxChars = 4000): string[] {
  const chunks: string[] = []
  let current = ''
  for (const r of uidRanges(sortedUids(uids))) {
    const text = rangeText(r)
    if (current && current.length + 1 + text.length > maxChars) {
      chunks.push(current)
      current = ''
    }
    current = current ? `${current},${text}` : text
  }
  if (current) chunks.push(current)
  return chunks
}

/** Split a sorted list into groups of at most `size` items. */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

type Range = [number, number]

function uidRanges(sorted: number[]): Range[] {
  const out: Range[] = []
  for (const u of sorted) {
    const last = out[out.length - 1]
    if (last && u === last[1] + 1) last[1] = u
    else out.push([u, u])
  }
  return out
}

function rangeText([a, b]: Range): string {
  return a === b ? String(a) : `${a}:${b}`
}

// Finding the same message on both sides without a record of it: after a crash between a copy
// and its bookkeeping, on a first sync of two filled stores, a restore onto a server that holds
// part of the backup, a resumed migration, or a UIDVALIDITY change. Never by a header we
// injected: by Message-ID + size, and by SHA-256 of the bytes wherever that is ambiguous.

export interface Candidate {
  uid: number
  size: number
  messageId?: string
}

/** Computes SHA-256 (hex) of the given messages' bytes on one side. */
export type HashLookup = (side: 'A' | 'B', uids: number[]) => Promise<Map<number, string>>

export interface Match {
  uidA: number
  uidB: number
}

/**
 * Pairs candidates one to one. A unique (Message-ID, size) on both sides pairs at once; groups
 * with several candidates on a side, and messages without Message-ID of equal size, are settled
 * by hashing the bytes. Unmatched candidates are left alone (the caller copies them).
 */
export async function matchCandidates(as: readonly Candidate[], bs: readonly Candidate[], hash: HashLookup): Promise<Match[]> {
  const matches: Match[] = []
  const groups = new Map<string, { a: Candidate[]; b: Candidate[] }>()
  const key = (c: Candidate) => (c.messageId ? `id:${c.messageId}\u0000${c.size}` : `size:${c.size}`)
  for (const c of as) group(groups, key(c)).a.push(c)
  for (const c of bs) group(groups, key(c)).b.push(c)
  const needA: number[] = []
  const needB: number[] = []
  const ambiguous: { a: Candidate[]; b: Candidate[] }[] = []
  for (const [k, g] of groups) {
    if (!g.a.length || !g.b.length) continue
    if (k.startsWith('id:') && g.a.length === 1 && g.b.length === 1) {
      matches.push({ uidA: g.a[0]!.uid, uidB: g.b[0]!.uid })
      continue
    }
    ambiguous.push(g)
    needA.push(...g.a.map((c) => c.uid))
    needB.push(...g.b.map((c) => c.uid))
  }
  if (!ambiguous.length) return matches
  const [ha, hb] = await Promise.all([hash('A', needA), hash('B', needB)])
  for (const g of ambiguous) {
    const byHash = new Map<string, number[]>()
    for (const c of g.b) {
      const h = hb.get(c.uid)
      if (h) (byHash.get(h) ?? byHash.set(h, []).get(h)!).push(c.uid)
    }
    for (const c of g.a) {
      const h = ha.get(c.uid)
      const pool = h ? byHash.get(h) : undefined
      const uidB = pool?.shift()
      if (uidB !== undefined) matches.push({ uidA: c.uid, uidB })
    }
  }
  return matches
}

function group<T>(m: Map<string, { a: T[]; b: T[] }>, k: string): { a: T[]; b: T[] } {
  let g = m.get(k)
  if (!g) m.set(k, (g = { a: [], b: [] }))
  return g
}

/**
 * Pairs unrecorded messages by the store's global identity (Gmail's X-GM-MSGID), where both sides
 * give one (Gmail -> Gmail): stronger than Message-ID, and it reads no header. An identity that
 * occurs more than once on a side pairs nothing (left to the Message-ID match).
 */
export function matchByGlobalId(as: readonly { uid: number; globalId?: string }[], bs: readonly { uid: number; globalId?: string }[]): Match[] {
  const once = (ms: readonly { uid: number; globalId?: string }[]) => {
    const seen = new Map<string, number | null>()
    for (const m of ms) if (m.globalId) seen.set(m.globalId, seen.has(m.globalId) ? null : m.uid)
    return seen
  }
  const a = once(as)
  const b = once(bs)
  const out: Match[] = []
  for (const [id, uidA] of a) {
    const uidB = b.get(id)
    if (uidA !== null && uidB !== undefined && uidB !== null) out.push({ uidA, uidB })
  }
  return out.sort((x, y) => x.uidA - y.uidA)
}

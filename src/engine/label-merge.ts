// Labels (Repository.labels: Gmail's X-GM-LABELS, a labels-keeping Maildir's sidecar) merged
// three-way per message, exactly as flags are (flag-merge.ts is a set merge): per label, a change
// on either side since the base wins. What differs is only around the merge: labels the account
// never syncs (`ignorelabels`) are taken out of all three sets first, so they are never added,
// removed or kept in the base; and a pair recorded before labels were in play has no label base,
// so it is merged as a first pairing (union for two-way, the source's for one-way).
import { firstPairBase, firstPairFlags, mergeFlags, type FlagMergeResult } from './flag-merge.js'

/** Where labels travel in a folder pair, and which never do. */
export interface LabelRules {
  aToB: boolean
  bToA: boolean
  /** `ignorelabels`, compared without regard to case (`\Important` is `\important`). */
  ignore: ReadonlySet<string>
}

/** `ignorelabels` as a set LabelRules can use. */
export function ignoreSet(labels: readonly string[] | undefined): ReadonlySet<string> {
  return new Set((labels ?? []).map((l) => l.trim().toLowerCase()).filter((l) => l.length > 0))
}

/** The labels that take part in the merge: sorted, each once, the ignored ones left out. */
export function syncedLabels(labels: readonly string[] | undefined, rules: LabelRules): string[] {
  const out = new Set<string>()
  for (const l of labels ?? []) if (!rules.ignore.has(l.toLowerCase())) out.add(l)
  return [...out].sort()
}

/** A recorded pair's label merge; `base` null: none recorded yet (merged as a first pairing). */
export function mergeLabels(base: readonly string[] | null, a: readonly string[] | undefined, b: readonly string[] | undefined, rules: LabelRules): FlagMergeResult {
  const dir = { aToB: rules.aToB, bToA: rules.bToA }
  const la = syncedLabels(a, rules)
  const lb = syncedLabels(b, rules)
  if (base === null) return firstPairFlags(la, lb, dir)
  return mergeFlags(syncedLabels(base, rules), la, lb, dir)
}

/** An adopted pair's labels: the merge (as firstPairFlags) and the base to record until its changes are made. */
export function firstPairLabels(a: readonly string[] | undefined, b: readonly string[] | undefined, rules: LabelRules): { merge: FlagMergeResult; before: string[] } {
  const dir = { aToB: rules.aToB, bToA: rules.bToA }
  const la = syncedLabels(a, rules)
  const lb = syncedLabels(b, rules)
  return { merge: firstPairFlags(la, lb, dir), before: [...firstPairBase(la, lb, dir)] }
}

// Samples per workload and tool, and the numbers the table shows.
import type { Sample } from './measure.js'

/** Items in the order of round `r`: rotated each round so no tool always goes first. */
export function rotation<T>(items: readonly T[], r: number): T[] {
  return items.map((_, i) => items[(i + r) % items.length]!)
}

export class Results {
  private readonly data = new Map<string, Map<string, Sample[]>>()

  add(workload: string, tool: string, s: Sample): void {
    let w = this.data.get(workload)
    if (!w) this.data.set(workload, (w = new Map()))
    let list = w.get(tool)
    if (!list) w.set(tool, (list = []))
    list.push(s)
  }

  workloads(): string[] {
    return [...this.data.keys()]
  }

  tools(workload: string): string[] {
    return [...(this.data.get(workload)?.keys() ?? [])]
  }

  summary(workload: string, tool: string): Summary | undefined {
    const s = this.data.get(workload)?.get(tool)
    return s?.length ? summarize(s) : undefined
  }

  /** Every sample, for bench/render-again.ts: workload -> tool -> samples. */
  toJSON(): Record<string, Record<string, Sample[]>> {
    return Object.fromEntries([...this.data].map(([w, m]) => [w, Object.fromEntries(m)]))
  }

  static fromJSON(j: Record<string, Record<string, Sample[]>>): Results {
    const r = new Results()
    for (const [w, tools] of Object.entries(j)) for (const [t, samples] of Object.entries(tools)) for (const s of samples) r.add(w, t, s)
    return r
  }
}

export interface Summary {
  runs: number
  medianMs: number
  minMs: number
  maxMs: number
  /** Highest peak RSS over the runs, MiB. */
  peakRssMiB: number
  /** Median round trips and connections of the runs through a simulated link. */
  roundTrips?: number
  connections?: number
  maxRoundTripsPerConnection?: number
  /** Median wire floor of those runs (LinkCounts.wireMs). */
  wireMs?: number
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

export function summarize(samples: Sample[]): Summary {
  const walls = samples.map((s) => s.wallMs)
  return {
    runs: samples.length,
    medianMs: median(walls),
    minMs: Math.min(...walls),
    maxMs: Math.max(...walls),
    peakRssMiB: Math.max(...samples.map((s) => s.rssKiB)) / 1024,
    ...(samples.every((s) => s.link) ? {
      roundTrips: median(samples.map((s) => s.link!.roundTrips)),
      connections: median(samples.map((s) => s.link!.connections)),
      maxRoundTripsPerConnection: median(samples.map((s) => s.link!.maxRoundTripsPerConnection)),
      wireMs: median(samples.map((s) => s.link!.wireMs ?? 0)),
    } : {}),
  }
}

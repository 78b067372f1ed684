// A small deterministic PRNG (mulberry32) for test data: the same seed gives the same sequence on
// every machine and Node version. Never Math.random in generated corpora.

/** Mixes numbers into one 32-bit seed (order matters), e.g. mixSeed(corpusSeed, messageIndex). */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5
  for (const p of parts) {
    let x = (p >>> 0) ^ Math.floor(p / 0x1_0000_0000)
    for (let i = 0; i < 4; i++) {
      h ^= x & 0xff
      h = Math.imul(h, 0x01000193)
      x >>>= 8
    }
  }
  // final avalanche so nearby inputs give unrelated seeds
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

export class SeededRandom {
  private state: number

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number, got ${seed}`)
    this.state = mixSeed(seed)
  }

  /** Next unsigned 32-bit integer. */
  uint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 0x1_0000_0000
  }

  /** Integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list')
    return items[Math.floor(this.next() * items.length)]!
  }

  /** One item, chosen with probability proportional to its weight. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((s, [, w]) => s + w, 0)
    let r = this.next() * total
    for (const [item, w] of items) {
      r -= w
      if (r < 0) return item
    }
    return items[items.length - 1]![0]
  }

  /** Log-uniform in [min, max): most values near min, a long tail towards max. */
  logUniform(min: number, max: number): number {
    return Math.floor(Math.exp(Math.log(min) + this.next() * (Math.log(max) - Math.log(min))))
  }

  /** Fills `buf` with pseudo-random bytes. */
  fill(buf: Buffer): void {
    let i = 0
    for (; i + 4 <= buf.length; i += 4) buf.writeUInt32LE(this.uint32(), i)
    if (i < buf.length) {
      let last = this.uint32()
      for (; i < buf.length; i++, last >>>= 8) buf[i] = last & 0xff
    }
  }
}

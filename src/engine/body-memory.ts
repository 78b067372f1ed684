// Keeps the memory of message bodies already handled from piling up.
//
// A body Buffer's bytes live outside V8's heap. The Buffer usually outlives two minor GCs (it
// waits in a fetch batch while the one before is written), so it moves to the old generation and
// its bytes are only freed by a full GC, which V8 starts on its own only after tens of MB of such
// memory: 50-80 MB of a pull's peak RSS were bodies already written. After every few MB of bodies
// the engine asks here; when more than `limitBytes` are held outside the heap, one full GC runs
// (5-15 ms on this heap), so the peak stays near the bodies really in use.
import v8 from 'node:v8'
import vm from 'node:vm'

export interface BodyMemoryOptions {
  /** Check after this many bytes of bodies (default 8 MiB). */
  everyBytes?: number
  /** Collect when more than this is held outside the heap (default 24 MiB). */
  limitBytes?: number
  /** Bytes held outside the heap now. */
  external?: () => number
  /** Runs a full GC; undefined when the runtime cannot. */
  collect?: (() => void) | undefined
}

export class BodyMemory {
  private sinceCheck = 0
  private readonly everyBytes: number
  private readonly limitBytes: number
  private readonly external: () => number
  private collect: (() => void) | undefined | null
  /** Full GCs run so far (for tests). */
  collections = 0

  constructor(opts: BodyMemoryOptions = {}) {
    this.everyBytes = opts.everyBytes ?? 8 * 1024 * 1024
    this.limitBytes = opts.limitBytes ?? 24 * 1024 * 1024
    this.external = opts.external ?? (() => v8.getHeapStatistics().external_memory)
    // looked up at the first check (making a context costs a few ms a short run need not pay)
    this.collect = 'collect' in opts ? opts.collect : null
  }

  /** A body of `bytes` was handled (written, appended, dropped). */
  handled(bytes: number): void {
    this.sinceCheck += bytes
    if (this.sinceCheck < this.everyBytes) return
    this.sinceCheck = 0
    if (this.external() <= this.limitBytes) return
    if (this.collect === null) this.collect = fullGc()
    if (!this.collect) return
    this.collect()
    this.collections++
  }
}

/**
 * V8's gc(), which a new context exposes once --expose-gc is set (the main context was made
 * before, so it has none); undefined where that is not possible.
 */
function fullGc(): (() => void) | undefined {
  try {
    v8.setFlagsFromString('--expose-gc')
    const gc = vm.runInNewContext('gc') as unknown
    return typeof gc === 'function' ? () => (gc as () => void)() : undefined
  } catch {
    return undefined
  }
}

/** One per process: every copy shares the count. */
export const bodyMemory = new BodyMemory()

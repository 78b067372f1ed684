// Keeps memory the run no longer uses from piling up before V8 gets round to freeing it.
//
// Message bodies: a body Buffer's bytes live outside V8's heap. The Buffer usually outlives two
// minor GCs (it waits in a fetch batch while the one before is written), so it moves to the old
// generation and its bytes are only freed by a full GC, which V8 starts on its own only after tens
// of MB of such memory: 50-80 MB of a pull's peak RSS were bodies already written. After every few
// MB of bodies the engine asks here; when more than `limitBytes` are held outside the heap, one
// full GC runs (5-15 ms on this heap), so the peak stays near the bodies really in use.
//
// Folders: listing and planning a large folder leaves tens of MB of dead objects in the old
// generation (records, listings, plans), and with several folders in flight the heap grew to
// ~110 MB when ~30 MB were live (a 100,000-message re-list: ~185 MB peak RSS). After each folder
// the engine asks here; above `heapLimitBytes` in use, one full GC runs.
import v8 from 'node:v8'
import vm from 'node:vm'

export interface MemoryKeeperOptions {
  /** Check after this many bytes of bodies (default 8 MiB). */
  everyBytes?: number
  /** Collect when more than this is held outside the heap (default 24 MiB). */
  limitBytes?: number
  /** Collect after a folder when more than this of the heap is in use (default 48 MiB). */
  heapLimitBytes?: number
  /** Bytes held outside the heap now. */
  external?: () => number
  /** Bytes of the heap in use now (live or not yet collected). */
  heapUsed?: () => number
  /** Runs a full GC; undefined when the runtime cannot. */
  collect?: (() => void) | undefined
}

export class MemoryKeeper {
  private sinceCheck = 0
  private readonly everyBytes: number
  private readonly limitBytes: number
  private readonly heapLimitBytes: number
  private readonly external: () => number
  private readonly heapUsed: () => number
  private collect: (() => void) | undefined | null
  /** Full GCs run so far (for tests). */
  collections = 0

  constructor(opts: MemoryKeeperOptions = {}) {
    this.everyBytes = opts.everyBytes ?? 8 * 1024 * 1024
    this.limitBytes = opts.limitBytes ?? 24 * 1024 * 1024
    this.heapLimitBytes = opts.heapLimitBytes ?? 48 * 1024 * 1024
    this.external = opts.external ?? (() => v8.getHeapStatistics().external_memory)
    this.heapUsed = opts.heapUsed ?? (() => v8.getHeapStatistics().used_heap_size)
    // looked up at the first collection (making a context costs a few ms a short run need not pay)
    this.collect = 'collect' in opts ? opts.collect : null
  }

  /** A body of `bytes` was handled (written, appended, dropped). */
  bodyHandled(bytes: number): void {
    this.sinceCheck += bytes
    if (this.sinceCheck < this.everyBytes) return
    this.sinceCheck = 0
    if (this.external() > this.limitBytes) this.collectNow()
  }

  /** A folder pair is done (its listings and plan are garbage now). */
  folderDone(): void {
    if (this.heapUsed() > this.heapLimitBytes) this.collectNow()
  }

  private collectNow(): void {
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

/** One per process: every copy and folder shares the counts. */
export const memoryKeeper = new MemoryKeeper()

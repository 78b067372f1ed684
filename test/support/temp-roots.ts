// Temp directories for one test file: a base made before its tests and removed after them, and
// a fresh empty directory in it for each test that asks.
import { before, after } from 'node:test'
import { mkdtemp, rm, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface TempRoots {
  /** The base directory (set once the file's `before` hooks have run). */
  readonly base: string
  /** A new empty directory `<base>/r<n>`. */
  fresh(): Promise<string>
}

/** Registers the file's before/after hooks: call at the top level of a test file. */
export function tempRoots(prefix: string): TempRoots {
  let base = ''
  let n = 0
  before(async () => {
    base = await mkdtemp(join(tmpdir(), prefix))
  })
  after(async () => {
    await rm(base, { recursive: true, force: true })
  })
  return {
    get base() {
      return base
    },
    async fresh() {
      const root = join(base, `r${++n}`)
      await mkdir(root)
      return root
    },
  }
}

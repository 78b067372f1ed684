// Loads dist/mailsync.cjs (every command, oclif and imapflow in one file; see write-bundle.ts) the
// way require() would: the same CommonJS wrapper and a require() rooted at the bundle. It goes
// through vm.Script so V8 can start from the code it compiled on an earlier run (code cache)
// instead of parsing and compiling ~2 MB again. The cache only ever saves time: a missing,
// foreign, corrupt or rejected one means compiling as usual, and failing to write one is ignored.
import Module, { createRequire } from 'node:module'
import { readFileSync, statSync } from 'node:fs'
import { dirname, join, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import vm from 'node:vm'
import type { Failure } from '../failure.js'
import { bundleSideCacheFile, readCodeCache, removeOtherUserCaches, userCacheFile, writeCodeCache } from './code-cache.js'

/** What dist/mailsync.cjs exports (src/cli/bundle/entry.ts). */
export interface BundleExports {
  runCli(argv: string[], root: string): Promise<void>
  describeFailure(err: unknown, opts: { debug: boolean; command?: string }): Failure
}

export interface LoadedBundle {
  exports: BundleExports
  file: string
  /** hit: V8 took the cached code; miss: there was none usable; rejected: V8 refused it. */
  codeCache: 'hit' | 'miss' | 'rejected'
  cacheFile?: string
  /** After a run that had to compile: keep V8's code (including what this run compiled) for the next run. Never throws. */
  saveCodeCache(env?: NodeJS.ProcessEnv): string | undefined
}

export type BundleLookup = { bundle: LoadedBundle } | { reason: string }

export const BUNDLE_NAME = 'mailsync.cjs'
const ID_LINE = /^\/\/ mailsync-bundle ([0-9a-f]{16,64})\n/

/** The first line of a bundle: `// mailsync-bundle <id>`, the id naming its contents. */
export function bundleIdLine(id: string): string {
  return `// mailsync-bundle ${id}\n`
}

/** The bundle of the package at `root`, or why the unbundled modules have to be used instead. */
export function loadBundle(root: string, env: NodeJS.ProcessEnv = process.env): BundleLookup {
  if (env.MAILSYNC_NO_BUNDLE) return { reason: 'MAILSYNC_NO_BUNDLE is set' }
  const file = join(root, 'dist', BUNDLE_NAME)
  const stale = staleness(file, root)
  if (stale) return { reason: stale }
  let source: string
  try {
    source = readFileSync(file, 'utf8')
  } catch (err) {
    return { reason: `cannot read dist/${BUNDLE_NAME}: ${(err as Error).message}` }
  }
  const id = ID_LINE.exec(source)?.[1]
  if (!id) return { reason: `dist/${BUNDLE_NAME} does not start with a mailsync-bundle line` }

  const candidates = [bundleSideCacheFile(file), userCacheFile(id, env)].filter((f): f is string => f !== undefined)
  let cacheFile: string | undefined
  let cachedData: Buffer | undefined
  for (const f of candidates) {
    cachedData = readCodeCache(f, id)
    if (cachedData) {
      cacheFile = f
      break
    }
  }
  let script: vm.Script
  let exports: BundleExports
  try {
    script = new vm.Script(Module.wrap(source), {
      filename: file,
      cachedData,
      // oclif may import() a plugin or hook file; let that work as it would outside vm
      importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    } as vm.ScriptOptions)
    const wrapper = script.runInThisContext() as (...args: unknown[]) => void
    const mod = { exports: {} as BundleExports, filename: file, id: file, loaded: false }
    wrapper.call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file))
    mod.loaded = true
    exports = mod.exports
  } catch (err) {
    return { reason: `dist/${BUNDLE_NAME} failed to load: ${(err as Error).message}` }
  }
  const codeCache = cachedData === undefined ? 'miss' : script.cachedDataRejected ? 'rejected' : 'hit'
  return {
    bundle: {
      exports,
      file,
      codeCache,
      ...(codeCache === 'hit' ? { cacheFile } : {}),
      saveCodeCache: (saveEnv = env) => (codeCache === 'hit' ? undefined : saveCache(script, file, id, saveEnv)),
    },
  }
}

/** Why the bundle cannot be used, when it is missing or older than the compiled files it was built from. */
function staleness(file: string, root: string): string | undefined {
  let bundleTime: number
  try {
    bundleTime = statSync(file).mtimeMs
  } catch {
    return `no dist/${BUNDLE_NAME} (build with \`npm run build\`)`
  }
  // tsc rewrites every file it compiles, this one included: newer than the bundle means the
  // bundle was not rebuilt after the last compile (e.g. a tsc-only build). Not in a package npm
  // installed (a directory inside node_modules): nothing compiles there, and npm writes the files
  // in tarball order with the time of the install, entry.js often after the bundle.
  if (root.split(sep).includes('node_modules')) return undefined
  const compiled = fileURLToPath(new URL('./entry.js', import.meta.url))
  try {
    if (statSync(compiled).mtimeMs > bundleTime) return `dist/${BUNDLE_NAME} is older than the compiled sources`
  } catch {
    // entry.js absent (an install with the bundle only): nothing to compare against
  }
  return undefined
}

function saveCache(script: vm.Script, file: string, id: string, env: NodeJS.ProcessEnv): string | undefined {
  let data: Buffer
  try {
    data = script.createCachedData()
  } catch {
    return undefined
  }
  const bundleSide = bundleSideCacheFile(file)
  try {
    writeCodeCache(bundleSide, id, data)
    return bundleSide
  } catch {
    // read-only install directory: the per-user cache below
  }
  const user = userCacheFile(id, env)
  if (!user) return undefined
  try {
    writeCodeCache(user, id, data)
    removeOtherUserCaches(user)
    return user
  } catch {
    return undefined
  }
}

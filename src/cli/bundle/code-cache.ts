// The files that keep V8's compiled code for dist/mailsync.cjs between runs. One header line says
// which bundle, which Node and which bytes it holds; a file whose header does not match, or whose
// bytes do not match their checksum, is ignored (as if missing). Written atomically (temp file +
// rename), so a reader never sees half a file. Nothing here throws on a missing or bad file.
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, isAbsolute, join } from 'node:path'
import { crc32 } from 'node:zlib'

const MAGIC = 'mailsync-code-cache/1'
const SUFFIX = '.code-cache'

function header(bundleId: string, data: Buffer): string {
  return `${MAGIC} ${bundleId} ${process.version} ${process.platform}-${process.arch} ${data.length} ${crc32(data).toString(16)}\n`
}

/** The cache next to the bundle (written by `npm run build`, or by a run when that directory is writable). */
export function bundleSideCacheFile(bundleFile: string): string {
  return bundleFile + SUFFIX
}

/** The per-user cache, for an install directory mailsync cannot write to: $XDG_CACHE_HOME/mailsync/. */
export function userCacheFile(bundleId: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const xdg = env.XDG_CACHE_HOME
  const base = xdg && isAbsolute(xdg) ? xdg : env.HOME ? join(env.HOME, '.cache') : homedirOrUndefined()
  if (!base) return undefined
  return join(base, 'mailsync', `bundle-${bundleId}-${process.version}-${process.arch}${SUFFIX}`)
}

function homedirOrUndefined(): string | undefined {
  try {
    return join(homedir(), '.cache')
  } catch {
    return undefined
  }
}

/** The V8 data in `file` if it was made for this bundle on this Node and is intact; otherwise undefined. */
export function readCodeCache(file: string, bundleId: string): Buffer | undefined {
  let bytes: Buffer
  try {
    bytes = readFileSync(file)
  } catch {
    return undefined
  }
  const eol = bytes.indexOf(0x0a)
  if (eol < 0 || eol > 512) return undefined
  const data = bytes.subarray(eol + 1)
  return bytes.toString('latin1', 0, eol + 1) === header(bundleId, data) ? data : undefined
}

/** Writes `data` to `file` atomically (temp file in the same directory, then rename). Throws on failure. */
export function writeCodeCache(file: string, bundleId: string, data: Buffer): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  const temp = `${file}.${process.pid}.tmp`
  try {
    writeFileSync(temp, Buffer.concat([Buffer.from(header(bundleId, data), 'latin1'), data]), { mode: 0o644 })
    renameSync(temp, file)
  } catch (err) {
    rmSync(temp, { force: true })
    throw err
  }
}

/** Removes the other bundles' files from the per-user cache directory (one bundle's worth stays). */
export function removeOtherUserCaches(keep: string): void {
  try {
    const dir = dirname(keep)
    for (const name of readdirSync(dir)) {
      if (name.startsWith('bundle-') && name.endsWith(SUFFIX) && join(dir, name) !== keep) rmSync(join(dir, name), { force: true })
    }
  } catch {
    // a cache that cannot be tidied is still a cache
  }
}

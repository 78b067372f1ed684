// An npm registry on 127.0.0.1 that knows exactly the packages of package-lock.json (those a user
// installs: not the dev ones), serving their tarballs from the local npm cache (`npm ci` put them
// there), so a test can `npm install -g` the packed mailsync without any network, and gets the
// very versions the lock pins.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'

interface LockEntry {
  name?: string
  version?: string
  resolved?: string
  integrity?: string
  dev?: boolean
  link?: boolean
  [field: string]: unknown
}

export interface LocalRegistry {
  url: string
  /** name -> versions served */
  packages: Map<string, string[]>
  close(): Promise<void>
}

/** Fields of a lock entry that are also fields of the version's manifest in a packument. */
const MANIFEST_FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies', 'peerDependenciesMeta', 'bin', 'engines', 'os', 'cpu', 'license', 'hasInstallScript', 'deprecated']

/** The npm cache directory (`npm config get cache`, which npm also hands its scripts as npm_config_cache). */
export function npmCacheDir(): string {
  const fromEnv = process.env.npm_config_cache
  if (fromEnv) return fromEnv
  const r = spawnSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`npm config get cache: ${r.stderr}`)
  return r.stdout.trim()
}

/** Where cacache keeps the bytes of this integrity (`sha512-<base64>`). */
export function cacheContentPath(cache: string, integrity: string): string {
  const [algo, digest] = integrity.split(' ')[0]!.split('-', 2) as [string, string]
  const hex = Buffer.from(digest, 'base64').toString('hex')
  return join(cache, '_cacache', 'content-v2', algo, hex.slice(0, 2), hex.slice(2, 4), hex.slice(4))
}

/** Starts the registry for the runtime packages of `lockFile`; throws when a tarball cannot be had. */
export async function startLocalRegistry(lockFile: string, cache = npmCacheDir()): Promise<LocalRegistry> {
  const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as { packages: Record<string, LockEntry> }
  const versions = new Map<string, Map<string, { manifest: Record<string, unknown>; file: string; integrity: string }>>()
  for (const [key, entry] of Object.entries(lock.packages)) {
    if (key === '' || entry.dev || entry.link || !entry.version || !entry.integrity) continue
    const name = entry.name ?? key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length)
    const file = cacheContentPath(cache, entry.integrity)
    // a cleaned cache: npm can fill it again (this one needs the real registry)
    if (!existsSync(file)) spawnSync('npm', ['cache', 'add', `${name}@${entry.version}`, '--cache', cache], { stdio: 'ignore' })
    if (!existsSync(file)) throw new Error(`${name}@${entry.version} is not in the npm cache ${cache} and npm cannot add it (run npm ci)`)
    const manifest: Record<string, unknown> = { name, version: entry.version }
    for (const field of MANIFEST_FIELDS) if (entry[field] !== undefined) manifest[field] = entry[field]
    if (!versions.has(name)) versions.set(name, new Map())
    versions.get(name)!.set(entry.version, { manifest, file, integrity: entry.integrity })
  }

  let base = ''
  const tarballPath = (name: string, version: string) => `/-/tarballs/${encodeURIComponent(name)}/${version}.tgz`
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!)
    const tarball = /^\/-\/tarballs\/(.+)\/([^/]+)\.tgz$/.exec(path)
    if (tarball) {
      const v = versions.get(tarball[1]!)?.get(tarball[2]!)
      if (!v) return void res.writeHead(404).end()
      res.writeHead(200, { 'content-type': 'application/octet-stream' })
      return void res.end(readFileSync(v.file))
    }
    const name = path.slice(1)
    const known = versions.get(name)
    if (!known) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}')
    const all = [...known.entries()]
    const packument = {
      name,
      'dist-tags': { latest: all[all.length - 1]![0] },
      versions: Object.fromEntries(all.map(([version, v]) => [version, {
        ...v.manifest,
        dist: { tarball: `${base}${tarballPath(name, version).slice(1)}`, integrity: v.integrity },
      }])),
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(packument))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  return {
    url: base,
    packages: new Map([...versions].map(([name, v]) => [name, [...v.keys()]])),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

// Writes dist/mailsync.cjs (run after tsc by `npm run build`): why and how.
// Start-up of a real command used to be mostly module loading: ~100 of our ESM files, oclif, and
// imapflow's CommonJS build (which eagerly loads pino, libmime, iconv-lite, ...). esbuild puts the
// compiled commands (dist/, so the bundle runs exactly what tsc emitted), oclif, imapflow, p-queue
// and cli-progress into ONE minified CommonJS file; better-sqlite3 stays outside (native addon), and so do typescript and the fleet's bullmq/ioredis (loaded only by `batch enqueue`, `batch status --redis` and `worker`);
// pino is replaced by a silent stub (pino-stub.ts says why that is safe). CommonJS, because V8's
// code cache is only reachable for scripts (vm.Script cachedData) on Node 20. The first line names
// the contents (`// mailsync-bundle <sha256 prefix>`), which is what a code-cache file must match.
// bin/run.js loads the bundle through load-bundle.ts when it is at least as new as dist/, and
// entry.ts runs a command from a static table instead of letting oclif import command files.
// Last, one warm-up run through the bundle writes the code cache next to it (see below).
import { build, type Plugin as EsbuildPlugin } from 'esbuild'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bundleSideCacheFile } from './code-cache.js'
import { BUNDLE_NAME, bundleIdLine } from './load-bundle.js'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..', '..', '..')
const outfile = join(root, 'dist', BUNDLE_NAME)

/**
 * `createRequire(import.meta.url)('x')` (connect.ts loads imapflow's CommonJS build that way) is
 * plain `require('x')` in a CommonJS bundle, where esbuild can follow it. Any other import.meta
 * is left alone, and esbuild's empty-import-meta warning (an error here) stops the build.
 */
const requireThroughCreateRequire: EsbuildPlugin = {
  name: 'create-require-import-meta',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, (args) => {
      if (!args.path.startsWith(join(root, 'dist') + '/')) return undefined
      const text = readFileSync(args.path, 'utf8')
      if (!text.includes('import.meta')) return undefined
      return { contents: text.replace(/\bcreateRequire\(import\.meta\.url\)\(/g, 'require('), loader: 'js' }
    })
  },
}

const result = await build({
  entryPoints: [join(here, 'entry.js')],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  // class and function names stay as written: error names and oclif's fallbacks read them
  keepNames: true,
  // typescript: oclif requires it only to read a tsconfig when developing plugins in TypeScript,
  // never on mailsync's paths; left outside it is still found in node_modules if ever asked for
  external: ['better-sqlite3', 'typescript', 'ts-node', 'bullmq', 'ioredis'],
  alias: { pino: join(here, 'pino-stub.js') },
  plugins: [requireThroughCreateRequire],
  logLevel: 'warning',
  logOverride: { 'empty-import-meta': 'error' },
  legalComments: 'none',
  metafile: true,
  write: false,
})

const inputs = Object.keys(result.metafile.inputs)
const must = ['node_modules/imapflow/dist/cjs/imap-flow.js', 'node_modules/@oclif/core/lib/main.js', 'dist/commands/sync.js', 'dist/src/cli/bundle/pino-stub.js']
// a work tree whose node_modules is a link to another checkout's sees them as ../other/node_modules/...
for (const m of must) if (!inputs.some((i) => i === m || i.endsWith(`/${m}`))) throw new Error(`write-bundle: ${m} is not in the bundle`)
for (const i of inputs) {
  if (/node_modules\/(pino|better-sqlite3|typescript)\//.test(i)) throw new Error(`write-bundle: ${i} must not be in the bundle`)
}

const text = result.outputFiles[0]!.text
const id = createHash('sha256').update(text).digest('hex').slice(0, 32)
const temp = `${outfile}.${process.pid}.tmp`
writeFileSync(temp, bundleIdLine(id) + text)
renameSync(temp, outfile)

// Warm-up: one `sync` through the bundle, in a private home, against a loopback port nobody listens
// on (it fails at connecting, exit 69). That compiles what every sync runs up to the network (config,
// flags, job set-up, imapflow) and so makes a code cache that suits cron runs: as fast as one made
// by a real sync, and smaller (less memory) than one made by `info`.
const home = mkdtempSync(join(tmpdir(), 'mailsync-warm-'))
try {
  const port = await closedLoopbackPort()
  const config = join(home, 'config')
  writeFileSync(config, `[general]\naccounts = a\nmetadata = ${join(home, 'state')}\n\n[Account a]\nlocalrepository = l\nremoterepository = r\n\n[Repository l]\ntype = Maildir\nlocalfolders = ${join(home, 'mail')}\n\n[Repository r]\ntype = IMAP\nremotehost = 127.0.0.1\nremoteport = ${port}\nssl = no\nstarttls = no\nremoteuser = u\nremotepass = p\n`, { mode: 0o600 })
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, XDG_CONFIG_HOME: join(home, 'c'), XDG_STATE_HOME: join(home, 's'), XDG_CACHE_HOME: join(home, 'cache'), MAILSYNC_DEBUG_STARTUP: '1' }
  const run = spawnSync(process.execPath, [join(root, 'bin', 'run.js'), 'sync', '-q', '-c', config], { env, encoding: 'utf8', timeout: 60_000 })
  // (an unchanged rebuild keeps the bundle's id, and so its cache: then the run says "hit")
  const cacheReady = run.stderr.includes(`code cache written to ${bundleSideCacheFile(outfile)}`) || run.stderr.includes('code cache hit')
  if (!run.stderr.includes('startup: bundle') || !cacheReady) {
    throw new Error(`write-bundle: the warm-up run through the bundle did not write its code cache (exit ${run.status}):\n${run.stderr}`)
  }
  const cached = readFileSync(bundleSideCacheFile(outfile)).length
  process.stdout.write(`dist/${BUNDLE_NAME}: ${(text.length / 1e6).toFixed(2)} MB from ${inputs.length} files; code cache ${(cached / 1e6).toFixed(2)} MB (${relative(root, bundleSideCacheFile(outfile))})\n`)
} finally {
  rmSync(home, { recursive: true, force: true })
}

/** A loopback port that was free a moment ago: connecting to it is refused at once. */
function closedLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}

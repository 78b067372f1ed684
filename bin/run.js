#!/usr/bin/env -S MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=262144 node
// Entry point of the `mailsync` binary: hands the arguments to oclif, through the one-file bundle
// dist/mailsync.cjs when the build made one (fast start-up), else to oclif loading only the
// command that was asked for (see package.json "oclif"). Errors that reach this point were
// either already printed by a command (an oclif ExitError carrying the exit code) or happened
// before any command ran (unknown command): both go through the same renderer.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import v8 from 'node:v8'

// Memory (issue 5: peak RSS <= 150 MB while moving 10,000 messages). Message buffers live outside
// V8's heap and are freed only when a GC finds them dead; V8 lets its young generation grow to
// 16 MB semi-spaces, and tens of MB of dead buffers then wait for the next scavenge. Keeping the
// young generation at its starting size (set before anything is allocated; command-line V8 flags
// would make Node refuse its own compiled built-ins, ~15 ms per start) frees them every MB or so.
// The first line also runs glibc with two malloc arenas and puts buffers of 256 KiB and more in
// mappings of their own, returned to the system when freed instead of left as holes in the heap.
// Measured on a 10k pull: peak RSS ~165 -> ~130 MB, ~8% more time. `node bin/run.js` (no first
// line) gets the V8 setting only. glibc read the variables at start-up; programs we start
// (passcmd) do not need them.
v8.setFlagsFromString('--semi-space-growth-factor=1')
// The full GCs of src/engine/memory-keeper.ts need --expose-gc. It is set here, before the bundle
// is loaded, with the other flag: V8 accepts a code cache only from a run with the same flags, so
// a run that set it later wrote a cache the next run rejected (and a cron backup rewrote it).
v8.setFlagsFromString('--expose-gc')
for (const [name, value] of [['MALLOC_ARENA_MAX', '2'], ['MALLOC_MMAP_THRESHOLD_', '262144']]) {
  if (process.env[name] === value) delete process.env[name]
}

let argv = process.argv.slice(2)
// `mailsync help [COMMAND]` is `mailsync [COMMAND] --help` (oclif's help command is a plugin we do not load).
if (argv[0] === 'help') argv = [...argv.slice(1), '--help']

const helpPage = prerenderedHelp(argv)
if (argv.length === 1 && argv[0] === '--version') {
  // Fast path: no need to load oclif to print the version (same text as oclif prints).
  const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`${userAgent(pjson)}\n`)
} else if (helpPage !== undefined) {
  process.stdout.write(helpPage)
} else {
  const bundle = await loadBundle()
  try {
    if (bundle) {
      await bundle.exports.runCli(argv, packageRoot())
    } else {
      const { run, flush } = await import('@oclif/core')
      await run(argv, import.meta.url)
      await flush()
    }
    saveCodeCache(bundle)
  } catch (error) {
    saveCodeCache(bundle)
    const { describeFailure } = bundle ? bundle.exports : await import('../dist/src/cli/failure.js')
    const failure = describeFailure(error, { debug: argv.includes('--debug') })
    if (failure.text) process.stderr.write(failure.text + '\n')
    process.exitCode = failure.exitCode
    // Do not wait for sockets or timers a failed run may have left behind.
    process.stdout.write('', () => process.stderr.write('', () => process.exit(failure.exitCode)))
  }
}

/**
 * dist/mailsync.cjs (everything a command needs in one file, with V8's code cache; see
 * src/cli/bundle/write-bundle.ts), or undefined when it is missing or older than dist/ (e.g. after
 * a tsc-only build): then oclif loads the command from dist/commands as it always could.
 * MAILSYNC_DEBUG_STARTUP=1 says on stderr which way was taken.
 */
async function loadBundle() {
  let found
  try {
    const loader = await import('../dist/src/cli/bundle/load-bundle.js')
    found = loader.loadBundle(packageRoot())
  } catch (error) {
    found = { reason: `no bundle loader: ${error.message}` }
  }
  if (process.env.MAILSYNC_DEBUG_STARTUP) {
    process.on('exit', () => {
      const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')
      process.stderr.write(`mailsync: startup: young generation at exit ${((young?.space_size ?? 0) / 2 ** 20).toFixed(1)} MiB\n`)
    })
    const b = found.bundle
    process.stderr.write(b ? `mailsync: startup: bundle ${b.file}, code cache ${b.codeCache}${b.cacheFile ? ` (${b.cacheFile})` : ''}\n` : `mailsync: startup: modules (${found.reason})\n`)
  }
  return found.bundle
}

function saveCodeCache(bundle) {
  const written = bundle?.saveCodeCache()
  if (written && process.env.MAILSYNC_DEBUG_STARTUP) process.stderr.write(`mailsync: startup: code cache written to ${written}\n`)
}

/** The directory holding package.json, bin/ and dist/. */
function packageRoot() {
  return fileURLToPath(new URL('..', import.meta.url)).replace(/\/+$/, '')
}

function userAgent(pjson) {
  return `${pjson.name}/${pjson.version} ${process.platform}-${process.arch} node-${process.version}`
}

/**
 * `mailsync --help` and `mailsync COMMAND --help`, as oclif rendered them at build time
 * (dist/help.json, written by `npm run build`); undefined when that file is missing or stale.
 */
function prerenderedHelp(args) {
  const helpFlag = (a) => a === '--help' || a === '-h'
  let id
  if (args.length === 1 && helpFlag(args[0])) id = ''
  else if (args.length === 2 && helpFlag(args[1]) && /^[a-z]+$/.test(args[0])) id = args[0]
  else return undefined
  try {
    const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
    const help = JSON.parse(readFileSync(new URL('../dist/help.json', import.meta.url), 'utf8'))
    if (help.version !== pjson.version || typeof help.pages[id] !== 'string') return undefined
    return help.pages[id].split(help.userAgent).join(userAgent(pjson))
  } catch {
    return undefined
  }
}

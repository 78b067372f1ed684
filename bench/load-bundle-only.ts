// For bench/startup-floor.ts: start as bin/run.js does (the same V8 flags, then the bundle through
// its code cache), evaluate the bundle, and stop before any command runs.
import v8 from 'node:v8'
import { REPO_ROOT } from './tools.js'

v8.setFlagsFromString('--semi-space-growth-factor=1')
v8.setFlagsFromString('--expose-gc')
const { loadBundle } = await import('../src/cli/bundle/load-bundle.js')
const found = loadBundle(REPO_ROOT)
if (!('bundle' in found)) throw new Error(`no bundle: ${found.reason}`)
if (found.bundle.codeCache !== 'hit') throw new Error(`the code cache was not taken (${found.bundle.codeCache}): run mailsync once first`)

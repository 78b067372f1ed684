// `node dist/bench/startup-floor.js [--runs N]`: what a run with nothing to do pays before any
// mail work, and so the most a startup snapshot of the initialised heap could save. Median of N
// runs each (default 20), one after the other:
//   node -e 0                    Node's own start: no snapshot of ours can go below it
//   node + the bundle loaded     bin/run.js's way (code cache), and the commands' modules evaluated
//   mailsync --version           the path that loads no bundle
// A snapshot would replace the second line's difference to the first (loading and evaluating the
// bundle) by deserialising a heap holding it; the rest of a no-change run (config, SQLite, the
// server's answers) is work a snapshot cannot do in advance.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { REPO_ROOT, MAILSYNC } from './tools.js'
import { median } from './stats.js'

const i = process.argv.indexOf('--runs')
const RUNS = i >= 0 ? Number(process.argv[i + 1]) : 20

function time(args: string[]): number {
  const xs: number[] = []
  for (let r = 0; r < RUNS; r++) {
    const t = process.hrtime.bigint()
    const res = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] })
    if (res.status !== 0) throw new Error(`${args.join(' ')} exited ${res.status}`)
    xs.push(Number(process.hrtime.bigint() - t) / 1e6)
  }
  return median(xs)
}

const loadOnly = join(REPO_ROOT, 'dist', 'bench', 'load-bundle-only.js')
time([MAILSYNC, '--version']) // a first run writes the code cache where it is missing
const rows: [string, number][] = [
  ['node -e 0', time(['-e', '0'])],
  ['node + the bundle loaded (code cache) and evaluated', time([loadOnly])],
  ['mailsync --version (no bundle)', time([MAILSYNC, '--version'])],
]
process.stdout.write(`| start-up part (median of ${RUNS}) | ms |\n|---|---:|\n${rows.map(([n, ms]) => `| ${n} | ${ms.toFixed(1)} |`).join('\n')}\n`)
process.stdout.write(`\nloading and evaluating the bundle: ${(rows[1]![1] - rows[0]![1]).toFixed(1)} ms, the most a snapshot of it could save\n`)

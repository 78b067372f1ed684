// Writes a report again from the samples a bench run kept (bench/results/NAME.json) with the
// notes as they are now, so the notes can be corrected without an hour of runs:
//   node dist/bench/render-again.js bench/results/BENCHMARKS.json [OUT.md] [--replace OTHER.json]
// --replace: the workloads OTHER.json measured (a narrowed run, e.g. --only startup made again on a
// quiet machine) take the place of the same workloads' samples; the notes should say so.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { writeBenchmarksMd, type ReportInput } from './report.js'
import { Results } from './stats.js'
import { BENCH_NOTES } from './notes.js'
import { REPO_ROOT } from './tools.js'

type Saved = ReportInput & { results: Parameters<typeof Results.fromJSON>[0] }
const argv = process.argv.slice(2)
const r = argv.indexOf('--replace')
const replace = r >= 0 ? argv.splice(r, 2)[1] : undefined
const [from, out = join(REPO_ROOT, 'BENCHMARKS.md')] = argv
if (!from) throw new Error('usage: node dist/bench/render-again.js SAMPLES.json [OUT.md] [--replace OTHER.json]')
const input = JSON.parse(readFileSync(from, 'utf8')) as Saved
if (replace) {
  const other = JSON.parse(readFileSync(replace, 'utf8')) as Saved
  Object.assign(input.results, other.results)
  Object.assign(input.info, other.info)
}
writeBenchmarksMd(out, { ...input, results: Results.fromJSON(input.results) }, BENCH_NOTES)
process.stderr.write(`wrote ${out}\n`)

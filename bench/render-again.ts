// Writes a report again from the samples a bench run kept (bench/results/NAME.json) with the
// notes as they are now, so the notes can be corrected without an hour of runs:
//   node dist/bench/render-again.js bench/results/BENCHMARKS.json [OUT.md]
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { writeBenchmarksMd, type ReportInput } from './report.js'
import { Results } from './stats.js'
import { BENCH_NOTES } from './notes.js'
import { REPO_ROOT } from './tools.js'

const [from, out = join(REPO_ROOT, 'BENCHMARKS.md')] = process.argv.slice(2)
if (!from) throw new Error('usage: node dist/bench/render-again.js SAMPLES.json [OUT.md]')
const input = JSON.parse(readFileSync(from, 'utf8')) as ReportInput & { results: Record<string, Record<string, never[]>> }
writeBenchmarksMd(out, { ...input, results: Results.fromJSON(input.results) }, BENCH_NOTES)
process.stderr.write(`wrote ${out}\n`)

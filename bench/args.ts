// Command line of the benchmark: `node dist/bench/run.js [--runs N] [--quick] [--messages N]
// [--folders N] [--large-messages N] [--links 30ms,100ms] [--only workload[,workload]] [--out FILE] [--skip tool[,tool]] [--disk tmpfs|ext4] [--no-write]`.
import { LINKS } from './link-proxy.js'

export const WORKLOADS = ['startup', 'initial', 'nochange', 'delta', 'migrate', 'bigmessage', 'nochange100k', 'link'] as const
export type Workload = (typeof WORKLOADS)[number]
export const TOOLS = ['mailsync', 'mbsync', 'offlineimap'] as const
export type Tool = (typeof TOOLS)[number]

export interface BenchArgs {
  runs: number
  messages: number
  folders: number
  only: Set<Workload>
  skip: Set<Tool>
  disk: 'tmpfs' | 'ext4'
  /** Write the report (off with --no-write). */
  write: boolean
  /** Report file: BENCHMARKS.md for a full run, bench/results/ when --only or --skip narrowed it. */
  out?: string
  /** Size of the single large message of the memory check, in MiB. */
  bigMessageMiB: number
  /** Messages and folders of the large no-change check (default 100,000 in 40). */
  largeMessages: number
  largeFolders: number
  /** The simulated links of the link workloads (bench/link-proxy.ts), by key. */
  links: string[]
}

export function parseArgs(argv: string[]): BenchArgs {
  const a: BenchArgs = {
    runs: 5, messages: 10_000, folders: 14, only: new Set(WORKLOADS), skip: new Set(), disk: 'tmpfs', write: true, bigMessageMiB: 100, largeMessages: 100_000, largeFolders: 40, links: LINKS.map((l) => l.key),
  }
  const next = (i: number, name: string): string => {
    const v = argv[i + 1]
    if (v === undefined) throw new Error(`${name} needs a value`)
    return v
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    switch (arg) {
      case '--runs': a.runs = positive(next(i++, arg), arg); break
      case '--messages': a.messages = positive(next(i++, arg), arg); break
      case '--folders': a.folders = positive(next(i++, arg), arg); break
      case '--big-message-mib': a.bigMessageMiB = positive(next(i++, arg), arg); break
      case '--large-messages': a.largeMessages = positive(next(i++, arg), arg); break
      case '--quick': a.messages = 1000; a.runs = 3; a.largeMessages = 5000; break
      case '--only': a.only = new Set(list(next(i++, arg), WORKLOADS, arg)); break
      case '--skip': a.skip = new Set(list(next(i++, arg), TOOLS, arg)); break
      case '--disk': {
        const v = next(i++, arg)
        if (v !== 'tmpfs' && v !== 'ext4') throw new Error('--disk is tmpfs or ext4')
        a.disk = v
        break
      }
      case '--links': a.links = list(next(i++, arg), LINKS.map((l) => l.key), arg); break
      case '--no-write': a.write = false; break
      case '--out': a.out = next(i++, arg); break
      default: throw new Error(`unknown argument ${arg} (see bench/args.ts)`)
    }
  }
  return a
}

function positive(v: string, name: string): number {
  const n = Number(v)
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} wants a positive integer, not ${v}`)
  return n
}

function list<T extends string>(v: string, allowed: readonly T[], name: string): T[] {
  const items = v.split(',').map((s) => s.trim()).filter(Boolean)
  for (const s of items) if (!allowed.includes(s as T)) throw new Error(`${name}: ${s} is not one of ${allowed.join(', ')}`)
  return items as T[]
}

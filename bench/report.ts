// The result table (printed and written to BENCHMARKS.md) and the check against the issue's bars.
import { writeFileSync } from 'node:fs'
import { LINKS, linkTitle } from './link-proxy.js'
import type { MachineInfo } from './peers.js'
import type { Results, Summary } from './stats.js'

export interface WorkloadInfo {
  title: string
  /** What each tool ran. */
  commands: Record<string, string>
}

const secs = (ms: number): string => (ms / 1000).toFixed(ms < 1000 ? 3 : 2)

const isLink = (w: string): boolean => w.startsWith('link')

export function resultTable(results: Results, info: Record<string, WorkloadInfo>): string {
  const rows = ['| workload | tool | runs | median s | min s | max s | peak RSS MiB | mailsync / mbsync |', '|---|---|---:|---:|---:|---:|---:|---:|']
  for (const w of results.workloads().filter((x) => !isLink(x))) {
    const mb = results.summary(w, 'mbsync')
    const ms = results.summary(w, 'mailsync')
    for (const tool of results.tools(w)) {
      const s = results.summary(w, tool)!
      const ratio = tool === 'mailsync' && mb && ms ? (ms.medianMs / mb.medianMs).toFixed(2) : ''
      rows.push(`| ${info[w]?.title ?? w} | ${tool} | ${s.runs} | ${secs(s.medianMs)} | ${secs(s.minMs)} | ${secs(s.maxMs)} | ${s.peakRssMiB.toFixed(0)} | ${ratio} |`)
    }
  }
  return rows.join('\n')
}

/** The link workloads: time, and the round trips the runs cost (medians). */
export function linkTable(results: Results, info: Record<string, WorkloadInfo>): string {
  const rows = [
    '| workload | tool | runs | median s | min s | max s | wire floor s | round trips | connections | most round trips on one connection | mailsync / mbsync |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ]
  for (const w of results.workloads().filter(isLink)) {
    const mb = results.summary(w, 'mbsync')
    const ms = results.summary(w, 'mailsync')
    for (const tool of results.tools(w)) {
      const s = results.summary(w, tool)!
      const ratio = tool === 'mailsync' && mb && ms ? (ms.medianMs / mb.medianMs).toFixed(2) : ''
      rows.push(`| ${info[w]?.title ?? w} | ${tool} | ${s.runs} | ${secs(s.medianMs)} | ${secs(s.minMs)} | ${secs(s.maxMs)} | ${s.wireMs === undefined ? '' : secs(s.wireMs)} | ${s.roundTrips ?? ''} | ${s.connections ?? ''} | ${s.maxRoundTripsPerConnection ?? ''} | ${ratio} |`)
    }
  }
  return rows.length > 2 ? rows.join('\n') : ''
}

interface Bar {
  text: string
  check(r: Results): { value: string; met: boolean } | undefined
}

const ratioBar = (workload: string, max: number, text: string): Bar => ({
  text,
  check: (r) => {
    const a = r.summary(workload, 'mailsync')
    const b = r.summary(workload, 'mbsync')
    if (!a || !b) return undefined
    const x = a.medianMs / b.medianMs
    // over a link: the lowest ratio the wire allows mailsync (its bytes at the link's rate)
    const floor = a.wireMs ? `; wire floor ${secs(a.wireMs)} s = ${(a.wireMs / b.medianMs).toFixed(2)}x` : ''
    return { value: `${x.toFixed(2)}x (${secs(a.medianMs)} s vs ${secs(b.medianMs)} s${floor})`, met: x <= max }
  },
})

const wallBar = (workload: string, tool: string, maxMs: number, text: string): Bar => ({
  text,
  check: (r) => {
    const a = r.summary(workload, tool)
    return a ? { value: `${secs(a.medianMs)} s`, met: a.medianMs <= maxMs } : undefined
  },
})

/** Issue 18's bars over each simulated link. */
const LINK_BARS: Bar[] = LINKS.flatMap((l) => [
  ratioBar(`link${l.key}-initial`, 0.5, `initial pull <= 0.5x mbsync, ${linkTitle(l)}`),
  ratioBar(`link${l.key}-migrate`, 0.35, `IMAP -> IMAP <= 0.35x mbsync, ${linkTitle(l)}`),
  ratioBar(`link${l.key}-nochange`, 1.0, `no-change re-run <= 1.0x mbsync, ${linkTitle(l)}`),
  ratioBar(`link${l.key}-delta`, 1.0, `100 new + 100 flag changes <= 1.0x mbsync, ${linkTitle(l)}`),
])

const BARS: Bar[] = [
  ratioBar('initial', 1.5, 'initial pull <= 1.5x mbsync (issue 18)'),
  ratioBar('initial', 1.0, 'initial backup <= 1.0x mbsync (issue 5)'),
  {
    text: 'initial backup >= 5x faster than OfflineIMAP',
    check: (r) => {
      const a = r.summary('initial', 'mailsync')
      const o = r.summary('initial', 'offlineimap')
      if (!a || !o) return undefined
      const x = o.medianMs / a.medianMs
      return { value: `${x.toFixed(1)}x faster`, met: x >= 5 }
    },
  },
  wallBar('nochange', 'mailsync', 350, 'no-change sync <= 0.35 s (10k corpus, incl. process start)'),
  ratioBar('nochange', 2.0, 'no-change re-run <= 2x mbsync (10k corpus)'),
  ratioBar('firstrerun', 2.0, 'first re-run straight after the pull <= 2x mbsync (10k corpus)'),
  ratioBar('nochange100k', 0.5, 'no-change sync on the 100,000-message corpus <= 0.5x mbsync'),
  wallBar('delta', 'mailsync', 600, 'sync after 100 new + 100 flag changes <= 0.6 s'),
  ratioBar('migrate', 1.0, 'migrate <= 1.0x mbsync IMAP -> IMAP'),
  wallBar('version', 'mailsync', 150, '`mailsync --version` <= 150 ms'),
  wallBar('help', 'mailsync', 150, '`mailsync sync --help` <= 150 ms'),
  {
    text: 'peak RSS <= 150 MiB in every mailsync run',
    check: (r) => {
      const all = r.workloads().map((w) => [w, r.summary(w, 'mailsync')] as const).filter((x): x is [string, Summary] => !!x[1])
      if (!all.length) return undefined
      const [w, worst] = all.reduce((a, b) => (b[1].peakRssMiB > a[1].peakRssMiB ? b : a))
      return { value: `max ${worst.peakRssMiB.toFixed(0)} MiB (${w})`, met: worst.peakRssMiB <= 150 }
    },
  },
]

export function barTable(results: Results): string {
  const rows = ['| bar | measured | met |', '|---|---|---|']
  for (const b of [...BARS, ...LINK_BARS]) {
    const c = b.check(results)
    if (c) rows.push(`| ${b.text} | ${c.value} | ${c.met ? 'yes' : '**no**'} |`)
  }
  return rows.join('\n')
}

export function commandList(info: Record<string, WorkloadInfo>, results: Results): string {
  return results.workloads().map((w) => {
    const i = info[w]
    if (!i) return ''
    return `- **${i.title}**\n${Object.entries(i.commands).map(([t, c]) => `  - ${t}: ${c}`).join('\n')}`
  }).filter(Boolean).join('\n')
}

export interface ReportInput {
  machine: MachineInfo
  results: Results
  info: Record<string, WorkloadInfo>
  corpus: string
  disk: string
  argv: string
  installed: string[]
}

export function writeBenchmarksMd(file: string, r: ReportInput, notes: string): void {
  const m = r.machine
  writeFileSync(file, `# Benchmarks

Generated by \`npm run bench${r.argv ? ` -- ${r.argv}` : ''}\` (bench/run.ts) on ${m.date}.

Machine: ${m.nproc} CPUs (${m.cpus}), ${m.memoryGiB} GiB RAM, ${m.os}, kernel ${m.kernel}, Node ${m.node}.
Servers and peers: Dovecot ${m.dovecot}, mbsync ${m.mbsync}, offlineimap3 ${m.offlineimap}.${r.installed.length ? ` Installed by the bench run: ${r.installed.join(', ')}.` : ''}

Corpus: ${r.corpus}. Maildir targets and the test Dovecots' stores: ${r.disk}.
Every tool talks plain IMAP to Dovecot on 127.0.0.1 (no TLS for anyone). Tools alternate run by
run (the order rotates each round); wall time is measured around the whole process (process start
included), peak RSS is GNU time's maximum resident set size of the process.

## Results

${resultTable(r.results, r.info)}

${linkTable(r.results, r.info) ? `## Over a simulated link

Through bench/link-proxy.ts: a TCP proxy on loopback that delays each chunk by half the round-trip
time each way, shares one bandwidth budget per direction among all of a tool's connections, and
charges one round trip for each TCP handshake. *Round trips* counts the times a client sent again
after the server's reply had reached it (a client that pipelines ten commands and then waits pays
one), summed over its connections; *most round trips on one connection* is what a parallel
client's critical path paid. *Wire floor* is the time the run's bytes needed on the busier
direction of the link at its rate: no tool can take less. The servers behind the link offer
COMPRESS=DEFLATE and both tools use it; the server's compression runs on the same 2 cores as
the client and the proxy.

${linkTable(r.results, r.info)}

` : ''}## The bars

${barTable(r.results)}

## What ran

${commandList(r.info, r.results)}

${notes}
`)
}

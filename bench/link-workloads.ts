// The workloads of the loopback table again, through a simulated link (bench/link-proxy.ts):
// initial pull, no-change re-run, 100 new + 100 flag changes, IMAP -> IMAP; mailsync against
// mbsync, alternating, with the round trips each run cost. OfflineIMAP is left out (on loopback
// it already takes 20x mailsync's time; over a link it only waits longer).
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { startDovecot, TEST_PASSWORD, type DovecotInstance } from '../test/support/dovecot.js'
import type { BenchArgs, Tool } from './args.js'
import { LinkProxy, linkTitle, type LinkProfile } from './link-proxy.js'
import type { ImapEndpoint } from './peer-configs.js'
import type { WorkloadInfo } from './report.js'
import { changeServer } from './server-changes.js'
import { rotation, type Results } from './stats.js'
import { COMMANDS, resetDirs, runMaildirTool, runMigrateTool, toolDirs } from './tools.js'

type LinkTool = 'mailsync' | 'mbsync'

/** Dovecot offering COMPRESS=DEFLATE (RFC 4978), as servers on the Internet commonly do; mbsync 1.4 does not use it. */
export const OFFER_COMPRESS = 'protocol imap {\n  mail_plugins = $mail_plugins imap_zlib\n}\n'

export interface LinkContext {
  args: BenchArgs
  root: string
  /** The corpus account, on loopback (changes are made there directly, not through the link). */
  source: ImapEndpoint
  results: Results
  info: Record<string, WorkloadInfo>
  servers: DovecotInstance[]
  tools: readonly Tool[]
  log: (s: string) => void
}

/** Workload key of one link workload, e.g. "link30ms-initial". */
export const linkWorkload = (link: LinkProfile, what: 'initial' | 'nochange' | 'delta' | 'migrate'): string => `link${link.key}-${what}`

export async function linkWorkloads(c: LinkContext, links: readonly LinkProfile[]): Promise<void> {
  const tools = c.tools.filter((t): t is LinkTool => t === 'mailsync' || t === 'mbsync')
  for (const [i, link] of links.entries()) {
    const proxy = await new LinkProxy(c.source.port, link).start()
    try {
      await maildirWorkloads(c, tools, link, proxy, i)
      await migrateWorkload(c, tools, link, proxy)
    } finally {
      await proxy.stop()
    }
  }
}

async function maildirWorkloads(c: LinkContext, tools: LinkTool[], link: LinkProfile, proxy: LinkProxy, linkIndex: number): Promise<void> {
  const e: ImapEndpoint = { ...c.source, port: proxy.port, remote: true }
  const title = linkTitle(link)
  const pick = (cmds: Record<string, string>) => Object.fromEntries(tools.map((t) => [t, cmds[t]!]))
  const dirsOf = (t: LinkTool) => toolDirs(c.root, `link${link.key}-${t}`)
  const run = async (w: string, tool: LinkTool, mode: 'initial' | 'rerun', label: string): Promise<void> => {
    proxy.takeCounts()
    const s = await runMaildirTool(tool, mode, e, dirsOf(tool))
    const n = proxy.takeCounts()
    c.results.add(w, tool, { ...s, link: n })
    c.log(`${label} ${tool}: ${(s.wallMs / 1000).toFixed(2)} s, ${n.roundTrips} round trips over ${n.connections} connections, ${(n.bytesDown / 2 ** 20).toFixed(1)} MiB down, wire floor ${((n.wireMs ?? 0) / 1000).toFixed(2)} s`)
  }
  c.info[linkWorkload(link, 'initial')] = { title: `initial pull, ${title}`, commands: pick(COMMANDS.initial) }
  for (let r = 0; r < c.args.runs; r++) {
    for (const tool of rotation(tools, r)) {
      resetDirs(dirsOf(tool))
      await run(linkWorkload(link, 'initial'), tool, 'initial', `${title} initial ${r + 1}/${c.args.runs}`)
    }
  }
  for (const tool of tools) for (let i = 0; i < 2; i++) await runMaildirTool(tool, 'rerun', e, dirsOf(tool))
  await sleep(1100) // mbsync waits out a Maildir changed within the current second
  c.info[linkWorkload(link, 'nochange')] = { title: `no-change re-run, ${title}`, commands: pick(COMMANDS.rerun) }
  for (let r = 0; r < c.args.runs; r++) {
    for (const tool of rotation(tools, r)) await run(linkWorkload(link, 'nochange'), tool, 'rerun', `${title} no-change ${r + 1}/${c.args.runs}`)
  }
  c.info[linkWorkload(link, 'delta')] = { title: `100 new + 100 flag changes, ${title}`, commands: pick(COMMANDS.rerun) }
  for (let r = 0; r < c.args.runs; r++) {
    // rounds of their own, so the loopback delta's messages are not appended twice
    await changeServer(c.source, 100 * (linkIndex + 1) + r, 100, 100)
    await sleep(1100)
    for (const tool of rotation(tools, r)) await run(linkWorkload(link, 'delta'), tool, 'rerun', `${title} delta ${r + 1}/${c.args.runs}`)
  }
}

/** IMAP -> IMAP with both servers behind the link (the admin's machine is near neither). */
async function migrateWorkload(c: LinkContext, tools: LinkTool[], link: LinkProfile, fromProxy: LinkProxy): Promise<void> {
  const w = linkWorkload(link, 'migrate')
  c.info[w] = { title: `IMAP -> IMAP, ${linkTitle(link)}`, commands: Object.fromEntries(tools.map((t) => [t, COMMANDS.migrate[t]])) }
  const users = tools.flatMap((t) => Array.from({ length: c.args.runs }, (_, r) => `${t}${r}`))
  const dst = await startDovecot({ users, maxUserIpConnections: 200, extraConfig: OFFER_COMPRESS })
  c.servers.push(dst)
  const toProxy = await new LinkProxy(dst.port, link).start()
  try {
    for (let r = 0; r < c.args.runs; r++) {
      for (const tool of rotation(tools, r)) {
        const user = `${tool}${r}`
        const d = toolDirs(c.root, `link${link.key}-migrate-${tool}`)
        resetDirs(d)
        fromProxy.takeCounts()
        toProxy.takeCounts()
        const s = await runMigrateTool(tool, { ...c.source, port: fromProxy.port, remote: true }, { port: toProxy.port, user, password: TEST_PASSWORD, remote: true }, d)
        const a = fromProxy.takeCounts()
        const b = toProxy.takeCounts()
        const n = {
          connections: a.connections + b.connections,
          roundTrips: a.roundTrips + b.roundTrips,
          maxRoundTripsPerConnection: Math.max(a.maxRoundTripsPerConnection, b.maxRoundTripsPerConnection),
          bytesUp: a.bytesUp + b.bytesUp,
          bytesDown: a.bytesDown + b.bytesDown,
          // each server has its own link: the floor is the busier of the two
          wireMs: Math.max(a.wireMs ?? 0, b.wireMs ?? 0),
        }
        c.results.add(w, tool, { ...s, link: n })
        c.log(`${linkTitle(link)} migrate ${r + 1}/${c.args.runs} ${tool}: ${(s.wallMs / 1000).toFixed(2)} s, ${n.roundTrips} round trips over ${n.connections} connections, wire floor ${(n.wireMs / 1000).toFixed(2)} s`)
        await sleep(200)
        rmSync(join(dst.dir, 'mail', user), { recursive: true, force: true })
      }
    }
  } finally {
    await toProxy.stop()
  }
}

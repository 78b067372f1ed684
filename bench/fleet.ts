// `npm run bench:fleet`: a fleet migration between two Dovecots on this machine, MAILBOXES
// mailboxes of MESSAGES messages each (default 200 x 200), done four ways, each into a fresh
// target server: `mailsync migrate --batch` with 1, 4 and 8 mailboxes at a time; `batch enqueue`
// on a private redis-server and 1 or 3 `mailsync worker` processes (4 mailboxes each); and the
// way admins do it today, one IMAP -> IMAP mbsync per mailbox driven by GNU parallel with the same
// number of jobs. Reported: wall time, messages/s, peak RSS per process, and the most sessions
// each server had at once (counted from its log). Prints a Markdown table and writes it to
// bench/results/fleet-<date>.md.
// The batch runs are not quiet, so that a failing run shows why (measure prints the end of its output).
// Options: --mailboxes N --messages N --parallel 1,4,8 --workers 1,3 --max-connections-per-server N
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startDovecot, TEST_PASSWORD, type DovecotInstance } from '../test/support/dovecot.js'
import { generateCorpus } from '../test/support/corpus.js'
import { fillDovecotMaildir } from '../test/support/corpus-maildir.js'
import { peakSessions } from '../test/support/fleet-world.js'
import { startRedis } from '../test/support/redis.js'
import { measure, cleanupMeasure, type Sample } from './measure.js'
import { writeMbsyncImapConfig } from './peer-configs.js'
import { ensurePeers, machineInfo } from './peers.js'
import { MAILSYNC, REPO_ROOT } from './tools.js'

const log = (s: string): void => { process.stderr.write(`[fleet] ${s}\n`) }

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback
}
const MAILBOXES = Number(option('mailboxes', '200'))
const MESSAGES = Number(option('messages', '200'))
const PARALLEL = option('parallel', '1,4,8').split(',').map(Number)
const WORKERS = option('workers', '1,3').split(',').map(Number)
const PER_SERVER = Number(option('max-connections-per-server', '10'))
const WORKER_CONCURRENCY = 4

interface Row {
  how: string
  jobs: string
  wallMs: number
  rssKiB: number[]
  peakSource: number
  peakTarget: number
}

async function main(): Promise<void> {
  ensurePeers(log)
  if (!existsSync('/usr/bin/parallel')) {
    log('installing GNU parallel from Debian (missing)')
    spawnSync('apt-get', ['install', '-y', '-qq', 'parallel'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  }
  const users = Array.from({ length: MAILBOXES }, (_, i) => `u${String(i + 1).padStart(3, '0')}`)
  const work = join(REPO_ROOT, 'bench', '.fleet')
  rmSync(work, { recursive: true, force: true })
  mkdirSync(work, { recursive: true })
  const source = await startDovecot({ users, maxUserIpConnections: 100 })
  const rows: Row[] = []
  try {
    log(`filling the source: ${MAILBOXES} mailboxes x ${MESSAGES} messages`)
    for (const [i, u] of users.entries()) {
      await fillDovecotMaildir(generateCorpus({ seed: 7000 + i, messages: MESSAGES, folders: 4, maxSize: 64 * 1024 }), source, u)
    }
    const csv = join(work, 'fleet.csv')
    const batch = (target: DovecotInstance) => {
      writeFileSync(csv, ['host1;port1;tls1;user1;password1;host2;port2;tls2;user2;password2', ...users.map((u) => `127.0.0.1;${source.port};none;${u};${TEST_PASSWORD};127.0.0.1;${target.port};none;${u};${TEST_PASSWORD}`)].join('\n') + '\n', { mode: 0o600 })
      return csv
    }
    const config = (name: string) => {
      const file = join(work, `${name}.conf`)
      rmSync(join(work, `${name}.state`), { recursive: true, force: true })
      writeFileSync(file, `[general]\nmetadata = ${join(work, `${name}.state`)}\n`, { mode: 0o600 })
      return file
    }
    const run = async (how: string, jobs: string, body: (target: DovecotInstance, firstDone: () => void) => Promise<number[]>) => {
      const target = await startDovecot({ users, maxUserIpConnections: 100 })
      try {
        const from = [source.log().length, target.log().length]
        const t0 = process.hrtime.bigint()
        let wallMs = 0
        const rssKiB = await body(target, () => { wallMs ||= Number(process.hrtime.bigint() - t0) / 1e6 })
        wallMs ||= Number(process.hrtime.bigint() - t0) / 1e6
        const row: Row = { how, jobs, wallMs, rssKiB, peakSource: peakSessions(source, from[0]!, source.log().length, 'u\\d{3}'), peakTarget: peakSessions(target, from[1]!, target.log().length, 'u\\d{3}') }
        const copied = users.reduce((n, u) => n + target.doveadm(['-f', 'flow', 'mailbox', 'status', '-u', u, 'messages', '*']).split('\n').reduce((k, l) => k + Number(/messages=(\d+)/.exec(l)?.[1] ?? 0), 0), 0)
        if (copied !== MAILBOXES * MESSAGES) throw new Error(`${how} ${jobs}: the target has ${copied} messages, not ${MAILBOXES * MESSAGES}`)
        rows.push(row)
        log(`${how} ${jobs}: ${(wallMs / 1000).toFixed(1)} s, ${Math.round((MAILBOXES * MESSAGES) / (wallMs / 1000))} msgs/s, peak RSS ${Math.max(...rssKiB) >> 10} MiB, sessions at once ${row.peakSource}/${row.peakTarget}`)
      } finally {
        await target.stop()
      }
    }
    let rerun: { m: number; sample: Sample } | undefined
    for (const m of PARALLEL) {
      await run('mailsync migrate --batch', `${m} mailboxes at a time`, async (target, firstDone) => {
        const args = [MAILSYNC, 'migrate', '--batch', batch(target), '-c', config(`batch${m}`), '--parallel-mailboxes', String(m), '--max-connections-per-server', String(PER_SERVER)]
        const s = await measure(process.execPath, args)
        firstDone()
        // the same batch again, with nothing new: what a resumed or re-checked batch costs
        if (m === PARALLEL[PARALLEL.length - 1]) rerun = { m, sample: await measure(process.execPath, args) }
        return [s.rssKiB]
      })
    }
    if (rerun) {
      rows.push({ how: 'mailsync migrate --batch, run again (nothing new)', jobs: `${rerun.m} mailboxes at a time`, wallMs: rerun.sample.wallMs, rssKiB: [rerun.sample.rssKiB], peakSource: -1, peakTarget: -1 })
      log(`re-run: ${(rerun.sample.wallMs / 1000).toFixed(1)} s`)
    }
    const redis = await startRedis()
    try {
      for (const w of WORKERS) {
        await run('mailsync worker (Redis)', `${w} worker${w > 1 ? 's' : ''} x ${WORKER_CONCURRENCY}`, async (target) => {
          const queue = `bench${w}`
          const q = spawnSync(process.execPath, [MAILSYNC, 'batch', 'enqueue', batch(target), '--redis', redis.url, '--queue', queue, '--max-connections-per-server', String(PER_SERVER), '-q'], { encoding: 'utf8' })
          if (q.status !== 0) throw new Error(`enqueue: ${q.stderr}`)
          const samples: Sample[] = await Promise.all(Array.from({ length: w }, (_, k) => measure(process.execPath, [MAILSYNC, 'worker', '--redis', redis.url, '--queue', queue, '--concurrency', String(WORKER_CONCURRENCY), '--until-empty', '--passwords', csv, '-c', config(`worker${w}-${k}`), '-q'])))
          return samples.map((s) => s.rssKiB)
        })
      }
    } finally {
      await redis.stop()
    }
    for (const m of PARALLEL) {
      await run('GNU parallel + mbsync', `-j ${m}`, async (target) => {
        const dir = join(work, `mbsync${m}`)
        rmSync(dir, { recursive: true, force: true })
        mkdirSync(dir, { recursive: true })
        const configs = users.map((u) => {
          const file = join(dir, `${u}.mbsyncrc`)
          mkdirSync(join(dir, `${u}.state`))
          writeMbsyncImapConfig(file, { port: source.port, user: u, password: TEST_PASSWORD }, { port: target.port, user: u, password: TEST_PASSWORD }, join(dir, `${u}.state`))
          return file
        })
        writeFileSync(join(dir, 'list'), configs.join('\n') + '\n')
        await new Promise<void>((resolve, reject) => {
          const p = spawn('parallel', ['-j', String(m), '--halt', 'now,fail=1', '/usr/bin/time', '-f', '%M', '-o', '{}.rss', 'mbsync', '-q', '-c', '{}', '-a', '::::', join(dir, 'list')], { stdio: ['ignore', 'ignore', 'ignore'] }) // mbsync warns of clear-text passwords on every login
          p.on('error', reject)
          p.on('close', (c) => (c === 0 ? resolve() : reject(new Error(`parallel exited ${c}`))))
        })
        return configs.map((f) => Number(readFileSync(`${f}.rss`, 'utf8').trim().split('\n').pop()))
      })
    }
  } finally {
    await source.stop()
    cleanupMeasure()
    rmSync(work, { recursive: true, force: true })
  }
  const m = machineInfo()
  const table = [
    `Fleet migration, ${MAILBOXES} mailboxes x ${MESSAGES} messages (${MAILBOXES * MESSAGES} in all, 4 folders each, sizes up to 64 KiB), Dovecot -> Dovecot on loopback, one run each; CPU: ${m.cpus}. Budget for mailsync: ${PER_SERVER} connections per server. messages/s of the run again is of the messages checked, none copied.`,
    '',
    '| how | jobs at once | wall | messages/s | peak RSS per process | sessions at once (source / target) |',
    '|---|---|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.how} | ${r.jobs} | ${(r.wallMs / 1000).toFixed(1)} s | ${Math.round((MAILBOXES * MESSAGES) / (r.wallMs / 1000))} | ${(Math.max(...r.rssKiB) / 1024).toFixed(0)} MiB${r.rssKiB.length > 1 ? ` (max of ${r.rssKiB.length})` : ''} | ${r.peakSource < 0 ? '-' : `${r.peakSource} / ${r.peakTarget}`} |`),
  ].join('\n')
  process.stdout.write(`\n${table}\n`)
  const out = join(REPO_ROOT, 'bench', 'results', `fleet-${new Date().toISOString().slice(0, 10)}.md`)
  mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true })
  writeFileSync(out, `${table}\n`)
  log(`wrote ${out}`)
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`)
  process.exit(1)
})

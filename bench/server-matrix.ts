// The full server matrix of issue 17: every end-to-end scenario (test/support/scenario-cli.ts)
// against every server variant, on the generated corpus (test/support/corpus.ts). CI runs a
// reduced version (test/integration/reduced-capabilities.test.ts, second-server.test.ts).
//   npx tsc -p tsconfig.json && node dist/bench/server-matrix.js
// Environment: MAILSYNC_MATRIX_MESSAGES (default 400), MAILSYNC_MATRIX_SEED (default 17),
// MAILSYNC_MATRIX_SERVERS (comma list of variant names, default all), MAILSYNC_MATRIX_CI=1 (the
// CI-sized corpus: 40 messages of at most 64 KiB), MAILSYNC_MATRIX_OUT (write the results as JSON).
// Exit code 0 when every scenario passed on every variant.
import { isDeepStrictEqual } from 'node:util'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDovecot, type DovecotInstance } from '../test/support/dovecot.js'
import { hash, munged, startCyrus } from '../test/support/cyrus.js'
import { generateCorpus, renderMessage, type Corpus } from '../test/support/corpus.js'
import { fillImap } from '../test/support/corpus-imap.js'
import { fillDovecotMaildir } from '../test/support/corpus-maildir.js'
import { contentOnly, type Snapshot } from '../test/support/store-snapshot.js'
import {
  backupScenario, cli, count, imapRepo, migrateScenario, repoSection, restoreScenario, scenarioConfig, snap, syncScenario, type ScenarioServer,
} from '../test/support/scenario-cli.js'

interface Started { srv: ScenarioServer; stop(): Promise<void> }
interface Variant {
  name: string
  start(users: string[]): Promise<Started>
  /** Folder names (separators '/') carry this personal-namespace prefix on the server. */
  prefix: string
  /** The server rewrites 8-bit header bytes to 'X' (Cyrus munge8bit). */
  munges: boolean
}

const NO_EXTENSIONS = 'IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE NAMESPACE'
const dovecot = (capability?: string) => async (users: string[]): Promise<Started> => {
  const d = await startDovecot({ users, capability })
  return { srv: d, stop: () => d.stop() }
}
const cyrus = (o: Parameters<typeof startCyrus>[0]) => async (users: string[]): Promise<Started> => {
  const c = await startCyrus({ ...o, users })
  return { srv: c, stop: () => c.stop() }
}

const VARIANTS: Variant[] = [
  { name: 'dovecot', start: dovecot(), prefix: '', munges: false },
  { name: 'dovecot-imap4rev1', start: dovecot('IMAP4rev1'), prefix: '', munges: false },
  { name: 'dovecot-no-extensions', start: dovecot(NO_EXTENSIONS), prefix: '', munges: false },
  { name: 'cyrus', start: cyrus({}), prefix: 'INBOX/', munges: true },
  { name: 'cyrus-altnamespace', start: cyrus({ altNamespace: true, unixHierarchySep: true }), prefix: '', munges: true },
  { name: 'cyrus-keep8bit', start: cyrus({ extraConfig: 'munge8bit: no\n' }), prefix: 'INBOX/', munges: false },
]


const withPrefix = (prefix: string, f: string): string => (prefix === '' || f === 'INBOX' || f.startsWith('INBOX/') ? f : prefix + f)
const withoutPrefix = (prefix: string) => (s: Snapshot): Snapshot =>
  Object.fromEntries(Object.entries(s).map(([k, v]) => [prefix && k.startsWith(prefix) ? k.slice(prefix.length) : k, v] as const).sort(([a], [b]) => (a < b ? -1 : 1)))

function expectedContent(corpus: Corpus, name: (f: string) => string, munges: boolean): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const m of corpus.messages) (out[name(m.folder)] ??= []).push(hash(munges ? munged(renderMessage(m)) : renderMessage(m)))
  for (const v of Object.values(out)) v.sort()
  return out
}

interface Row { variant: string; scenario: string; ok: boolean; ms: number; detail: string }

async function runVariant(v: Variant, corpus: Corpus, rows: Row[]): Promise<void> {
  const users = ['alice', 'syncer', 'empty', 'back', 'rawcopy']
  const server = await v.start(users)
  const peer: DovecotInstance = await startDovecot({ users: ['moved', 'raw'] })
  const dir = mkdtempSync(join(tmpdir(), `mailsync-matrix-${v.name}-`))
  const srv = server.srv
  const step = async (scenario: string, fn: () => Promise<string>): Promise<void> => {
    const t0 = Date.now()
    try {
      const detail = await fn()
      rows.push({ variant: v.name, scenario, ok: true, ms: Date.now() - t0, detail })
    } catch (e) {
      rows.push({ variant: v.name, scenario, ok: false, ms: Date.now() - t0, detail: String((e as Error).message).split('\n').slice(0, 3).join(' ') })
    }
    const r = rows[rows.length - 1]!
    process.stderr.write(`[matrix] ${v.name} ${scenario}: ${r.ok ? 'ok' : 'FAILED'} ${r.ms} ms ${r.detail}\n`)
  }
  try {
    const config = scenarioConfig({
      dir, name: 'm', backup: join(dir, 'backup'), local: join(dir, 'local'),
      sections: [repoSection('src', srv, 'alice'), repoSection('sync', srv, 'syncer'), repoSection('empty', srv, 'empty'), repoSection('back', srv, 'back'),
        repoSection('rawcopy', srv, 'rawcopy'), repoSection('peer', peer, 'moved'), repoSection('raw', peer, 'raw')],
    })
    const strip = withoutPrefix(v.prefix)
    await step('fill (APPEND)', async () => {
      for (const user of ['alice', 'syncer']) await fillImap(corpus, { host: srv.host, port: srv.port, user, password: srv.password })
      await fillDovecotMaildir(corpus, peer, 'raw')
      return `${corpus.messages.length} messages x2`
    })
    await step('bytes as stored', async () => {
      const got = contentOnly(await snap(imapRepo(srv, 'alice')))
      const want = expectedContent(corpus, (f) => withPrefix(v.prefix, f), v.munges)
      if (!isDeepStrictEqual(got, want)) throw new Error('stored bytes differ from the corpus' + (v.munges ? ' (munged)' : ''))
      return v.munges ? 'equal after munge8bit' : 'byte-exact'
    })
    let source: Snapshot = {}
    await step('backup + re-backup', async () => {
      source = await backupScenario({ srv, user: 'alice', config, backup: join(dir, 'backup') })
      return `${count(source)} copied, then 0`
    })
    await step('restore x2', async () => {
      await restoreScenario({ srv, user: 'empty', repo: 'empty', config, expected: source })
      return `${count(source)} copied, then 0`
    })
    await step('two-way sync', async () => {
      const f = await syncScenario({ srv, user: 'syncer', config, local: join(dir, 'local'), account: 'two' })
      return `${f.before} -> ${f.after} messages, one of each change each way`
    })
    await step('migrate to Dovecot', async () => {
      const n = await migrateScenario({ config, from: 'src', to: 'peer', source: async () => strip(await snap(imapRepo(srv, 'alice'))), target: () => snap(imapRepo(peer, 'moved')) })
      return `${n} copied and verified`
    })
    await step('migrate from Dovecot', async () => {
      const n = await migrateScenario({ config, from: 'peer', to: 'back', source: () => snap(imapRepo(peer, 'moved')), target: async () => strip(await snap(imapRepo(srv, 'back'))) })
      return `${n} copied and verified`
    })
    await step('migrate raw 8-bit corpus in', async () => {
      const first = cli(['migrate', '-c', config, 'raw', 'rawcopy'])
      const eightBit = corpus.messages.filter((m) => !munged(renderMessage(m)).equals(renderMessage(m))).length
      const c = first.done?.counts ?? {}
      const wantFailed = v.munges ? eightBit : 0
      if (c.copiedAtoB !== corpus.messages.length || c.failed !== wantFailed || first.code !== (wantFailed ? 65 : 0)) {
        throw new Error(`exit ${first.code}, counts ${JSON.stringify(c)}, expected ${wantFailed} verification failures`)
      }
      const again = cli(['migrate', '-c', config, 'raw', 'rawcopy'])
      if (again.done?.counts.copiedAtoB !== 0) throw new Error(`re-run copied ${again.done?.counts.copiedAtoB}`)
      const got = contentOnly(strip(await snap(imapRepo(srv, 'rawcopy'))))
      const want = expectedContent(corpus, (f) => (f.startsWith('INBOX/') && v.prefix ? f.slice(6) : f), v.munges)
      if (!isDeepStrictEqual(got, want)) throw new Error('target content differs from the (munged) corpus')
      return `${c.copiedAtoB} copied, ${c.verified} verified, ${c.failed} reported altered; re-run 0`
    })
  } finally {
    await server.stop()
    await peer.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function main(): Promise<number> {
  const ci = process.env.MAILSYNC_MATRIX_CI === '1'
  const messages = Number(process.env.MAILSYNC_MATRIX_MESSAGES ?? (ci ? 40 : 400))
  const seed = Number(process.env.MAILSYNC_MATRIX_SEED ?? 17)
  const only = process.env.MAILSYNC_MATRIX_SERVERS?.split(',').map((s) => s.trim()).filter(Boolean)
  const corpus = generateCorpus({ seed, messages, ...(ci ? { maxSize: 64 * 1024 } : {}) })
  const rows: Row[] = []
  const t0 = Date.now()
  for (const v of VARIANTS) {
    if (only && !only.includes(v.name)) continue
    await runVariant(v, corpus, rows)
  }
  const lines = [
    `server matrix: ${messages} messages (${(corpus.totalBytes / 1e6).toFixed(1)} MB), seed ${seed}, ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    '| variant | scenario | result | ms | detail |', '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.variant} | ${r.scenario} | ${r.ok ? 'ok' : 'FAILED'} | ${r.ms} | ${r.detail.replace(/\|/g, '/')} |`),
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
  if (process.env.MAILSYNC_MATRIX_OUT) writeFileSync(process.env.MAILSYNC_MATRIX_OUT, JSON.stringify({ messages, seed, bytes: corpus.totalBytes, rows }, null, 2))
  return rows.every((r) => r.ok) ? 0 : 1
}

process.exitCode = await main()

// --json: every line of real runs (backup of a small Dovecot mailbox, then flag changes, a held-back
// deletion and a mirrored one) is checked against the shapes documented in docs/json-events.md,
// which this test reads, so the document cannot drift from what mailsync prints.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ImapFlow } from 'imapflow'
import { startDovecot, TEST_PASSWORD, type DovecotInstance } from '../support/dovecot.js'
import { ROOT, runCli, sandbox, writeOneAccountConfig } from './cli-child.js'
import { tlsServer } from '../support/config-text.js'
import type { EngineEvent } from '../../src/engine/events.js'

/** Every event type of the engine; tsc fails here when one is added or removed without this list. */
const EVENT_TYPES: Record<EngineEvent['type'], true> = {
  'run-start': true, 'account-start': true, 'folder-plan': true, 'folder-start': true, 'folder-skip': true, 'folder-create': true,
  'message-copied': true, 'message-adopted': true, 'flags-changed': true, 'labels-changed': true, 'message-deleted': true, 'uidvalidity-changed': true,
  warning: true, throttled: true, error: true, 'folder-done': true, 'account-done': true, 'run-done': true,
}

interface Field { name: string; type: string; optional: boolean }
type Shapes = Map<string, Field[]>

/** `### name` headings followed by `| field | type | meaning |` tables; the first table is `counts`. */
export function parseEventDoc(md: string): { events: Shapes; counts: Field[] } {
  const events: Shapes = new Map()
  let counts: Field[] | undefined
  let current: Field[] | undefined
  for (const line of md.split('\n')) {
    const h = /^### ([a-z-]+)\s*$/.exec(line)
    if (h) {
      current = []
      events.set(h[1]!, current)
      continue
    }
    const row = /^\| ([A-Za-z]+\??) \| ([a-z[\]]+) \|/.exec(line)
    if (!row || row[1] === 'field') continue
    const f = { name: row[1]!.replace(/\?$/, ''), type: row[2]!, optional: row[1]!.endsWith('?') }
    if (current) current.push(f)
    else (counts ??= []).push(f)
  }
  return { events, counts: counts ?? [] }
}

function checkValue(type: string, v: unknown, counts: Field[], where: string): string[] {
  const isInt = (x: unknown) => typeof x === 'number' && Number.isInteger(x)
  switch (type) {
    case 'string': return typeof v === 'string' ? [] : [`${where}: not a string`]
    case 'integer': return isInt(v) ? [] : [`${where}: not an integer`]
    case 'boolean': return typeof v === 'boolean' ? [] : [`${where}: not a boolean`]
    case 'string[]': return Array.isArray(v) && v.every((x) => typeof x === 'string') ? [] : [`${where}: not a string[]`]
    case 'integer[]': return Array.isArray(v) && v.every(isInt) ? [] : [`${where}: not an integer[]`]
    case 'side': return v === 'A' || v === 'B' ? [] : [`${where}: not "A" or "B"`]
    case 'direction': return v === 'A->B' || v === 'B->A' ? [] : [`${where}: not a direction`]
    case 'counts': return checkObject(v, counts, counts, where)
    default: return [`${where}: the document uses an unknown type "${type}"`]
  }
}

function checkObject(v: unknown, fields: Field[], counts: Field[], where: string, ignore: string[] = []): string[] {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return [`${where}: not an object`]
  const o = v as Record<string, unknown>
  const problems: string[] = []
  for (const f of fields) {
    if (!(f.name in o)) {
      if (!f.optional) problems.push(`${where}.${f.name}: missing`)
      continue
    }
    problems.push(...checkValue(f.type, o[f.name], counts, `${where}.${f.name}`))
  }
  for (const k of Object.keys(o)) if (!ignore.includes(k) && !fields.some((f) => f.name === k)) problems.push(`${where}.${k}: not documented`)
  return problems
}

export function checkEvent(e: unknown, doc: { events: Shapes; counts: Field[] }): string[] {
  const type = (e as { type?: unknown }).type
  if (typeof type !== 'string') return ['no type']
  const fields = doc.events.get(type)
  if (!fields) return [`type ${type} is not documented`]
  return checkObject(e, fields, doc.counts, type, ['type'])
}

const doc = parseEventDoc(readFileSync(join(ROOT, 'docs', 'json-events.md'), 'utf8'))

test('the document describes exactly the engine event types, and counts has every field', () => {
  assert.deepEqual([...doc.events.keys()].sort(), [...Object.keys(EVENT_TYPES), 'fatal', 'watch', 'watch-wait'].sort())
  assert.deepEqual(doc.counts.map((f) => f.name).sort(), ['adopted', 'bytes', 'copiedAtoB', 'copiedBtoA', 'deletedA', 'deletedB', 'failed', 'flagsAtoB', 'flagsBtoA', 'skipped', 'verified'])
})

test('the checker catches a wrong type, a missing field and an undocumented one', () => {
  assert.deepEqual(checkEvent({ type: 'run-start', policy: 'sync', accounts: ['a'], dryRun: false }, doc), [])
  assert.deepEqual(checkEvent({ type: 'run-start', policy: 1, accounts: ['a'], dryRun: false, extra: 1 }, doc), ['run-start.policy: not a string', 'run-start.extra: not documented'])
  assert.deepEqual(checkEvent({ type: 'message-deleted', account: 'a', folder: 'f', side: 'C' }, doc), ['message-deleted.side: not "A" or "B"', 'message-deleted.uids: missing'])
  assert.deepEqual(checkEvent({ type: 'nope' }, doc), ['type nope is not documented'])
})

test('a command that fails prints one documented `fatal` object on stdout with --json', async () => {
  const box = await sandbox()
  const file = await box.writeConfig('[Account a]\nlocalrepository = L\nremoterepository = R\n')
  for (const [args, code, kind] of [[['backup', 'nope', '-c', file, '--json'], 78, 'config'], [['backup', '--json', '--bogus'], 64, 'usage']] as const) {
    const r = await runCli([...args], box.env)
    assert.equal(r.code, code, r.stderr)
    const lines = r.stdout.split('\n').filter((l) => l !== '')
    assert.equal(lines.length, 1, r.stdout)
    const e = JSON.parse(lines[0]!) as { type: string; kind: string; exitCode: number }
    assert.deepEqual(checkEvent(e, doc), [], lines[0])
    assert.equal(e.type, 'fatal')
    assert.equal(e.kind, kind)
    assert.equal(e.exitCode, code)
  }
})

let d: DovecotInstance
before(async () => {
  d = await startDovecot({ users: ['alice'] })
})
after(async () => d?.stop())

async function imap(fn: (c: ImapFlow) => Promise<void>): Promise<void> {
  const c = new ImapFlow({ host: '127.0.0.1', port: d.port, secure: false, doSTARTTLS: false, auth: { user: 'alice', pass: TEST_PASSWORD }, logger: false })
  await c.connect()
  try {
    await fn(c)
  } finally {
    await c.logout()
  }
}

function parseLines(stdout: string): unknown[] {
  return stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown)
}

test('real runs print only documented events, one JSON object per line', async () => {
  await imap(async (c) => {
    for (let i = 1; i <= 3; i++) await c.append('INBOX', Buffer.from(`From: a@example.org\r\nMessage-ID: <${i}@t>\r\nSubject: m${i}\r\n\r\nbody ${i}\r\n`))
    await c.mailboxCreate('Work')
    await c.append('Work', Buffer.from('From: a@example.org\r\nMessage-ID: <w@t>\r\nSubject: w\r\n\r\nwork\r\n'), ['\\Seen'])
  })
  const box = await sandbox()
  const file = await writeOneAccountConfig(box, { user: 'alice', password: TEST_PASSWORD, server: tlsServer(d) })
  const seen = new Set<string>()
  const run = async (args: string[], code: number) => {
    const r = await runCli(['backup', 't', '-c', file, '--json', ...args], box.env)
    assert.equal(r.code, code, r.stderr)
    const events = parseLines(r.stdout)
    for (const e of events) {
      assert.deepEqual(checkEvent(e, doc), [], JSON.stringify(e))
      seen.add((e as EngineEvent).type)
    }
    const last = events.at(-1) as Extract<EngineEvent, { type: 'run-done' }>
    assert.equal(last.type, 'run-done')
    assert.equal(last.exitCode, code)
    return events as EngineEvent[]
  }
  const first = await run([], 0)
  const copied = first.filter((e): e is Extract<EngineEvent, { type: 'message-copied' }> => e.type === 'message-copied')
  assert.equal(copied.length, 4)
  const done = first.at(-1) as Extract<EngineEvent, { type: 'run-done' }>
  assert.equal(done.counts.bytes, copied.reduce((n, e) => n + e.size, 0), 'bytes in the totals are the bytes copied')
  assert.ok(done.counts.bytes > 0)

  await imap(async (c) => {
    await c.mailboxOpen('INBOX')
    await c.messageFlagsAdd('1', ['\\Flagged'], { uid: true })
    await c.messageDelete('2', { uid: true })
  })
  await run(['--mirror', '--max-delete', '0'], 75) // flag change goes through, the deletion is held back
  await run(['--mirror'], 0)
  for (const t of ['run-start', 'account-start', 'folder-start', 'folder-plan', 'message-copied', 'flags-changed', 'message-deleted', 'error', 'folder-done', 'account-done', 'run-done']) {
    assert.ok(seen.has(t), `a real run printed ${t}`)
  }
})

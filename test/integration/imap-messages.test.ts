// ImapRepository folders and messages against a real Dovecot (with UIDPLUS, CONDSTORE, QRESYNC),
// and against one that hides UIDPLUS / CONDSTORE / QRESYNC.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { startDovecot, TEST_PASSWORD, type DovecotInstance } from '../support/dovecot.js'
import { bodyBytes } from '../support/message-body.js'
import { ImapRepository } from '../../src/repository/imap/imap-repository.js'
import { MailsyncError } from '../../src/errors.js'
import type { FolderSession } from '../../src/repository/types.js'

function repo(d: DovecotInstance, user: string, extra: { readOnly?: boolean; logger?: (l: string) => void; maxConnections?: number } = {}): ImapRepository {
  return new ImapRepository({ name: 'remote', host: d.host, port: d.port, user, password: TEST_PASSWORD, tls: { mode: 'none' }, ...extra })
}

/** A CRLF message with 8-bit bytes in header and body. */
function message(id: string, body = 'Hello\r\n', extraHeaders = ''): Buffer {
  return Buffer.concat([
    Buffer.from(`From: a@example.org\r\nTo: b@example.org\r\nSubject: caf`),
    Buffer.from([0xc3, 0xa9]),
    Buffer.from(`\r\nMessage-ID:\r\n <${id}@example.org>\r\n${extraHeaders}\r\n${body}`),
    Buffer.from([0xe4, 0xf6, 0xfc, 0x0d, 0x0a]),
  ])
}

async function bodies(s: FolderSession, uids: number[]): Promise<Map<number, Buffer>> {
  const out = new Map<number, Buffer>()
  for await (const b of s.fetch(uids)) out.set(b.uid, await bodyBytes(b))
  return out
}

async function rejectsKind(p: Promise<unknown>, kind: string): Promise<MailsyncError> {
  try {
    await p
  } catch (err) {
    assert.ok(err instanceof MailsyncError, String(err))
    assert.equal(err.kind, kind, err.message)
    return err
  }
  assert.fail(`expected ${kind} error`)
}

describe('ImapRepository folders and messages (full Dovecot)', () => {
  let d: DovecotInstance
  before(async () => {
    d = await startDovecot({ users: ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'] })
  })
  after(async () => d?.stop())

  it('lists folders with special-use, creates nested and non-ASCII names, tolerates existing ones', async () => {
    const r = repo(d, 'alice')
    try {
      await r.createFolder('Entwürfe/Ärger')
      await r.createFolder('Entwürfe/Ärger')
      await r.createFolder('Projects/Alpha')
      const folders = await r.listFolders()
      const byName = new Map(folders.map((f) => [f.name, f]))
      assert.equal(byName.get('Sent')?.specialUse, '\\Sent')
      assert.equal(byName.get('Trash')?.specialUse, '\\Trash')
      assert.equal(byName.get('INBOX')?.specialUse, undefined)
      assert.ok(byName.get('Entwürfe/Ärger')?.selectable, 'non-ASCII name round-trips')
      assert.equal(byName.get('Entwürfe/Ärger')?.separator, '/')
      assert.equal(byName.get('Projects')?.selectable, false, 'implicit parent is \\Noselect')
      const st = await r.folderStatus('Entwürfe/Ärger')
      assert.ok(st.uidValidity > 0 && st.uidNext === 1 && st.messages === 0)
      assert.equal(typeof st.highestModSeq, 'bigint')
      await rejectsKind(r.openFolder('Does/Not/Exist'), 'server')
    } finally {
      await r.close()
    }
  })

  it('the statuses asked right after listing folders come with the LIST: one round trip, the same statuses as STATUS gives', async () => {
    const lines: string[] = []
    const r = repo(d, 'frank', { logger: (l) => lines.push(l) })
    try {
      await r.createFolder('Reports')
      const s = await r.openFolder('Reports')
      await s.append({ content: message('st1'), size: message('st1').length, flags: [], internalDate: Date.UTC(2024, 0, 2) })
      await s.close()
      const lists = () => lines.filter((l) => / C: \S+ LIST /.test(l)).length
      const before = lists()
      const names = (await r.listFolders()).filter((f) => f.selectable).map((f) => f.name)
      assert.ok(names.includes('Reports') && names.includes('INBOX'))
      const statuses = await r.folderStatuses(names)
      assert.equal(lists() - before, 1, 'listing and statuses in one LIST ... RETURN (STATUS ...)')
      for (const n of names) assert.deepEqual(statuses!.get(n), await r.folderStatus(n), `status of ${n}`)
      assert.equal(statuses!.get('Reports')!.messages, 1)
      // taken once: asking again asks the server again (a later status must not be an old one)
      await r.folderStatuses(names)
      assert.equal(lists() - before, 2)
    } finally {
      await r.close()
    }
  })

  it('folders opened on other connections after the full LIST need no LIST or LSUB of their own', async () => {
    const lines: string[] = []
    const setup = repo(d, 'erin')
    for (const f of ['Work', 'Work/Reports', 'Privat']) await setup.createFolder(f)
    await setup.close()
    const r = repo(d, 'erin', { logger: (l) => lines.push(l), maxConnections: 3 })
    try {
      const names = (await r.listFolders()).filter((f) => f.selectable).map((f) => f.name)
      assert.ok(names.includes('Work/Reports'))
      // three sessions at once: two of them on connections that did not run the LIST
      const sessions = await Promise.all(['Work', 'Work/Reports', 'Privat'].map((n) => r.openFolder(n)))
      assert.equal(new Set(lines.filter((l) => / C: \S+ SELECT /.test(l)).map((l) => /remote#\d+/.exec(l)?.[0])).size, 3, 'three connections')
      assert.equal(lines.filter((l) => / C: \S+ (LIST "" "[^*]|LSUB )/.test(l)).length, 0, lines.join('\n'))
      const opened = sessions.map((s) => [s.name, s.status.uidValidity] as const)
      for (const s of sessions) await s.close()
      for (const [name, uidValidity] of opened) assert.equal(uidValidity, (await r.folderStatus(name)).uidValidity, name)
    } finally {
      await r.close()
    }
  })

  it('appends byte-exact with flags, keywords and internal date; APPENDUID; never sets \\Seen on fetch', async () => {
    const r = repo(d, 'bob')
    try {
      const s = await r.openFolder('INBOX')
      const raw = message('one')
      const date = Date.UTC(2001, 1, 3, 4, 5, 6)
      const a = await s.append({ content: raw, size: raw.length, flags: ['\\Flagged', '$Forwarded', 'Work'], internalDate: date, messageId: '<one@example.org>' })
      assert.equal(a.uid, 1)
      assert.equal(a.uidValidity, s.status.uidValidity)
      const raw2 = message('two')
      const b = await s.append({ content: Readable.from([raw2.subarray(0, 10), raw2.subarray(10)]), size: raw2.length, flags: [], internalDate: date })
      assert.equal(b.uid, 2)
      const got = await bodies(s, [2, 1, 99])
      assert.deepEqual([...got.keys()], [1, 2], 'ascending, missing UIDs skipped')
      assert.ok(got.get(1)!.equals(raw), 'bytes identical')
      assert.ok(got.get(2)!.equals(raw2))
      const { messages } = await s.list({ withMessageId: true })
      assert.deepEqual(messages.map((m) => m.uid), [1, 2])
      assert.deepEqual(messages[0]!.flags, ['$Forwarded', 'Work', '\\Flagged'].sort())
      assert.deepEqual(messages[1]!.flags, [], 'fetching did not set \\Seen')
      assert.equal(messages[0]!.internalDate, date)
      assert.equal(messages[0]!.size, raw.length)
      assert.equal(messages[0]!.messageId, '<one@example.org>', 'unfolded, brackets kept')
      assert.equal(typeof messages[0]!.modSeq, 'bigint')
      assert.deepEqual(await s.searchMessageId('<one@example.org>'), [1])
      assert.deepEqual(await s.searchMessageId('<one@example'), [], 'exact match only')
      const from2 = await s.list({ uids: { from: 2 } })
      assert.deepEqual(from2.messages.map((m) => m.uid), [2])
      const from9 = await s.list({ uids: { from: 9 } })
      assert.deepEqual(from9.messages, [], '"9:*" does not return the last message')
      await s.close()
    } finally {
      await r.close()
    }
  })

  it('setFlags adds and removes system flags and keywords; CHANGEDSINCE lists only changes, VANISHED the deleted', async () => {
    const r = repo(d, 'carol')
    try {
      const s = await r.openFolder('INBOX')
      for (let i = 1; i <= 5; i++) {
        const raw = message(`m${i}`)
        await s.append({ content: raw, size: raw.length, flags: ['\\Seen'], internalDate: Date.now() })
      }
      const s2 = await r.openFolder('INBOX')
      const mark = s2.status.highestModSeq!
      assert.equal(typeof mark, 'bigint')
      await s2.setFlags([2, 4], ['\\Flagged', 'Todo'], ['\\Seen'])
      await s2.delete([5])
      const changed = await s2.list({ changedSince: mark })
      assert.deepEqual(changed.messages.map((m) => m.uid), [2, 4])
      assert.deepEqual(changed.messages[0]!.flags, ['Todo', '\\Flagged'])
      assert.deepEqual(changed.vanished, [5])
      await s2.setFlags([2], [], ['Todo'])
      const after = await s2.list({ uids: [2, 3] })
      assert.deepEqual(after.messages.map((m) => [m.uid, m.flags]), [[2, ['\\Flagged']], [3, ['\\Seen']]])
      await s.close()
      await s2.close()
    } finally {
      await r.close()
    }
  })

  it('delete removes only the given UIDs even when another message carries \\Deleted', async () => {
    const r = repo(d, 'dave')
    try {
      const s = await r.openFolder('INBOX')
      for (let i = 1; i <= 4; i++) {
        const raw = message(`d${i}`)
        await s.append({ content: raw, size: raw.length, flags: i === 3 ? ['\\Deleted'] : [], internalDate: Date.now() })
      }
      await s.delete([1, 2])
      const { messages } = await s.list()
      assert.deepEqual(messages.map((m) => [m.uid, m.flags]), [[3, ['\\Deleted']], [4, []]])
      await s.close()
    } finally {
      await r.close()
    }
  })

  it('streams a large message byte-identical', async () => {
    const r = repo(d, 'erin')
    r.fetchLimits = { ...r.fetchLimits, streamThreshold: 1024 * 1024, chunkBytes: 256 * 1024 }
    try {
      const s = await r.openFolder('INBOX')
      const line = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+/\x80\xff\r\n', 'latin1')
      const big = Buffer.concat([message('big', ''), Buffer.concat(Array(160_000).fill(line))]) // ~10.6 MB
      const small = message('small')
      await s.append({ content: small, size: small.length, flags: [], internalDate: Date.now() })
      const a = await s.append({ content: big, size: big.length, flags: [], internalDate: Date.now() })
      const seen: Array<[number, boolean]> = []
      const got = new Map<number, Buffer>()
      for await (const b of s.fetch([a.uid!, 1])) {
        seen.push([b.uid, Buffer.isBuffer(b.content)])
        got.set(b.uid, await bodyBytes(b))
      }
      assert.deepEqual(seen, [[1, true], [a.uid!, false]], 'small one buffered, big one streamed')
      assert.equal(got.get(a.uid!)!.length, big.length)
      assert.ok(got.get(a.uid!)!.equals(big), 'streamed bytes identical')
      const flags = (await s.list({ uids: [a.uid!] })).messages[0]!.flags
      assert.deepEqual(flags, [], 'streaming did not set \\Seen')
      await s.close()
    } finally {
      await r.close()
    }
  })

  it('fetches the next batch while the caller handles the current one, bytes and order unchanged', async () => {
    const sent: string[] = []
    const r = repo(d, 'frank', { logger: (l) => sent.push(l) })
    r.fetchLimits = { ...r.fetchLimits, batchMessages: 2 }
    try {
      const s = await r.openFolder('INBOX')
      const raw = Array.from({ length: 5 }, (_, i) => message(`batch${i}`, `body ${i}\r\n`))
      const uids: number[] = []
      for (const m of raw) uids.push((await s.append({ content: m, size: m.length, flags: [], internalDate: Date.now() })).uid!)
      const bodyFetches = () => sent.filter((l) => / C: \S+ UID FETCH .*BODY\.PEEK\[\]/.test(l)).length
      const got: Buffer[] = []
      const fetchesAtFirst: number[] = []
      for await (const b of s.fetch(uids)) {
        if (got.length === 0) {
          // Give the prefetch a moment to reach the wire: it is sent without waiting for us.
          await new Promise((res) => setTimeout(res, 50))
          fetchesAtFirst.push(bodyFetches())
        }
        got.push(await bodyBytes(b))
      }
      assert.deepEqual(fetchesAtFirst, [2], 'batch 2 was asked for while batch 1 was being handled')
      assert.equal(bodyFetches(), 3, '5 messages in batches of 2')
      assert.deepEqual(got, raw, 'same bytes, ascending UID order')
      await s.close()
    } finally {
      await r.close()
    }
  })

  it('a read-only repository refuses writes before sending anything, and EXAMINEs', async () => {
    const sent: string[] = []
    const r = repo(d, 'bob', { readOnly: true, logger: (l) => sent.push(l) })
    try {
      await rejectsKind(r.createFolder('Nope'), 'usage')
      const s = await r.openFolder('INBOX')
      assert.equal(s.readOnly, true)
      const raw = message('ro')
      const e = await rejectsKind(s.append({ content: raw, size: raw.length, flags: [], internalDate: 0 }), 'usage')
      assert.match(e.message, /repository remote is read-only/)
      await rejectsKind(s.setFlags([1], ['\\Seen'], []), 'usage')
      await rejectsKind(s.delete([1]), 'usage')
      assert.ok((await s.list()).messages.length >= 2)
      await s.close()
      assert.ok(!(await r.listFolders()).some((f) => f.name === 'Nope'))
      const commands = sent.filter((l) => l.includes(' C: '))
      assert.ok(commands.some((l) => /EXAMINE/.test(l)), 'opened with EXAMINE')
      assert.ok(!commands.some((l) => / C: \S+ (UID )?(APPEND|STORE|CREATE|EXPUNGE|SELECT)\b/.test(l)), commands.join('\n'))
    } finally {
      await r.close()
    }
  })
})

describe('ImapRepository without UIDPLUS, CONDSTORE and QRESYNC', () => {
  let d: DovecotInstance
  before(async () => {
    d = await startDovecot({ capability: 'IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT NAMESPACE SPECIAL-USE' })
  })
  after(async () => d?.stop())

  it('finds the appended UID by Message-ID and size, or as the single new message', async () => {
    const r = repo(d, 'alice')
    try {
      const caps = await r.capabilities()
      assert.ok(!caps.has('UIDPLUS') && !caps.has('CONDSTORE'))
      const s = await r.openFolder('INBOX')
      assert.equal(s.status.highestModSeq, undefined)
      const raw = message('x1')
      const a = await s.append({ content: raw, size: raw.length, flags: [], internalDate: Date.now(), messageId: '<x1@example.org>' })
      assert.equal(a.uid, 1)
      // same Message-ID, different bytes: the size tells them apart
      const raw2 = message('x1', 'Other body\r\n')
      const b = await s.append({ content: raw2, size: raw2.length, flags: [], internalDate: Date.now(), messageId: '<x1@example.org>' })
      assert.equal(b.uid, 2)
      const noId = Buffer.from('Subject: no id\r\n\r\nbody\r\n')
      const c = await s.append({ content: noId, size: noId.length, flags: [], internalDate: Date.now() })
      assert.equal(c.uid, 3)
      const got = await bodies(s, [1, 2, 3])
      assert.ok(got.get(2)!.equals(raw2) && got.get(3)!.equals(noId))
      // CHANGEDSINCE without CONDSTORE: everything, and deletions unknown
      const all = await s.list({ changedSince: 1n })
      assert.equal(all.messages.length, 3)
      assert.equal(all.vanished, undefined)
      await s.close()
    } finally {
      await r.close()
    }
  })

  it('delete without UIDPLUS keeps other \\Deleted messages and their flag', async () => {
    const r = repo(d, 'bob')
    try {
      const s = await r.openFolder('INBOX')
      for (let i = 1; i <= 4; i++) {
        const raw = message(`n${i}`)
        await s.append({ content: raw, size: raw.length, flags: i % 2 ? ['\\Deleted', '\\Seen'] : [], internalDate: Date.now() })
      }
      await s.delete([1, 2])
      const { messages } = await s.list()
      assert.deepEqual(messages.map((m) => [m.uid, m.flags]), [[3, ['\\Deleted', '\\Seen']], [4, []]])
      await s.close()
    } finally {
      await r.close()
    }
  })
})

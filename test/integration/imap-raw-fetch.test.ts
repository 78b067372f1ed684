// Bulk UID FETCHes read on a borrowed imapflow connection (src/repository/imap/raw/) against a
// real Dovecot: the fast path is taken with the installed imapflow (plain, STARTTLS, implicit TLS,
// COMPRESS), it returns exactly what imapflow's own FETCH returns, responses that are not ours
// still reach imapflow, and a refused, blocked or broken fetch never leaves a wrong result or a
// hung connection behind.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { ImapFlow } from 'imapflow'
import { startDovecot, TEST_PASSWORD, type DovecotInstance } from '../support/dovecot.js'
import { connectClient } from '../../src/repository/imap/connect.js'
import type { ImapRepositoryOptions, TlsMode } from '../../src/repository/imap/options.js'
import { listMessages } from '../../src/repository/imap/list-messages.js'
import { fetchBodies, fetchSizes } from '../../src/repository/imap/fetch-bodies.js'
import { rawUidFetch } from '../../src/repository/imap/raw/uid-fetch.js'
import { normalizeFlags } from '../../src/repository/types.js'
import { messageIdFromHeader } from '../../src/mail/header.js'
import { bodyBytes } from '../support/message-body.js'

let d: DovecotInstance
before(async () => {
  d = await startDovecot({ users: ['ana', 'ben', 'cy'], extraConfig: 'protocol imap {\n  mail_plugins = $mail_plugins imap_zlib\n}\n' })
})
after(async () => d?.stop())

interface Connected {
  client: ImapFlow
  lines: string[]
}

let ids = 0
async function connect(user: string, mode: TlsMode = 'none', compression = false): Promise<Connected> {
  const lines: string[] = []
  const opts: ImapRepositoryOptions = {
    name: 'r', host: d.host, port: mode === 'implicit' ? d.tlsPort : d.port, user, password: TEST_PASSWORD,
    tls: { mode, ca: d.certPem }, compression, logger: (l) => lines.push(l),
  }
  const client = await connectClient({ opts, password: TEST_PASSWORD, connectionId: `t${++ids}` })
  return { client, lines }
}

/** Messages that are hard to frame: literals inside, lines that look like responses, 8-bit bytes. */
function tricky(i: number): Buffer {
  const id = i % 5 === 4 ? '' : `Message-ID:\r\n <m${i}@raw.test>\r\n`
  return Buffer.concat([
    Buffer.from(`From: a@raw.test\r\n${id}Subject: n${i} {5}\r\n\r\n* ${i} FETCH (UID ${i} BODY[] {3}\r\nM1 OK done\r\n{0}\r\n`),
    Buffer.from([0x00, 0x80, 0xe9, 0xff, 0x0d, 0x0a]),
    Buffer.from('x'.repeat(i * 997) + '\r\n'),
  ])
}

async function seed(client: ImapFlow, count: number): Promise<void> {
  const flags = [[], ['\\Seen'], ['\\Seen', '\\Flagged'], ['$Label1', '\\Answered'], ['Junk']]
  for (let i = 0; i < count; i++) {
    await client.append('INBOX', tricky(i), flags[i % flags.length], new Date(Date.UTC(2020, i % 12, 1 + i, i % 24, 7, 9) + (i % 3) * 3_600_000))
  }
}

/** Runs `fn` on a fresh connection of `user`, logged out afterwards. */
async function withClient(user: string, fn: (c: Connected) => Promise<void>, mode: TlsMode = 'none', compression = false): Promise<void> {
  const c = await connect(user, mode, compression)
  try {
    await fn(c)
  } finally {
    await c.client.logout()
  }
}

const ctx = (client: ImapFlow) => ({ condstore: client.enabled.has('CONDSTORE'), qresync: client.enabled.has('QRESYNC') })

/** What imapflow's own FETCH says about every message, in the shape listMessages returns. */
async function imapflowView(client: ImapFlow): Promise<unknown[]> {
  const out: unknown[] = []
  for await (const m of client.fetch('1:*', { uid: true, flags: true, size: true, internalDate: true, headers: ['message-id'] }, { uid: true })) {
    const meta: Record<string, unknown> = { uid: m.uid, flags: normalizeFlags(m.flags ?? []), size: m.size, internalDate: new Date(m.internalDate!).getTime() }
    const id = messageIdFromHeader(m.headers)
    if (id) meta.messageId = id
    if (typeof m.modseq === 'bigint') meta.modSeq = m.modseq
    out.push(meta)
  }
  return out.sort((a, b) => (a as { uid: number }).uid - (b as { uid: number }).uid)
}

const rawCommands = (lines: string[]) => lines.filter((l) => / C: M\d+ UID FETCH /.test(l))

describe('raw bulk FETCH on a borrowed connection', () => {
  const cases: [string, TlsMode, boolean][] = [
    ['plain', 'none', false],
    ['STARTTLS', 'starttls', false],
    ['implicit TLS', 'implicit', false],
    ['COMPRESS=DEFLATE', 'none', true],
  ]
  let seeded = false
  for (const [label, mode, compression] of cases) {
    it(`${label}: listing, sizes and bodies come through the fast path and equal imapflow's`, async () => {
      await withClient('ana', async ({ client, lines }) => {
        if (!seeded) {
          await seed(client, 25)
          seeded = true
        }
        await client.mailboxOpen('INBOX')
        if (compression) assert.ok(lines.some((l) => / C: \S+ COMPRESS DEFLATE/.test(l)), 'the session is compressed')

        const listed = await listMessages(client, { withMessageId: true }, ctx(client))
        assert.equal(listed.messages.length, 25)
        assert.deepEqual(listed.messages, await imapflowView(client))
        assert.ok(listed.messages.some((m) => m.flags.includes('$Label1')) && listed.messages.some((m) => m.messageId === '<m3@raw.test>'))

        const uids = listed.messages.map((m) => m.uid)
        const sizes = await fetchSizes(client, uids)
        assert.deepEqual([...sizes].sort((a, b) => a[0] - b[0]), listed.messages.map((m) => [m.uid, m.size]))

        const got = new Map<number, Buffer>()
        for await (const b of fetchBodies(client, uids)) got.set(b.uid, await bodyBytes(b))
        assert.equal(got.size, 25)
        for (const uid of uids) {
          const viaImapflow = await client.fetchOne(String(uid), { source: true }, { uid: true })
          assert.ok(viaImapflow && viaImapflow.source && got.get(uid)!.equals(viaImapflow.source), `body of UID ${uid}`)
        }
        // listing, sizes and (with the one-batch prefetch) the bodies went through the raw path
        assert.ok(rawCommands(lines).length >= 3, lines.join('\n'))
        assert.ok(rawCommands(lines).some((l) => l.includes('BODY.PEEK[]')))
        assert.ok(lines.some((l) => /S: M\d+ OK .*\(25 FETCH responses read by mailsync\)/.test(l)))
      }, mode, compression)
    })
  }

  it("with the listing's sizes, bodies are fetched without asking for sizes again; a size of 0 is asked", async () => {
    await withClient('ana', async ({ client, lines }) => {
      await client.mailboxOpen('INBOX')
      const listed = await listMessages(client, {}, ctx(client))
      const known = new Map(listed.messages.map((m) => [m.uid, m.size]))
      const uids = [...known.keys()]
      const sizeFetches = () => lines.filter((l) => / C: M\d+ UID FETCH \S+ \(UID RFC822\.SIZE\)/.test(l))
      lines.length = 0
      const got: number[] = []
      for await (const b of fetchBodies(client, uids, undefined, known)) got.push(b.uid)
      assert.deepEqual(got, uids)
      assert.deepEqual(sizeFetches(), [])
      known.set(uids[0]!, 0)
      lines.length = 0
      for await (const b of fetchBodies(client, uids, undefined, known)) await bodyBytes(b)
      assert.equal(sizeFetches().length, 1)
      assert.ok(sizeFetches()[0]!.includes(` UID FETCH ${uids[0]} (UID`), sizeFetches()[0])
    })
  })

  it('CHANGEDSINCE with VANISHED: changed flags and expunged UIDs, as with imapflow', async () => {
    await withClient('ben', ({ client, lines }) => withClient('ben', async (other) => {
      await seed(client, 6)
      const mb = await client.mailboxOpen('INBOX')
      const since = mb.highestModseq!
      await other.client.mailboxOpen('INBOX')
      await other.client.messageFlagsAdd('2', ['\\Deleted', '\\Seen'], { uid: true })
      await other.client.messageFlagsAdd('5', ['$Done'], { uid: true })
      await other.client.messageDelete('2', { uid: true })
      const res = await listMessages(client, { changedSince: since }, ctx(client))
      assert.deepEqual(res.messages.map((m) => [m.uid, m.flags]), [[5, ['$Done', 'Junk']]])
      assert.deepEqual(res.vanished, [2])
      assert.ok(rawCommands(lines).some((l) => new RegExp(`CHANGEDSINCE ${since} VANISHED`).test(l)))
    }))
  })

  it('responses that are not ours (EXISTS, other FETCH) reach imapflow, and the connection works on', async () => {
    await withClient('cy', ({ client, lines }) => withClient('cy', async (other) => {
      await seed(client, 4)
      await client.mailboxOpen('INBOX')
      assert.equal(client.mailbox && client.mailbox.exists, 4)
      const flagEvents: number[] = []
      client.on('flags', (e: { uid?: number }) => flagEvents.push(e.uid ?? -1))
      await other.client.mailboxOpen('INBOX')
      await other.client.append('INBOX', tricky(9), [])
      await other.client.messageFlagsAdd('1', ['\\Flagged'], { uid: true })
      // a body fetch: the EXISTS and the flag change of UID 1 are not answers to it
      const got: number[] = []
      for await (const b of fetchBodies(client, [3, 4])) got.push(b.uid)
      assert.deepEqual(got, [3, 4])
      await client.noop()
      assert.equal(client.mailbox && client.mailbox.exists, 5, 'imapflow saw the EXISTS')
      assert.ok(flagEvents.length > 0, 'imapflow saw the FETCH FLAGS of UID 1')
      assert.ok(rawCommands(lines).length >= 1)
      const five = await client.fetchOne('5', { uid: true, flags: true }, { uid: true })
      assert.ok(five && five.uid === 5)
    }))
  })

  it('a refused command reports "refused" and leaves the connection usable', async () => {
    await withClient('ana', async ({ client }) => {
      await client.mailboxOpen('INBOX')
      const seen: number[] = []
      const outcome = await rawUidFetch(client, { uids: '1:*', items: '(UID NOSUCHITEM)', answers: ['UID'], onFetch: (r) => seen.push(r.seq) })
      assert.equal(outcome, 'refused')
      assert.deepEqual(seen, [])
      const one = await client.fetchOne('1', { uid: true, size: true }, { uid: true })
      assert.ok(one && one.uid === 1 && typeof one.size === 'number')
    })
  })

  it('with an imapflow command in flight the connection is not borrowed and nothing is sent', async () => {
    await withClient('ana', async ({ client, lines }) => {
      await client.mailboxOpen('INBOX')
      const idle = client.idle()
      for (let i = 0; i < 400 && !client.idling; i++) await new Promise((r) => setTimeout(r, 5))
      assert.ok(client.idling)
      const outcome = await rawUidFetch(client, { uids: '1:*', items: '(UID)', answers: ['UID'], onFetch: () => undefined })
      assert.equal(outcome, 'unavailable')
      assert.deepEqual(rawCommands(lines), [])
      // imapflow's own FETCH (which ends the IDLE) still works
      const list = await listMessages(client, {}, ctx(client))
      await idle
      assert.equal(list.messages.length, 25)
    })
  })

  it('a connection lost during a raw fetch rejects it instead of hanging', async () => {
    const { client } = await connect('ana')
    await client.mailboxOpen('INBOX')
    let n = 0
    await assert.rejects(
      rawUidFetch(client, { uids: '1:*', items: '(UID BODY.PEEK[])', answers: ['UID', 'BODY[]'], onFetch: () => { if (++n === 1) client.close() } }),
      /closed|connection/i,
    )
    assert.equal(client.usable, false)
  })
})

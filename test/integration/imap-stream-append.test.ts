// FolderSession.append on IMAP with a streamed message, against a real Dovecot: the bytes go to
// the server as they are read (one APPEND on the borrowed connection, never the whole message in
// memory) and are stored exactly, with flags, date and the new UID. A stream whose size is only
// the source server's word is spooled first, so a wrong size does no harm. A stream that does
// not give the bytes its exact size promised, or fails, stores nothing and says so.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { startDovecot, type DovecotInstance } from '../support/dovecot.js'
import { MailsyncError } from '../../src/errors.js'
import type { AppendInput, FolderSession } from '../../src/repository/types.js'
import { inFolder, readBack } from '../support/imap-folder-session.js'

const WITHOUT_LITERAL_PLUS = 'IMAP4rev1 SASL-IR ID ENABLE IDLE NAMESPACE UIDPLUS MULTIAPPEND BINARY CONDSTORE QRESYNC LIST-STATUS SPECIAL-USE'

/** A message of about `mib` MiB: CRLF lines with 8-bit bytes, and a line that looks like a tagged answer. */
function bigMessage(mib: number, id: string): Buffer {
  const head = Buffer.from(`Message-ID: <${id}@stream.test>\r\nSubject: streamed\r\n\r\nM1 OK looks like an answer\r\n`)
  const line = Buffer.concat([Buffer.from('body line caf'), Buffer.from([0xc3, 0xa9, 0x80, 0xff]), Buffer.from(' '.repeat(50) + '\r\n')])
  const lines = Math.ceil((mib * 1024 * 1024) / line.length)
  return Buffer.concat([head, ...Array.from({ length: lines }, (_, i) => Buffer.concat([Buffer.from(String(i).padStart(8, '0')), line]))])
}

/** `bytes` in chunks of odd sizes (as a socket or a file gives them), then, optionally, an error. */
function chunked(bytes: Buffer, failAfter?: number): Readable {
  return Readable.from((function* () {
    let at = 0
    for (let i = 0; at < bytes.length; i++) {
      if (failAfter !== undefined && at >= failAfter) throw new Error('source connection lost')
      const n = [65_536, 1, 4_093, 300_001, 17][i % 5]!
      yield bytes.subarray(at, at + n)
      at += n
    }
  })())
}

function streamed(bytes: Buffer, opts: { size?: number; sizeExact?: boolean; failAfter?: number } = {}): AppendInput & { bytes: Buffer } {
  return {
    bytes, content: chunked(bytes, opts.failAfter), size: opts.size ?? bytes.length,
    ...(opts.sizeExact === false ? {} : { sizeExact: true }),
    flags: ['\\Seen', '$Label1'], internalDate: Date.UTC(2023, 4, 6, 7, 8, 9), messageId: '<x@stream.test>',
  }
}

const rawAppends = (lines: string[]) => lines.filter((l) => / C: M\d+ APPEND /.test(l))
const imapflowAppends = (lines: string[]) => lines.filter((l) => / C: [0-9A-F]+ APPEND /.test(l))

async function count(s: FolderSession): Promise<number> {
  return (await s.list()).messages.length
}

async function assertStored(s: FolderSession, uid: number | undefined, m: ReturnType<typeof streamed>): Promise<void> {
  assert.ok(uid !== undefined && uid > 0, 'the new UID is known')
  const [back] = await readBack(s, [{ uid, uidValidity: s.status.uidValidity }])
  assert.equal(back!.bytes.length, m.bytes.length)
  assert.ok(back!.bytes.equals(m.bytes), 'stored byte for byte')
  assert.deepEqual(back!.flags, ['$Label1', '\\Seen'])
  assert.equal(back!.internalDate, m.internalDate)
}

describe('streamed append (IMAP)', () => {
  let full: DovecotInstance
  let sync: DovecotInstance
  before(async () => {
    full = await startDovecot({ users: ['ann', 'bo', 'cat', 'dan', 'fay'], extraConfig: 'protocol imap {\n  mail_plugins = $mail_plugins imap_zlib\n}\n' })
    sync = await startDovecot({ users: ['eve'], capability: WITHOUT_LITERAL_PLUS })
  })
  after(async () => {
    await full?.stop()
    await sync?.stop()
  })

  it('sends the stream as it is read, in one APPEND of ours, and stores it exactly', async () => {
    await inFolder(full, 'ann', 'Große Dateien', async (s, lines) => {
      const m = streamed(bigMessage(6, 'a'))
      const res = await s.append(m)
      assert.equal(rawAppends(lines).length, 1, 'the streamed APPEND was sent')
      assert.equal(imapflowAppends(lines).length, 0, 'not read into memory for imapflow')
      assert.ok(lines.some((l) => / S: M\d+ OK /.test(l) && l.includes(`${m.size} bytes streamed`)), lines.join('\n'))
      await assertStored(s, res.uid, m)
    })
  })

  for (const [label, t] of [['STARTTLS', { tls: 'starttls' }], ['implicit TLS', { tls: 'implicit' }], ['COMPRESS=DEFLATE', { compression: true }]] as const) {
    it(`${label}: the streamed APPEND stores the message exactly`, async () => {
      await inFolder(full, 'fay', label.replace(/\W/g, ''), async (s, lines) => {
        const m = streamed(bigMessage(5, label))
        const res = await s.append(m)
        if ('compression' in t) assert.ok(lines.some((l) => / C: \S+ COMPRESS DEFLATE/.test(l)), 'the session is compressed')
        assert.ok(lines.some((l) => / S: M\d+ OK /.test(l) && l.includes(`${m.size} bytes streamed`)), lines.join('\n'))
        await assertStored(s, res.uid, m)
      }, t)
    })
  }

  it('without LITERAL+ the bytes wait for the server to ask for them', async () => {
    await inFolder(sync, 'eve', 'INBOX', async (s, lines) => {
      const m = streamed(bigMessage(1, 'b'))
      const res = await s.append(m)
      assert.equal(rawAppends(lines).length, 1)
      assert.ok(lines.some((l) => l.includes(`${m.size} bytes streamed`)), lines.join('\n'))
      await assertStored(s, res.uid, m)
    })
  })

  it('a size that is only the source server\'s word may be wrong: the message is spooled and stored exactly', async () => {
    await inFolder(full, 'bo', 'INBOX', async (s, lines) => {
      const bytes = bigMessage(1, 'c')
      for (const size of [bytes.length + 1000, bytes.length - 1000]) {
        const m = streamed(bytes, { size, sizeExact: false })
        const res = await s.append(m)
        await assertStored(s, res.uid, m)
      }
      assert.ok(lines.some((l) => l.includes(`${bytes.length} bytes streamed`)), 'sent with the length the bytes really have')
    })
  })

  it('a stream shorter or longer than its exact size stores nothing and says why', async () => {
    const bytes = bigMessage(1, 'd')
    for (const size of [bytes.length + 10, bytes.length - 10]) {
      await inFolder(full, 'cat', 'INBOX', async (s) => {
        const before = await count(s)
        await assert.rejects(s.append(streamed(bytes, { size })), (e: unknown) => {
          assert.ok(e instanceof MailsyncError, String(e))
          assert.equal(e.kind, 'data')
          assert.match(e.message, size > bytes.length ? /ended after \d+ of the \d+ bytes announced/ : /more than the \d+ bytes announced/)
          assert.match(e.message, /nothing was stored/)
          return true
        })
      })
      await inFolder(full, 'cat', 'INBOX', async (s) => {
        assert.equal(await count(s), 0, 'the half-sent APPEND was not stored')
      })
    }
  })

  it('a source that fails while it is sent stores nothing; the error is the source\'s', async () => {
    await inFolder(full, 'dan', 'INBOX', async (s) => {
      await assert.rejects(s.append(streamed(bigMessage(2, 'e'), { failAfter: 1_000_000 })), /source connection lost/)
    })
    await inFolder(full, 'dan', 'INBOX', async (s) => {
      assert.equal(await count(s), 0)
    })
  })

  it('a refused APPEND gives the server\'s reason and leaves no stream waiting', async () => {
    await inFolder(full, 'dan', 'Gone', async (s, lines) => {
      full.doveadm(['mailbox', 'delete', '-u', 'dan', 'Gone'])
      const m = streamed(bigMessage(1, 'f'))
      await assert.rejects(s.append(m), (e: unknown) => {
        assert.ok(e instanceof MailsyncError)
        assert.match(e.message, /Gone|TRYCREATE|exist/i)
        return true
      })
      assert.ok(lines.some((l) => / S: M\d+ NO /.test(l)), 'our APPEND was sent and refused')
      assert.equal((m.content as Readable).readableEnded || (m.content as Readable).destroyed, true, 'the stream was not left waiting')
    })
  })

  it('a NUL byte is stored as imapflow stores a message with one (literal8 with BINARY)', async () => {
    await inFolder(full, 'dan', 'Nul', async (s) => {
      const bytes = Buffer.concat([bigMessage(1, 'g'), Buffer.from([0x00]), Buffer.from('tail\r\n')])
      const viaStream = await s.append(streamed(bytes))
      const viaMemory = await s.append({ content: bytes, size: bytes.length, flags: [], internalDate: Date.UTC(2023, 0, 1) })
      const [a, b] = await readBack(s, [viaStream, viaMemory])
      assert.ok(a!.bytes.equals(b!.bytes))
    })
  })

  it('an empty stream is refused as an empty message is, and nothing is stored', async () => {
    await inFolder(full, 'dan', 'Empty', async (s) => {
      await assert.rejects(s.append(streamed(Buffer.alloc(0))), /refusing to append an empty message/)
      assert.equal(await count(s), 0)
    })
  })
})

// FolderSession.appendMany on IMAP against a real Dovecot: one MULTIAPPEND for the lot where the
// server has MULTIAPPEND, UIDPLUS and LITERAL+, storing exactly what one APPEND per message would
// (bytes, flags, keywords, dates, UIDs in order); one APPEND per message where it lacks them, or
// when the server refuses the batch, so that only the messages at fault fail.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { startDovecot, type DovecotInstance } from '../support/dovecot.js'
import type { AppendInput } from '../../src/repository/types.js'
import { inFolder, readBack } from '../support/imap-folder-session.js'

const FULL = 'IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE NAMESPACE UIDPLUS MULTIAPPEND BINARY CONDSTORE QRESYNC LIST-STATUS SPECIAL-USE'

function messages(): AppendInput[] {
  const bodies = [
    Buffer.from('Message-ID: <a@multi.test>\r\nSubject: one\r\n\r\nplain\r\n'),
    Buffer.concat([Buffer.from('Message-ID: <b@multi.test>\r\nSubject: caf'), Buffer.from([0xc3, 0xa9]), Buffer.from('\r\n\r\n8-bit '), Buffer.from([0xe4, 0xf6, 0x0d, 0x0a])]),
    Buffer.concat([Buffer.from('Message-ID: <c@multi.test>\r\nSubject: high bytes\r\n\r\na'), Buffer.from([0x80, 0xff, 0x7f]), Buffer.from('b\r\n')]),
    Buffer.from('Message-ID: <d@multi.test>\r\nSubject: looks like IMAP\r\n\r\n* 1 FETCH (UID 1)\r\nM9 OK done\r\n{5}\r\n'),
  ]
  const flags = [['\\Seen'], ['\\Flagged', '$Label1'], [], ['\\Answered', 'Work']]
  return bodies.map((content, i) => ({ content, size: content.length, flags: flags[i]!, internalDate: Date.UTC(2021, i, 3 + i, 4, 5, 6) }))
}

const multiAppends = (lines: string[]) => lines.filter((l) => / C: M\d+ APPEND /.test(l)).length
const singleAppends = (lines: string[]) => lines.filter((l) => / C: [0-9A-F]+ APPEND /.test(l)).length

/** Each message read back has the bytes, flags and date it was sent with. */
function assertStoredAsSent(back: Awaited<ReturnType<typeof readBack>>, msgs: AppendInput[]): void {
  back.forEach((b, i) => {
    assert.ok(b.bytes.equals(msgs[i]!.content as Buffer), `bytes of message ${i}`)
    assert.deepEqual(b.flags, [...msgs[i]!.flags].sort(), `flags of message ${i}`)
    assert.equal(b.internalDate, msgs[i]!.internalDate, `date of message ${i}`)
  })
}

describe('appendMany (IMAP)', () => {
  let full: DovecotInstance
  let plain: DovecotInstance
  before(async () => {
    full = await startDovecot({ users: ['ann', 'bo', 'cat'] })
    plain = await startDovecot({ users: ['dan'], capability: FULL.replace(' MULTIAPPEND', '') })
  })
  after(async () => {
    await full?.stop()
    await plain?.stop()
  })

  it('stores the lot in one MULTIAPPEND, UIDs in order, bytes, flags and dates as sent (non-ASCII folder name)', async () => {
    await inFolder(full, 'ann', 'Entwürfe & Co', async (s, lines) => {
      const msgs = messages()
      const outs = await s.appendMany!(msgs)
      assert.equal(outs.length, msgs.length)
      const uids = outs.map((o) => ('uid' in o ? o.uid : undefined))
      assert.deepEqual(uids, [1, 2, 3, 4])
      assert.equal(multiAppends(lines), 1, lines.join('\n'))
      assert.equal(singleAppends(lines), 0)
      assertStoredAsSent(await readBack(s, outs), msgs)
    })
  })

  it('without MULTIAPPEND: one APPEND per message, with the same result', async () => {
    await inFolder(plain, 'dan', 'INBOX', async (s, lines) => {
      const msgs = messages()
      const outs = await s.appendMany!(msgs)
      assert.equal(multiAppends(lines), 0)
      assert.equal(singleAppends(lines), msgs.length)
      assertStoredAsSent(await readBack(s, outs), msgs)
    })
  })

  it('a batch the server refuses is appended one by one: each message gets its own error, nothing is thrown', async () => {
    await inFolder(full, 'bo', 'Doomed', async (s, lines) => {
      full.doveadm(['mailbox', 'delete', '-u', 'bo', 'Doomed'])
      const outs = await s.appendMany!(messages())
      assert.equal(outs.length, 4)
      for (const o of outs) assert.ok('error' in o && /Doomed|TRYCREATE|exist/i.test(String((o.error as Error).message)), JSON.stringify(o))
      assert.ok(lines.some((l) => / S: M\d+ NO /.test(l)), 'the MULTIAPPEND was sent and refused')
      assert.equal(singleAppends(lines), 4)
    })
  })

  it('a message with a NUL byte is stored as one APPEND of it stores it (literal8 with BINARY)', async () => {
    await inFolder(full, 'cat', 'Nul', async (s, lines) => {
      const nul = Buffer.concat([Buffer.from('Message-ID: <n@multi.test>\r\nSubject: nul\r\n\r\na'), Buffer.from([0x00]), Buffer.from('b\r\n')])
      const m = { content: nul, size: nul.length, flags: [], internalDate: Date.UTC(2022, 1, 1) }
      const many = await s.appendMany!([m, messages()[0]!])
      const one = await s.append(m)
      assert.equal(multiAppends(lines), 1)
      const [viaMany, viaOne] = await readBack(s, [many[0]!, one])
      assert.ok(viaMany!.bytes.equals(viaOne!.bytes))
    })
  })

  it('an empty message in the batch fails alone; the others are stored', async () => {
    await inFolder(full, 'cat', 'INBOX', async (s) => {
      const msgs = messages()
      msgs.splice(1, 0, { content: Buffer.alloc(0), size: 0, flags: [], internalDate: Date.UTC(2021, 0, 1) })
      const outs = await s.appendMany!(msgs)
      assert.ok('error' in outs[1]! && /empty/.test(String((outs[1].error as Error).message)))
      const stored = outs.filter((o) => 'uid' in o)
      assert.equal(stored.length, 4)
      const back = await readBack(s, stored)
      assert.ok(back[1]!.bytes.equals(msgs[2]!.content as Buffer))
    })
  })
})

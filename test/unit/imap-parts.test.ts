// Pure parts of the IMAP repository: UID sets, Message-ID parsing, the connection pool bound.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { compressUids, uidSetChunks } from '../../src/repository/imap/uid-set.js'
import { messageIdFromHeader as parseMessageIdHeader } from '../../src/mail/header.js'
import { ConnectionPool } from '../../src/repository/imap/connection-pool.js'
import { crlfSize } from '../../src/repository/imap/append.js'
import { mapCapabilities } from '../../src/repository/imap/folder-list.js'
import { scrub } from '../../src/repository/imap/protocol-log.js'

describe('IMAP helpers', () => {
  it('compresses UID lists to ranges and splits long sets', () => {
    assert.equal(compressUids([12, 1, 2, 3, 4, 5, 7, 9, 10, 11, 3]), '1:5,7,9:12')
    assert.equal(compressUids([]), '')
    const sparse = Array.from({ length: 3000 }, (_, i) => i * 2 + 1)
    const chunks = uidSetChunks(sparse, 100)
    assert.ok(chunks.length > 1 && chunks.every((c) => c.length <= 100))
    assert.deepEqual(chunks.join(',').split(',').map(Number), sparse)
    assert.throws(() => compressUids([0]), RangeError)
    assert.throws(() => compressUids([1.5]), RangeError)
  })

  it('parses Message-ID headers: folded, case-insensitive, brackets kept, absent', () => {
    assert.equal(parseMessageIdHeader(Buffer.from('Message-ID:\r\n  <a@b>  \r\n\r\n')), '<a@b>')
    assert.equal(parseMessageIdHeader('message-id: <x@y>\r\n'), '<x@y>')
    assert.equal(parseMessageIdHeader('\r\n'), undefined)
    assert.equal(parseMessageIdHeader(undefined), undefined)
    assert.equal(parseMessageIdHeader('Message-ID:   \r\n'), undefined)
  })

  it('counts the CRLF size of LF messages, maps capabilities, scrubs secrets', () => {
    assert.equal(crlfSize(Buffer.from('a\nb\r\nc\n')), 9)
    const caps = mapCapabilities(['IMAP4rev1', 'COMPRESS=DEFLATE', 'uidplus', 'QRESYNC'])
    assert.deepEqual([...caps].sort(), ['COMPRESS', 'CONDSTORE', 'QRESYNC', 'UIDPLUS'])
    assert.equal(scrub('LOGIN bob s3cret!', ['s3cret!']), 'LOGIN bob ***')
  })

  it('the pool never opens more than max, serves waiters FIFO and replaces broken connections', async () => {
    let open = 0
    let peak = 0
    let made = 0
    const broken = new Set<number>()
    const pool = new ConnectionPool<number>(2, {
      create: async () => {
        open++
        peak = Math.max(peak, open)
        return ++made
      },
      isUsable: (c) => !broken.has(c),
      dispose: async () => { open-- },
    })
    const a = await pool.acquire()
    const b = await pool.acquire()
    const order: number[] = []
    const waiters = [1, 2, 3].map((i) => pool.acquire().then((c) => { order.push(i); return c }))
    assert.equal(pool.stats().waiting, 3)
    pool.release(a)
    broken.add(b)
    pool.release(b)
    const [c1, c2] = await Promise.all(waiters.slice(0, 2))
    assert.deepEqual(order, [1, 2])
    assert.equal(c1, a, 'idle connection reused')
    assert.equal(c2, 3, 'broken one replaced by a new one')
    pool.release(c1)
    const c3 = await waiters[2]!
    assert.equal(c3, a)
    assert.ok(peak <= 2 && pool.stats().peakOpen <= 2)
    await pool.close()
    assert.equal(open, 0)
    await assert.rejects(pool.acquire(), /closed/)
  })
})

// The raw IMAP reading used by bulk UID FETCH: ResponseReader (framing of server bytes into whole
// responses with `{n}` literals, stopping mid-chunk, limits, responseBytes) and the FETCH /
// VANISHED / INTERNALDATE parsers with their typed item readers.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  ResponseReader,
  responseBytes,
  type RawResponse,
  type ReaderLimits,
} from '../../src/repository/imap/raw/response-reader.js'
import {
  bytesItem,
  flagsItem,
  itemStartingWith,
  modSeqItem,
  numberItem,
  parseFetchResponse,
  parseInternalDate,
  parseVanished,
  type FetchResponse,
} from '../../src/repository/imap/raw/fetch-response.js'

const latin1 = (s: string) => Buffer.from(s, 'latin1')

/** Every byte 0x80..0xff once. */
const HIGH_BYTES = Buffer.from(Array.from({ length: 128 }, (_, i) => 0x80 + i))

/** A literal body that looks like protocol: CRLF, a bare LF, 8-bit bytes, a `{5}` line, a fake FETCH line, and `{5}` at its very end. */
const BODY = Buffer.concat([
  latin1('Subject: test\r\n\r\nline one\r\n'),
  HIGH_BYTES,
  latin1('\r\n{5}\r\n* 1 FETCH (UID 9)\r\nbare\nLF\r\nA1 OK not really\r\nends with {5}'),
])
const HEADER = latin1('From: a@b\r\n\r\n')
const TEXT = Buffer.concat([latin1('caf'), Buffer.from([0xe9]), latin1('\r\n')])

interface Expected {
  text: string[]
  literals: Buffer[]
}

/** One server response as expected from the reader, and its wire bytes. */
function response(text: string[], literals: Buffer[] = []): { expected: Expected; bytes: Buffer } {
  const parts: Buffer[] = []
  text.forEach((t, i) => {
    parts.push(latin1(t + '\r\n'))
    if (i < literals.length) parts.push(literals[i]!)
  })
  return { expected: { text, literals }, bytes: Buffer.concat(parts) }
}

const STREAM = [
  response(['* OK [CAPABILITY IMAP4rev1] ready, caf\xe9 \xff']), // 8-bit bytes in a line, too
  response([`* 1 FETCH (UID 7 BODY[] {${BODY.length}}`, ')'], [BODY]),
  response(['* 2 FETCH (UID 8 BODY[] {0}', ' FLAGS ())'], [Buffer.alloc(0)]),
  response([`* 3 FETCH (BODY[HEADER] {${HEADER.length}}`, ` BODY[TEXT] {${TEXT.length}}`, ' UID 9)'], [HEADER, TEXT]),
  response(['A1 OK FETCH completed']),
]
const STREAM_BYTES = Buffer.concat(STREAM.map((r) => r.bytes))
const EXPECTED = STREAM.map((r) => r.expected)
/** Bytes the server sends after the tagged response. */
const AFTER = latin1('* 4 FETCH (UID 10 BODY[] {3}\r\nabc)\r\n* 5 EXISTS\r\n')

/** Feeds `chunks` to a fresh reader; collects responses and what push() returned. */
function feed(chunks: Buffer[], stopOnTag = false, limits?: ReaderLimits) {
  const got: RawResponse[] = []
  const reader = new ResponseReader((r) => {
    got.push(r)
    return stopOnTag && r.text[0]!.startsWith('A1 ')
  }, limits)
  let rest: Buffer | undefined
  let pushesAfterStop = 0
  for (const c of chunks) {
    if (rest !== undefined) {
      pushesAfterStop++
      continue
    }
    rest = reader.push(c)
  }
  return { got, rest, reader, pushesAfterStop }
}

/** Plain objects, so deepEqual compares literal bytes exactly and reports text differences readably. */
const plain = (rs: RawResponse[]): Expected[] => rs.map((r) => ({ text: [...r.text], literals: r.literals.map((l) => Buffer.from(l)) }))

function assertResponses(got: RawResponse[], label: string) {
  assert.deepEqual(plain(got), EXPECTED, label)
  // byte identity of the literals, stated separately so a failure names the literal
  got.forEach((r, i) => r.literals.forEach((l, j) => assert.ok(l.equals(EXPECTED[i]!.literals[j]!), `${label}: literal ${j} of response ${i}`)))
}

describe('ResponseReader', () => {
  it('splits a stream fed in one chunk into the expected responses', () => {
    const { got, rest, reader } = feed([STREAM_BYTES])
    assertResponses(got, 'one chunk')
    assert.equal(rest, undefined)
    assert.equal(reader.idle, true)
  })

  it('gives the same responses when fed one byte at a time', () => {
    const bytes = Array.from({ length: STREAM_BYTES.length }, (_, i) => STREAM_BYTES.subarray(i, i + 1))
    const { got, rest, reader } = feed(bytes)
    assertResponses(got, 'byte at a time')
    assert.equal(rest, undefined)
    assert.equal(reader.idle, true)
  })

  it('gives the same responses for every split point into two chunks', () => {
    for (let i = 0; i <= STREAM_BYTES.length; i++) {
      const { got, rest, reader } = feed([STREAM_BYTES.subarray(0, i), STREAM_BYTES.subarray(i)])
      assertResponses(got, `split at ${i}`)
      assert.equal(rest, undefined, `split at ${i}`)
      assert.equal(reader.idle, true, `split at ${i}`)
    }
  })

  it('is not idle while a line or a literal is pending', () => {
    const reader = new ResponseReader(() => {})
    reader.push(latin1('* 1 FETCH (BODY[] {3}\r\nab'))
    assert.equal(reader.idle, false)
    reader.push(latin1('c)\r\n* 2 EXI'))
    assert.equal(reader.idle, false)
    reader.push(latin1('STS\r\n'))
    assert.equal(reader.idle, true)
  })

  it('stops on the handler\'s true and returns exactly the bytes after that response, at every split point', () => {
    const data = Buffer.concat([STREAM_BYTES, AFTER])
    const tagEnd = STREAM_BYTES.length
    for (let i = 0; i <= data.length; i++) {
      const { got, rest, pushesAfterStop } = feed([data.subarray(0, i), data.subarray(i)], true)
      const label = `split at ${i}`
      assertResponses(got, label) // nothing after the tagged response was delivered
      assert.ok(rest !== undefined, `${label}: push() must signal the stop`)
      // the stop happens in the chunk holding the tagged line's LF; the rest is the remainder of that chunk
      const expectedRest = i >= tagEnd ? data.subarray(tagEnd, i) : data.subarray(tagEnd)
      assert.ok(rest.equals(expectedRest), `${label}: rest was ${JSON.stringify(rest.toString('latin1'))}`)
      assert.equal(pushesAfterStop, i >= tagEnd ? 1 : 0, label)
    }
  })

  it('stops when fed one byte at a time: the stopping push returns an empty rest', () => {
    const data = Buffer.concat([STREAM_BYTES, AFTER])
    const got: RawResponse[] = []
    const reader = new ResponseReader((r) => {
      got.push(r)
      return r.text[0]!.startsWith('A1 ')
    })
    let stoppedAt = -1
    for (let i = 0; i < data.length; i++) {
      const rest = reader.push(data.subarray(i, i + 1))
      if (rest !== undefined) {
        assert.equal(rest.length, 0)
        stoppedAt = i
        break
      }
    }
    assert.equal(stoppedAt, STREAM_BYTES.length - 1)
    assertResponses(got, 'byte at a time with stop')
  })

  it('responseBytes() rebuilds the exact wire bytes of each response', () => {
    const { got } = feed([STREAM_BYTES])
    assert.equal(got.length, STREAM.length)
    got.forEach((r, i) => assert.ok(responseBytes(r).equals(STREAM[i]!.bytes), `response ${i}`))
    assert.ok(Buffer.concat(got.map(responseBytes)).equals(STREAM_BYTES))
  })

  describe('limits', () => {
    const limits: ReaderLimits = { maxLine: 40, maxLiteral: 100 }
    const isLimitError = (limit: number) => (err: unknown) => {
      assert.equal((err as { code?: string }).code, 'EPROTOCOL')
      assert.match((err as Error).message, new RegExp(`\\b${limit}\\b`))
      return true
    }

    it('accepts a line and a literal within the limits', () => {
      const got: RawResponse[] = []
      const r = new ResponseReader((x) => { got.push(x) }, limits)
      r.push(latin1(`* 1 FETCH (BODY[] {100}\r\n${'x'.repeat(100)})\r\n`))
      assert.equal(got.length, 1)
      assert.equal(got[0]!.literals[0]!.length, 100)
    })

    it('rejects a line longer than maxLine, whole or arriving in pieces', () => {
      const long = latin1(`* OK ${'a'.repeat(60)}\r\n`)
      assert.throws(() => new ResponseReader(() => {}, limits).push(long), isLimitError(40))
      assert.throws(() => {
        const r = new ResponseReader(() => {}, limits)
        for (let i = 0; i < long.length; i++) r.push(long.subarray(i, i + 1))
      }, isLimitError(40))
      // no line end at all: must not buffer without bound (beyond the line and its CR LF)
      assert.throws(() => new ResponseReader(() => {}, limits).push(latin1('x'.repeat(43))), isLimitError(40))
    })

    it('takes a line of exactly maxLine bytes at every split point, also between CR and LF', () => {
      const line = latin1(`* OK ${'b'.repeat(35)}\r\n`)
      for (let cut = 0; cut <= line.length; cut++) {
        const got: RawResponse[] = []
        const r = new ResponseReader((x) => { got.push(x) }, limits)
        r.push(line.subarray(0, cut))
        r.push(line.subarray(cut))
        assert.deepEqual(got.map((x) => x.text), [[`* OK ${'b'.repeat(35)}`]], `split at ${cut}`)
      }
    })

    it('rejects a literal announced larger than maxLiteral before reading it', () => {
      let delivered = 0
      const r = new ResponseReader(() => { delivered++ }, limits)
      assert.throws(() => r.push(latin1('* 1 FETCH (BODY[] {101}\r\n')), isLimitError(100))
      assert.equal(delivered, 0)
      assert.throws(() => new ResponseReader(() => {}, limits).push(latin1('* 1 FETCH (BODY[] {999999999}\r\n')), isLimitError(100))
      // however many digits: a size the pattern missed would let the literal's bytes pass for responses
      assert.throws(() => new ResponseReader(() => {}, limits).push(latin1('* 1 FETCH (BODY[] {1000000000000}\r\nabc\r\n')), isLimitError(100))
    })

    it('reads zero-padded literal sizes', () => {
      const got: RawResponse[] = []
      new ResponseReader((x) => { got.push(x) }, limits).push(latin1('* 1 FETCH (BODY[] {0000000000003}\r\nM1 )\r\n'))
      assert.equal(got.length, 1)
      assert.equal(got[0]!.literals[0]!.toString('latin1'), 'M1 ')
    })
  })
})

/** Reads `wire` (one response) and parses it as FETCH. */
function fetchOf(...wire: (string | Buffer)[]): FetchResponse | undefined {
  const got: RawResponse[] = []
  new ResponseReader((r) => { got.push(r) }).push(Buffer.concat(wire.map((w) => (typeof w === 'string' ? latin1(w) : w))))
  assert.equal(got.length, 1, 'test input must be exactly one response')
  return parseFetchResponse(got[0]!)
}

/** A RawResponse of plain lines (no literals). */
const line = (text: string): RawResponse => ({ text: [text], literals: [] })

describe('parseFetchResponse', () => {
  it('reads UID, FLAGS, RFC822.SIZE, INTERNALDATE, MODSEQ and a literal BODY[]', () => {
    const body = Buffer.concat([latin1('Subject: x\r\n\r\n'), HIGH_BYTES, latin1('\r\n')])
    const f = fetchOf(
      '* 12 FETCH (UID 4827313 FLAGS (\\Seen \\Answered $Label1 NonJunk) RFC822.SIZE 44827 ',
      'INTERNALDATE "17-Jul-1996 02:44:25 -0700" MODSEQ (123456789012345) ',
      `BODY[] {${body.length}}\r\n`, body, ')\r\n',
    )!
    assert.equal(f.seq, 12)
    assert.deepEqual([...f.items.keys()], ['UID', 'FLAGS', 'RFC822.SIZE', 'INTERNALDATE', 'MODSEQ', 'BODY[]'])
    assert.equal(numberItem(f.items.get('UID')), 4827313)
    assert.deepEqual(flagsItem(f.items.get('FLAGS')), ['\\Seen', '\\Answered', '$Label1', 'NonJunk'])
    assert.equal(numberItem(f.items.get('RFC822.SIZE')), 44827)
    assert.equal(f.items.get('INTERNALDATE'), '17-Jul-1996 02:44:25 -0700')
    assert.equal(parseInternalDate(f.items.get('INTERNALDATE') as string), Date.UTC(1996, 6, 17, 9, 44, 25))
    assert.equal(modSeqItem(f.items.get('MODSEQ')), 123456789012345n)
    const got = bytesItem(f.items.get('BODY[]'))!
    assert.ok(Buffer.isBuffer(got) && got.equals(body))
  })

  it('reads MODSEQ values beyond 2^53 exactly, as bigint', () => {
    const f = fetchOf('* 1 FETCH (MODSEQ (18446744073709551615) UID 1)\r\n')!
    const m = modSeqItem(f.items.get('MODSEQ'))
    assert.equal(typeof m, 'bigint')
    assert.equal(m, 18446744073709551615n)
    assert.equal(modSeqItem(fetchOf('* 1 FETCH (MODSEQ (9007199254740993))\r\n')!.items.get('MODSEQ')), 9007199254740993n)
    assert.equal(modSeqItem(undefined), undefined)
    assert.equal(modSeqItem('5'), undefined)
  })

  it('reads an empty FLAGS list', () => {
    const f = fetchOf('* 2 FETCH (FLAGS () UID 3)\r\n')!
    assert.deepEqual(f.items.get('FLAGS'), [])
    assert.deepEqual(flagsItem(f.items.get('FLAGS')), [])
    assert.equal(numberItem(f.items.get('UID')), 3)
  })

  it('reads BODY[] as a quoted string with \\" and \\\\ escapes', () => {
    const f = fetchOf('* 3 FETCH (UID 5 BODY[] "say \\"hi\\" C:\\\\dir (x)")\r\n')!
    assert.equal(f.items.get('BODY[]'), 'say "hi" C:\\dir (x)')
    assert.ok(bytesItem(f.items.get('BODY[]'))!.equals(latin1('say "hi" C:\\dir (x)')))
    assert.equal(numberItem(f.items.get('UID')), 5)
  })

  it('keeps 8-bit bytes of a quoted string byte for byte', () => {
    const f = fetchOf(Buffer.concat([latin1('* 3 FETCH (BODY[] "'), HIGH_BYTES, latin1('")\r\n')]))!
    assert.ok(bytesItem(f.items.get('BODY[]'))!.equals(HIGH_BYTES))
  })

  it('reads BODY[] NIL as null, which bytesItem leaves undefined', () => {
    const f = fetchOf('* 4 FETCH (UID 6 BODY[] NIL)\r\n')!
    assert.ok(f.items.has('BODY[]'))
    assert.equal(f.items.get('BODY[]'), null)
    assert.equal(bytesItem(f.items.get('BODY[]')), undefined)
  })

  it('finds BODY[HEADER.FIELDS ...] sections by prefix, quoted or not', () => {
    const hdr = latin1('Message-ID: <a@b>\r\n\r\n')
    for (const section of ['BODY[HEADER.FIELDS (MESSAGE-ID)]', 'BODY[HEADER.FIELDS ("Message-ID")]']) {
      const f = fetchOf(`* 5 FETCH (UID 8 ${section} {${hdr.length}}\r\n`, hdr, ')\r\n')!
      assert.deepEqual([...f.items.keys()], ['UID', section.toUpperCase()])
      const v = itemStartingWith(f.items, 'BODY[HEADER.FIELDS')
      assert.ok(Buffer.isBuffer(v) && v.equals(hdr), section)
      assert.equal(itemStartingWith(f.items, 'BODY[TEXT'), undefined)
    }
  })

  it('reads items in any order, with a literal in the middle followed by more items', () => {
    const body = latin1('a)b(c "d"\r\n{2}\r\n')
    const f = fetchOf(
      `* 6 FETCH (RFC822.SIZE ${body.length} BODY[] {${body.length}}\r\n`, body,
      ' FLAGS (\\Flagged) UID 77 MODSEQ (9))\r\n',
    )!
    assert.deepEqual([...f.items.keys()], ['RFC822.SIZE', 'BODY[]', 'FLAGS', 'UID', 'MODSEQ'])
    assert.ok(bytesItem(f.items.get('BODY[]'))!.equals(body))
    assert.deepEqual(flagsItem(f.items.get('FLAGS')), ['\\Flagged'])
    assert.equal(numberItem(f.items.get('UID')), 77)
    assert.equal(numberItem(f.items.get('RFC822.SIZE')), body.length)
    assert.equal(modSeqItem(f.items.get('MODSEQ')), 9n)
  })

  it('reads two literals and a zero-length literal', () => {
    const f = fetchOf('* 7 FETCH (BODY[HEADER] {3}\r\nabc BODY[TEXT] {0}\r\n UID 1)\r\n')!
    assert.ok(bytesItem(f.items.get('BODY[HEADER]'))!.equals(latin1('abc')))
    assert.equal(bytesItem(f.items.get('BODY[TEXT]'))!.length, 0)
    assert.equal(numberItem(f.items.get('UID')), 1)
  })

  it('upper-cases lower-case item names', () => {
    const f = fetchOf('* 8 fetch (uid 9 flags (\\Seen) rfc822.size 10 body[header.fields (message-id)] {2}\r\nxy)\r\n')!
    assert.equal(f.seq, 8)
    assert.deepEqual([...f.items.keys()], ['UID', 'FLAGS', 'RFC822.SIZE', 'BODY[HEADER.FIELDS (MESSAGE-ID)]'])
    assert.equal(numberItem(f.items.get('UID')), 9)
    assert.deepEqual(flagsItem(f.items.get('FLAGS')), ['\\Seen'])
    assert.ok(bytesItem(itemStartingWith(f.items, 'BODY[HEADER.FIELDS'))!.equals(latin1('xy')))
  })

  it('returns undefined for responses that are not untagged FETCH', () => {
    assert.equal(parseFetchResponse(line('* 3 EXISTS')), undefined)
    assert.equal(parseFetchResponse(line('* OK [UIDNEXT 5] ok')), undefined)
    assert.equal(parseFetchResponse(line('A1 OK FETCH completed')), undefined)
  })

  it('throws EPROTOCOL on a malformed FETCH', () => {
    const isProtocol = (err: unknown) => (err as { code?: string }).code === 'EPROTOCOL'
    assert.throws(() => parseFetchResponse(line('* 1 FETCH (UID')), isProtocol)
    assert.throws(() => parseFetchResponse(line('* 1 FETCH (UID 5')), isProtocol)
    assert.throws(() => parseFetchResponse(line('* 1 FETCH (FLAGS (\\Seen)')), isProtocol)
    assert.throws(() => parseFetchResponse(line('* 1 FETCH (BODY[] "unterminated)')), isProtocol)
    // a literal announced but not present in the response
    assert.throws(() => parseFetchResponse(line('* 1 FETCH (BODY[] {3}')), isProtocol)
  })

  it('typed readers reject values of the wrong shape', () => {
    assert.equal(numberItem('12a'), undefined)
    assert.equal(numberItem(null), undefined)
    assert.equal(numberItem(['1']), undefined)
    assert.equal(flagsItem('\\Seen'), undefined)
    assert.equal(bytesItem(['a']), undefined)
  })
})

describe('parseVanished', () => {
  it('reads VANISHED (EARLIER) with ranges, including a reversed range', () => {
    const v = parseVanished(line('* VANISHED (EARLIER) 1:3,7,10:9'))!
    assert.equal(v.earlier, true)
    assert.deepEqual([...v.uids].sort((a, b) => a - b), [1, 2, 3, 7, 9, 10])
  })

  it('reads plain VANISHED', () => {
    const v = parseVanished(line('* VANISHED 5'))!
    assert.equal(v.earlier, false)
    assert.deepEqual(v.uids, [5])
  })

  it('returns undefined for other responses', () => {
    assert.equal(parseVanished(line('* 3 EXISTS')), undefined)
    assert.equal(parseVanished(line('* 1 FETCH (UID 5)')), undefined)
    assert.equal(parseVanished(line('A1 OK done')), undefined)
  })

  it('refuses UID 0 and malformed ranges', () => {
    for (const bad of ['* VANISHED 3:0', '* VANISHED 1::2', '* VANISHED 0', '* VANISHED (EARLIER) 4,:5']) {
      assert.throws(() => parseVanished(line(bad)), (e: Error & { code?: string }) => e.code === 'EPROTOCOL', bad)
    }
  })
})

describe('parseInternalDate', () => {
  it('reads dates with negative, zero and positive offsets', () => {
    assert.equal(parseInternalDate('17-Jul-1996 02:44:25 -0700'), Date.UTC(1996, 6, 17, 9, 44, 25))
    assert.equal(parseInternalDate(' 1-Jan-2024 00:00:00 +0000'), Date.UTC(2024, 0, 1, 0, 0, 0))
    assert.equal(parseInternalDate('01-Mar-2020 12:00:00 +0530'), Date.UTC(2020, 2, 1, 6, 30, 0))
    assert.equal(parseInternalDate('31-Dec-1999 23:59:59 -1200'), Date.UTC(2000, 0, 1, 11, 59, 59))
    assert.equal(parseInternalDate('29-feb-2024 08:15:00 +0100'), Date.UTC(2024, 1, 29, 7, 15, 0))
  })

  it('agrees with imapflow, which parses INTERNALDATE with new Date()', () => {
    for (const s of ['17-Jul-1996 02:44:25 -0700', ' 1-Jan-2024 00:00:00 +0000', '01-Mar-2020 12:00:00 +0530', '09-Nov-2011 23:05:10 +1345']) {
      assert.equal(parseInternalDate(s), new Date(s).getTime(), s)
    }
  })

  it('returns undefined for a bad month or text that is not a date', () => {
    assert.equal(parseInternalDate('17-Jux-1996 02:44:25 -0700'), undefined)
    assert.equal(parseInternalDate('not a date'), undefined)
    assert.equal(parseInternalDate(''), undefined)
    assert.equal(parseInternalDate('17-Jul-1996 02:44:25'), undefined)
    assert.equal(parseInternalDate('1996-07-17T09:44:25Z'), undefined)
  })

  it('returns undefined for days, hours, minutes or offsets out of range (as new Date() does)', () => {
    for (const bad of ['31-Feb-2024 10:00:00 +0000', '29-Feb-2023 10:00:00 +0000', '01-Jan-2024 25:00:00 +0000', '01-Jan-2024 10:61:00 +0000', '01-Jan-2024 10:00:00 +0075']) {
      assert.equal(parseInternalDate(bad), undefined, bad)
    }
  })
})

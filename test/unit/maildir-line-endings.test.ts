// Maildir files hold LF; IMAP carries CRLF. What converts, what is kept as it came, and that a
// message round-trips byte for byte through a Maildir folder (in memory and streamed).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { CrlfWatch, crlfToLf, isCrlfMessage, lfFormIfCrlf, lfToCrlf, servedLength } from '../../src/repository/maildir/line-endings.js'
import { MaildirRepository } from '../../src/repository/maildir/maildir-repository.js'
import { STREAM_THRESHOLD } from '../../src/repository/maildir/maildir-folder.js'
import { bodyBytes } from '../support/message-body.js'
import { tempRoots } from '../support/temp-roots.js'
import { SeededRandom } from '../support/seeded-random.js'

const roots = tempRoots('mailsync-le-')

const crlf = Buffer.from('From: a@example.org\r\nSubject: hi\r\n\r\nline one\r\nline two\r\n')

test('crlfToLf removes exactly the CRs and lfToCrlf puts one before every LF, for any bytes (seeded cases)', () => {
  // references: the plain byte-by-byte meaning the fast versions must keep
  const dropCr = (b: Buffer): Buffer => Buffer.from([...b].filter((x) => x !== 0x0d))
  const addCr = (b: Buffer): Buffer => Buffer.from([...b].flatMap((x) => (x === 0x0a ? [0x0d, 0x0a] : [x])))
  const rnd = new SeededRandom(7)
  const next = (n: number): number => rnd.int(0, n - 1)
  const alphabet = [0x0d, 0x0a, 0x41, 0x20, 0x0d, 0x0a]
  for (let k = 0; k < 400; k++) {
    const b = Buffer.from(Array.from({ length: next(40) }, () => alphabet[next(alphabet.length)]!))
    assert.deepEqual(crlfToLf(b), dropCr(b), `crlfToLf of ${JSON.stringify(b.toString('latin1'))}`)
    assert.deepEqual(lfToCrlf(b), addCr(b), `lfToCrlf of ${JSON.stringify(b.toString('latin1'))}`)
  }
  const input = Buffer.from('a\r\nb\r\n')
  const copy = Buffer.from(input)
  crlfToLf(input)
  lfToCrlf(input)
  assert.deepEqual(input, copy, 'the input is left as it was')
})

test('lfFormIfCrlf gives the LF form exactly when isCrlfMessage accepts, for any bytes (seeded cases)', () => {
  const rnd = new SeededRandom(11)
  const next = (n: number): number => rnd.int(0, n - 1)
  const pieces = ['\r\n', '\r\n', 'ab', ' ', '\r', '\n', '\0', 'x\r\n']
  let accepted = 0
  for (let k = 0; k < 2000; k++) {
    let text = Array.from({ length: next(12) }, () => pieces[next(pieces.length)]!).join('')
    if (k % 3 === 0) text = text.replace(/\r?\n|\r|\0/g, '\r\n')
    const b = Buffer.from(text, 'latin1')
    const expected = isCrlfMessage(b) ? crlfToLf(b) : undefined
    const got = lfFormIfCrlf(b)
    assert.deepEqual(got && Buffer.from(got), expected, `lfFormIfCrlf of ${JSON.stringify(text)}`)
    if (expected) accepted++
  }
  assert.ok(accepted > 300 && accepted < 1700, `both kinds were tried (${accepted} of 2000 accepted)`)
  const big = Buffer.from('Subject: big\r\n\r\n' + 'line of text\r\n'.repeat(120_000))
  assert.deepEqual(lfFormIfCrlf(big), crlfToLf(big), 'a message over the reused buffer size')
})

test('a message whose every line ends in CRLF converts; anything else is kept as it came', () => {
  assert.equal(isCrlfMessage(crlf), true)
  assert.deepEqual(crlfToLf(crlf), Buffer.from('From: a@example.org\nSubject: hi\n\nline one\nline two\n'))
  assert.deepEqual(lfToCrlf(crlfToLf(crlf)), crlf)
  const kept: [string, Buffer][] = [
    ['bare LF', Buffer.from('A: b\r\n\r\nx\ny\r\n')],
    ['bare CR', Buffer.from('A: b\r\n\r\nx\ry\r\n')],
    ['CR at the end', Buffer.from('A: b\r\n\r\nx\r')],
    ['LF only', Buffer.from('A: b\n\nx\n')],
    ['NUL', Buffer.from('A: b\r\n\r\nx\0y\r\n')],
    ['no line break', Buffer.from('just text')],
    ['LF first', Buffer.from('\nA: b\r\n')],
  ]
  for (const [why, buf] of kept) assert.equal(isCrlfMessage(buf), false, why)
})

test('the stream watch agrees with the whole-buffer check, whatever the chunk borders', () => {
  const samples = [crlf, Buffer.from('A: b\r\n\r\nx\ny\r\n'), Buffer.from('A: b\r\n\r\nx\ry\r\n'), Buffer.from('A: b\r\n\r\nx\r'), Buffer.from('A\r\n\0\r\n')]
  for (const s of samples) {
    for (let cut = 0; cut <= s.length; cut++) {
      const w = new CrlfWatch()
      w.update(s.subarray(0, cut))
      w.update(s.subarray(cut))
      assert.equal(w.crlfMessage, isCrlfMessage(s), `${JSON.stringify(s.toString())} cut at ${cut}`)
    }
  }
})

test('the served size of a file without W=: LF files count CRLF, files with a CR count as they are', () => {
  assert.equal(servedLength(crlfToLf(crlf)), crlf.length)
  assert.equal(servedLength(crlf), crlf.length)
})

async function folderOf(lineEndings: 'lf' | 'crlf' = 'lf') {
  const root = join(await roots.fresh(), 'mail')
  const repo = new MaildirRepository({ name: 'local', root, createRoot: true, lineEndings })
  await repo.createFolder('INBOX')
  return { root, repo, folder: await repo.openFolder('INBOX') }
}

function files(root: string): Buffer[] {
  const cur = join(root, 'INBOX', 'cur')
  return readdirSync(cur).sort().map((n) => readFileSync(join(cur, n)))
}

test('a CRLF message is stored with LF and served back byte for byte; others are stored as sent', async () => {
  const { root, folder } = await folderOf()
  const odd = Buffer.from('A: b\r\n\r\nbare\nLF and bare\rCR\r\n')
  const lfOnly = Buffer.from('A: b\n\nunix\n')
  const uids: number[] = []
  for (const m of [crlf, odd, lfOnly]) uids.push((await folder.append({ content: m, size: m.length, flags: [], internalDate: Date.now() })).uid!)
  await folder.flush!()
  const stored = files(root)
  assert.equal(stored.length, 3)
  assert.equal(stored.filter((b) => b.includes(0x0d)).length, 1, 'only the message that cannot round-trip keeps a CR')
  assert.ok(stored.some((b) => b.equals(crlfToLf(crlf))), 'the CRLF message is on disk with LF')
  assert.ok(stored.some((b) => b.equals(odd)), 'the odd one as sent')
  const listed = (await folder.list()).messages
  assert.deepEqual(listed.map((m) => m.size), [crlf.length, odd.length, lfOnly.length], 'sizes are the served sizes')
  const served = new Map<number, Buffer>()
  for await (const b of folder.fetch(uids)) {
    served.set(b.uid, await bodyBytes(b))
    assert.equal(b.size, served.get(b.uid)!.length)
  }
  assert.deepEqual(served.get(uids[0]!), crlf)
  assert.deepEqual(served.get(uids[1]!), odd)
  assert.deepEqual(served.get(uids[2]!), lfOnly, 'W= keeps even a bare-LF message exact')
  await folder.close()
})

test('lineendings = crlf keeps the bytes as IMAP sent them', async () => {
  const { root, folder } = await folderOf('crlf')
  await folder.append({ content: crlf, size: crlf.length, flags: [], internalDate: Date.now() })
  await folder.close()
  assert.deepEqual(files(root), [crlf])
})

test('files of other programs: LF files are served with CRLF, CRLF files as they are', async () => {
  const { root, repo, folder } = await folderOf()
  await folder.close()
  const cur = join(root, 'INBOX', 'cur')
  mkdirSync(cur, { recursive: true })
  writeFileSync(join(cur, '1700000000_0.1.host,U=7,FMD5=0123456789abcdef0123456789abcdef:2,S'), crlfToLf(crlf))
  writeFileSync(join(cur, '1700000001.M1P1.host,U=8:2,'), crlf)
  const f = await repo.openFolder('INBOX')
  const listed = (await f.list({ withMessageId: true })).messages
  assert.deepEqual(listed.map((m) => [m.uid, m.size]), [[7, crlf.length], [8, crlf.length]])
  for await (const b of f.fetch([7, 8])) assert.deepEqual(await bodyBytes(b), crlf, `UID ${b.uid}`)
  await f.close()
})

test('a large message streams in and out: stored with LF, served with CRLF and the exact size', async () => {
  const { root, folder } = await folderOf()
  const line = 'x'.repeat(98) + '\r\n'
  const big = Buffer.from('Subject: big\r\n\r\n' + line.repeat(Math.ceil((STREAM_THRESHOLD * 1.5) / line.length)))
  const chunks = Readable.from([big.subarray(0, 1000), big.subarray(1000, 1001), big.subarray(1001)])
  const { uid } = await folder.append({ content: chunks, size: big.length, sizeExact: true, flags: ['\\Seen'], internalDate: Date.now() })
  const [onDisk] = files(root)
  assert.deepEqual(onDisk, crlfToLf(big))
  assert.equal(readdirSync(join(root, 'INBOX', 'tmp')).length, 0, 'no file left in tmp/')
  const [listed] = (await folder.list()).messages
  assert.equal(listed!.size, big.length)
  for await (const b of folder.fetch([uid!])) {
    assert.equal(b.size, big.length)
    assert.equal(b.sizeExact, true)
    assert.ok(!Buffer.isBuffer(b.content), 'streamed')
    assert.deepEqual(await bodyBytes(b), big)
  }
  await folder.close()
})

test("mbsync's X-TUID line is left out of what another program's file serves (small and streamed), never out of ours", async () => {
  const { root, repo, folder } = await folderOf()
  await folder.close()
  const cur = join(root, 'INBOX', 'cur')
  const withTuid = (body: string) => Buffer.from(`From: a@example.org\nMessage-ID: <t@x>\nX-TUID: kQngU05mdf9Z\n\n${body}`)
  const expected = (body: string) => Buffer.from(`From: a@example.org\r\nMessage-ID: <t@x>\r\n\r\n${body.replace(/\n/g, '\r\n')}`)
  const bigBody = ('y'.repeat(99) + '\n').repeat(Math.ceil((STREAM_THRESHOLD * 1.2) / 100))
  writeFileSync(join(cur, '1796494420.27835_2.vm,U=2:2,S'), withTuid('small\n'))
  writeFileSync(join(cur, '1796494420.27835_3.vm,U=3:2,S'), withTuid(bigBody))
  const f = await repo.openFolder('INBOX')
  const sizes = (await f.list()).messages.map((m) => m.size)
  assert.deepEqual(sizes, [expected('small\n').length, expected(bigBody).length])
  const got: Buffer[] = []
  for await (const b of f.fetch([2, 3])) {
    const bytes = await bodyBytes(b)
    assert.equal(b.size, bytes.length)
    got.push(bytes)
  }
  assert.deepEqual(got[0], expected('small\n'))
  assert.ok(got[1]!.equals(expected(bigBody)), 'the streamed file skips the line too')
  // a message of ours that really carries such a header keeps it
  const mine = Buffer.from('X-TUID: kQngU05mdf9Z\r\nSubject: s\r\n\r\nx\r\n')
  const { uid } = await f.append({ content: mine, size: mine.length, flags: [], internalDate: Date.now() })
  for await (const b of f.fetch([uid!])) assert.deepEqual(await bodyBytes(b), mine)
  await f.close()
})

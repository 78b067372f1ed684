// FingerprintTap: SHA-256, size and Message-ID of the bytes that pass by, buffer or stream, with
// the bytes unchanged; and a reader that gives up on the stream stops its source too.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { PassThrough, Readable } from 'node:stream'
import { once } from 'node:events'
import { FingerprintTap, sha256Of } from '../../src/engine/message-fingerprint.js'

const message = Buffer.from('Message-ID: <tap@test>\r\nSubject: tapped\r\n\r\nbody\r\n')
const sha = createHash('sha256').update(message).digest('hex')

test('a buffer: fingerprint at once, the same buffer back', () => {
  const tap = new FingerprintTap()
  assert.equal(tap.wrap(message), message)
  const fp = tap.result()
  assert.equal(fp.sha256, sha)
  assert.equal(fp.size, message.length)
  assert.equal(fp.messageId, '<tap@test>')
})

test('a stream: the same bytes through, the fingerprint once read', async () => {
  const tap = new FingerprintTap()
  const out = tap.wrap(Readable.from([message.subarray(0, 5), message.subarray(5)])) as Readable
  const chunks: Buffer[] = []
  for await (const c of out) chunks.push(c as Buffer)
  assert.ok(Buffer.concat(chunks).equals(message))
  assert.equal(tap.result().sha256, sha)
})

test('destroying the tapped stream before its end destroys the source (no file or connection left waiting)', async () => {
  const source = new PassThrough()
  const out = new FingerprintTap().wrap(source) as Readable
  source.write(message)
  out.destroy()
  await once(out, 'close')
  assert.equal(source.destroyed, true)
})

test('one fingerprint for one message in CRLF, LF or mixed form; bytes that differ otherwise differ', async () => {
  const lf = Buffer.from(message.toString('latin1').replace(/\r\n/g, '\n'), 'latin1')
  const mixed = Buffer.from('Message-ID: <tap@test>\nSubject: tapped\r\n\nbody\r\n')
  const forms = [message, lf, mixed]
  for (const f of forms) assert.equal(await sha256Of(f), sha, JSON.stringify(f.toString()))
  // split anywhere, a CR at the end of one chunk and its LF at the start of the next included
  for (let cut = 0; cut <= message.length; cut++) {
    assert.equal(await sha256Of(Readable.from([message.subarray(0, cut), message.subarray(cut)])), sha, `cut at ${cut}`)
    assert.equal(await sha256Of(Readable.from([lf.subarray(0, Math.min(cut, lf.length)), lf.subarray(Math.min(cut, lf.length))])), sha)
  }
  assert.notEqual(await sha256Of(Buffer.from('Message-ID: <tap@test>\r\nSubject: tapped\r\n\r\nbody \r\n')), sha)
  assert.notEqual(await sha256Of(Buffer.from('Message-ID: <tap@test>\rSubject: tapped\r\n\r\nbody\r\n')), sha, 'a bare CR is not a line ending')
})

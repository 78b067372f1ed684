// spool(): a stream copied to a temporary file that is unlinked at once, read back whole and from
// the start as often as needed; a failing stream leaves no file behind.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { spool } from '../../src/repository/imap/spool.js'
import { MailsyncError } from '../../src/errors.js'

async function bytesOf(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of r) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'spool-test-'))
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }))
}

test('spools a stream: its exact size, the same bytes each time it is read, and no file left in the directory', () =>
  withDir(async (dir) => {
    const data = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256))
    const s = await spool(Readable.from([data.subarray(0, 1), data.subarray(1, 70_000), data.subarray(70_000)]), dir)
    assert.deepEqual(readdirSync(dir), [], 'unlinked while open')
    assert.equal(s.size, data.length)
    assert.ok((await bytesOf(s.stream())).equals(data))
    assert.ok((await bytesOf(s.stream())).equals(data), 'again, from the start')
    await s.close()
  }))

test('an empty stream spools to size 0', () =>
  withDir(async (dir) => {
    const s = await spool(Readable.from([]), dir)
    assert.equal(s.size, 0)
    await s.close()
  }))

test('a stream that fails: the error, and no file left behind', () =>
  withDir(async (dir) => {
    const failing = Readable.from((function* () {
      yield Buffer.alloc(1000, 1)
      throw new Error('source lost')
    })())
    await assert.rejects(spool(failing, dir), /source lost/)
    assert.deepEqual(readdirSync(dir), [])
  }))

test('a temporary directory that cannot take the file: kind disk, naming the directory and TMPDIR; the source is let go', () =>
  withDir(async (dir) => {
    const source = Readable.from([Buffer.alloc(10, 1)])
    const missing = join(dir, 'no', 'such', 'dir')
    await assert.rejects(spool(source, missing), (e: unknown) => {
      assert.ok(e instanceof MailsyncError)
      assert.equal(e.kind, 'disk')
      assert.ok(e.message.includes(missing), e.message)
      assert.match(e.hint ?? '', /TMPDIR/)
      return true
    })
    assert.equal(source.destroyed, true)
  }))

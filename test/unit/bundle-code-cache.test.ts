// The code-cache file format and the bundle's command table (src/cli/bundle/).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readCodeCache, removeOtherUserCaches, userCacheFile, writeCodeCache } from '../../src/cli/bundle/code-cache.js'
import pino from '../../src/cli/bundle/pino-stub.js'

const ID = 'ab'.repeat(16)

test('a cache file gives back its bytes for the same bundle only, and nothing when damaged', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailsync-cc-'))
  const file = join(dir, 'sub', 'x.code-cache')
  const data = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251))
  writeCodeCache(file, ID, data)
  assert.deepEqual(readCodeCache(file, ID), data)
  assert.equal(readCodeCache(file, 'cd'.repeat(16)), undefined, 'another bundle')
  assert.equal(readCodeCache(join(dir, 'missing'), ID), undefined)
  assert.deepEqual(readdirSync(join(dir, 'sub')), ['x.code-cache'], 'no temp file left behind')

  const bytes = readFileSync(file)
  bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 1
  writeFileSync(file, bytes)
  assert.equal(readCodeCache(file, ID), undefined, 'one flipped bit')
  writeFileSync(file, readFileSync(file).subarray(0, 100))
  assert.equal(readCodeCache(file, ID), undefined, 'truncated')
  writeFileSync(file, Buffer.alloc(5000, 0x41))
  assert.equal(readCodeCache(file, ID), undefined, 'no header')
})

test('the per-user cache lives in $XDG_CACHE_HOME/mailsync (or ~/.cache), one bundle at a time', () => {
  assert.equal(userCacheFile(ID, { XDG_CACHE_HOME: '/x/cache', HOME: '/home/u' }), `/x/cache/mailsync/bundle-${ID}-${process.version}-${process.arch}.code-cache`)
  assert.equal(userCacheFile(ID, { XDG_CACHE_HOME: 'relative', HOME: '/home/u' }), `/home/u/.cache/mailsync/bundle-${ID}-${process.version}-${process.arch}.code-cache`)
  const dir = mkdtempSync(join(tmpdir(), 'mailsync-cc-'))
  const keep = userCacheFile(ID, { XDG_CACHE_HOME: dir })!
  const old = userCacheFile('cd'.repeat(16), { XDG_CACHE_HOME: dir })!
  writeCodeCache(old, 'cd'.repeat(16), Buffer.from('old'))
  writeCodeCache(keep, ID, Buffer.from('new'))
  writeFileSync(join(dir, 'mailsync', 'unrelated.txt'), 'x')
  removeOtherUserCaches(keep)
  assert.deepEqual(readdirSync(join(dir, 'mailsync')).sort(), [`bundle-${ID}-${process.version}-${process.arch}.code-cache`, 'unrelated.txt'])
})

test('the bundle runs every command oclif knows from the manifest, each from its own class', async () => {
  const { COMMANDS } = await import('../../src/cli/bundle/entry.js')
  const manifest = JSON.parse(readFileSync(new URL('../../../oclif.manifest.json', import.meta.url), 'utf8')) as { commands: Record<string, { summary?: string }> }
  assert.deepEqual(Object.keys(COMMANDS).sort(), Object.keys(manifest.commands).sort())
  for (const [id, Class] of Object.entries(COMMANDS)) assert.equal(Class.summary, manifest.commands[id]!.summary, id)
})

test('the pino stand-in imapflow gets in the bundle is a silent logger of the same shape', () => {
  const log = pino({ level: 'info' })
  const child = log.child({ component: 'imap-connection', cid: '1' })
  for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const) assert.equal(child[level]({ msg: 'x' }), undefined)
  assert.equal(child.isLevelEnabled('error'), false)
  assert.equal(log.level, 'info')
})

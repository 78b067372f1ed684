import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runCorpusCli, UsageError } from '../support/corpus-cli.js'
import { generateCorpus } from '../support/corpus.js'

const cliPath = join(dirname(fileURLToPath(import.meta.url)), '..', 'support', 'corpus-cli.js')

test('--maildir writes the corpus the library would generate', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'corpus-cli-'))
  try {
    const out = await runCorpusCli(['--seed', '3', '--messages', '40', '--maildir', dir, '--sep', '/', '--max-size', '64K'])
    const expected = generateCorpus({ seed: 3, messages: 40, maxSize: 64 * 1024 })
    assert.equal(out.messages, 40)
    assert.equal(out.totalBytes, expected.totalBytes)
    let files = 0
    for (const f of expected.folders) {
      const d = join(dir, ...f.split('/'))
      files += readdirSync(join(d, 'cur')).length + readdirSync(join(d, 'new')).length
    }
    assert.equal(files, 40)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('--summary prints per-folder counts without writing anything', async () => {
  const out = await runCorpusCli(['--seed', '1', '--messages', '1K', '--summary'])
  assert.equal(out.messages, 1024)
  const folders = out.folders as Record<string, number>
  assert.equal(Object.values(folders).reduce((s, n) => s + n, 0), 1024)
})

test('bad arguments are usage errors, and the binary exits 2 with a message', async () => {
  await assert.rejects(runCorpusCli(['--messages', '5', '--summary']), UsageError)
  await assert.rejects(runCorpusCli(['--seed', '1', '--messages', '5']), /exactly one of/)
  await assert.rejects(runCorpusCli(['--seed', '1', '--messages', 'ten', '--summary']), /whole number/)
  await assert.rejects(runCorpusCli(['--seed', '1', '--messages', '5', '--imap', 'nohost', '--user', 'a', '--password', 'b']), /HOST:PORT/)
  await assert.rejects(runCorpusCli(['--seed', '1', '--messages', '5', '--imap', 'h:1', '--user', 'a'], {}), /--password/)
  await assert.rejects(runCorpusCli(['--seed', '1', '--messages', '5', '--summary', '--bogus']), UsageError)
  const dir = join(tmpdir(), `corpus-cli-never-${process.pid}`)
  const r = spawnSync(process.execPath, [cliPath, '--seed', '1', '--messages', '5', '--maildir', dir, '--layout', 'mbox'], { encoding: 'utf8' })
  assert.equal(r.status, 2)
  assert.match(r.stderr, /--layout must be verbatim or maildir\+\+/)
  assert.equal(existsSync(dir), false)
})

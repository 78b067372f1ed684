// The fast IMAP path (src/repository/imap/raw/) reads imapflow's private connection fields, so
// the package pins the one imapflow version it was built and tested against: a fresh install
// cannot bring another one in silently. (test/integration/imap-raw-fetch.test.ts fails if that
// version stops taking the fast path.)
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..')
const json = (path: string): { version?: string; dependencies?: Record<string, string>; packages?: Record<string, { version?: string }> } => JSON.parse(readFileSync(join(ROOT, path), 'utf8'))

test('imapflow is pinned to one exact version, the one the lock file and node_modules hold', () => {
  const spec = json('package.json').dependencies!.imapflow!
  assert.match(spec, /^\d+\.\d+\.\d+$/, `imapflow must be an exact version, not "${spec}"`)
  assert.equal(json('package-lock.json').packages!['node_modules/imapflow']!.version, spec)
  assert.equal(json('node_modules/imapflow/package.json').version, spec)
})

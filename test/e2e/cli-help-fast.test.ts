// `--help` is printed from dist/help.json without loading oclif; it must be exactly what oclif
// itself renders for each command, and oclif must take over when the file is stale or missing.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { BIN, ROOT } from './cli-child.js'

const live = (args: string[]) =>
  spawnSync(process.execPath, ['--input-type=module', '-e', `import('@oclif/core').then((o) => o.run(${JSON.stringify(args)}, ${JSON.stringify('file://' + BIN)}))`], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, OCLIF_COLUMNS: '80' } }).stdout
const fast = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' })

test('pre-rendered help equals oclif\'s own rendering, for the root and every command', () => {
  const pages = JSON.parse(readFileSync(join(ROOT, 'dist', 'help.json'), 'utf8')).pages as Record<string, string>
  assert.deepEqual(Object.keys(pages).sort(), ['', 'auth', 'backup', 'batch', 'completion', 'info', 'migrate', 'restore', 'schedule', 'sync', 'worker'])
  assert.equal(fast(['--help']).stdout, live(['--help']))
  for (const id of ['sync', 'backup', 'restore', 'migrate', 'info', 'schedule', 'auth']) {
    const r = fast([id, '--help'])
    assert.equal(r.status, 0)
    assert.equal(r.stdout, live([id, '--help']), `help of ${id}`)
    assert.match(r.stdout, /EXAMPLES/)
  }
})

test('without dist/help.json, oclif renders the help itself', () => {
  const file = join(ROOT, 'dist', 'help.json')
  renameSync(file, file + '.away')
  try {
    const r = fast(['sync', '--help'])
    assert.equal(r.status, 0)
    assert.match(r.stdout, /Two-way sync/)
  } finally {
    renameSync(file + '.away', file)
  }
})

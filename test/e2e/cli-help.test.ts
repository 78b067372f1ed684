// The binary's help and version: what a newcomer sees first.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ROOT, runCli, sandbox } from './cli-child.js'

const COMMANDS = ['sync', 'backup', 'restore', 'migrate', 'info'] as const

async function summaryOf(id: string): Promise<string> {
  const mod = (await import(join(ROOT, 'dist', 'commands', `${id}.js`))) as { default: { summary: string } }
  return mod.default.summary
}

test('--help lists the five subcommands with their summaries', async () => {
  const { env } = await sandbox()
  const r = await runCli(['--help'], env)
  assert.equal(r.code, 0, r.stderr)
  const flat = r.stdout.replace(/\s+/g, ' ')
  for (const id of COMMANDS) {
    assert.match(r.stdout, new RegExp(`^  ${id} `, 'm'), `${id} listed`)
    assert.ok(flat.includes((await summaryOf(id)).replace(/\s+/g, ' ')), `${id} summary shown`)
  }
})

test("each subcommand's --help shows its flags, the global flags, examples and exit codes", async () => {
  const { env } = await sandbox()
  const own: Record<(typeof COMMANDS)[number], string[]> = {
    sync: ['--account', '--folder', '--dry-run'],
    backup: ['--mirror', '--max-delete', '--force', '--dry-run'],
    restore: ['--since', '--before', '--folder', '--max-delete'],
    migrate: ['--[no-]automap', '--[no-]verify', '--delete', '--report'],
    info: [],
  }
  for (const id of COMMANDS) {
    const r = await runCli([id, '--help'], env)
    assert.equal(r.code, 0, `${id}: ${r.stderr}`)
    for (const flag of [...own[id], '--config', '--json', '--quiet', '--verbose', '--logfile', '--debug-types']) {
      assert.ok(r.stdout.includes(flag), `${id} --help mentions ${flag}`)
    }
    assert.match(r.stdout, /^EXAMPLES$/m, `${id} has examples`)
    assert.match(r.stdout, new RegExp(`\\$ mailsync ${id}`), `${id} examples run mailsync ${id}`)
    assert.match(r.stdout, /Exit codes:/, `${id} documents exit codes`)
    assert.match(r.stdout, /75\s+finished, but some messages/, `${id} explains 75`)
    assert.match(r.stdout, /78\s+configuration problem/, `${id} explains 78`)
  }
})

test('--version prints the package version', async () => {
  const { env } = await sandbox()
  const pjson = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }
  const r = await runCli(['--version'], env)
  assert.equal(r.code, 0)
  assert.match(r.stdout, new RegExp(`^mailsync/${pjson.version.replace(/\./g, '\\.')} `))
})

test('`mailsync help COMMAND` shows that command\'s help', async () => {
  const { env } = await sandbox()
  const r = await runCli(['help', 'restore'], env)
  assert.equal(r.code, 0, r.stderr)
  assert.ok(r.stdout.startsWith(await summaryOf('restore')), r.stdout.slice(0, 200))
  assert.ok(r.stdout.includes('--since'))
})

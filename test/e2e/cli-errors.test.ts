// Errors a user makes: one line (+ hint) on stderr, the documented exit code, never a stack.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { runCli, sandbox, SAMPLE_CONFIG, type CliResult } from './cli-child.js'

function assertNoStack(r: CliResult): void {
  assert.ok(!r.stderr.includes('    at '), `no stack trace:\n${r.stderr}`)
  assert.ok(!r.stdout.includes('    at '), `no stack trace:\n${r.stdout}`)
}

test('no config file: exit 78, and the message lists every path searched', async () => {
  const box = await sandbox()
  const r = await runCli(['sync'], box.env)
  assert.equal(r.code, 78, r.stderr)
  assert.ok(r.stderr.includes(join(box.env.XDG_CONFIG_HOME!, 'mailsync', 'config')), r.stderr)
  assert.ok(r.stderr.includes(join(box.home, '.mailsyncrc')), r.stderr)
  assert.match(r.stderr, /^mailsync: no config file found/m)
  assertNoStack(r)
})

test('--config naming a missing file: exit 78 naming that file', async () => {
  const box = await sandbox()
  const r = await runCli(['sync', '--config', join(box.dir, 'nope.conf')], box.env)
  assert.equal(r.code, 78)
  assert.match(r.stderr, /nope\.conf: config file not found/)
})

test('a bad option value: exit 78, one line with file:line, no stack', async () => {
  const box = await sandbox()
  const file = await box.writeConfig('[general]\naccounts = work\nmaxsyncaccounts = many\n')
  const r = await runCli(['sync', '-c', file], box.env)
  assert.equal(r.code, 78)
  const lines = r.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('hint: '))
  assert.equal(lines.length, 1, r.stderr)
  assert.ok(lines[0]!.startsWith(`mailsync: ${file}:3 [general] maxsyncaccounts:`), lines[0])
  assertNoStack(r)
})

test('an unknown option in the file: a warning with "did you mean", printed once', async () => {
  const box = await sandbox()
  const file = await box.writeConfig(SAMPLE_CONFIG)
  const r = await runCli(['info', '-c', file], box.env)
  assert.equal(r.code, 0, r.stderr)
  const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning: '))
  assert.equal(warnings.length, 1, r.stderr)
  assert.match(warnings[0]!, /config:19 \[Repository WorkRemote\] folderfiltr: unknown option.*did you mean `folderfilter`/)
})

test('sync with an account that does not exist: exit 78 with a suggestion', async () => {
  const box = await sandbox()
  const file = await box.writeConfig(SAMPLE_CONFIG)
  const r = await runCli(['sync', '-c', file, 'wrok'], box.env)
  assert.equal(r.code, 78)
  assert.match(r.stderr, /^mailsync: no \[Account wrok\] section/m)
  assert.match(r.stderr, /^hint: did you mean `work`\?$/m)
  assertNoStack(r)
})

test('command-line mistakes exit 64 with a one-line message', async () => {
  const box = await sandbox()
  const file = await box.writeConfig(SAMPLE_CONFIG)
  const cases: [string[], RegExp][] = [
    [['sync', '--bogus'], /^mailsync: unknown flag --bogus$/m],
    [['frobnicate'], /^mailsync: unknown command `frobnicate`$/m],
    [['migrate', 'imaps://a@old.example'], /^mailsync: missing argument NEW$/m],
    [['backup', '-c', file, '--max-delete', 'lots'], /^mailsync: --max-delete: .*integer/m],
    [['restore', '-c', file, '--since', '2024-02-30'], /^mailsync: --since: "2024-02-30" is not a date/m],
    [['sync', '-q', '-v'], /^mailsync: .*--quiet/m],
  ]
  for (const [args, message] of cases) {
    const r = await runCli(args, box.env)
    assert.equal(r.code, 64, `${args.join(' ')}: ${r.stderr}`)
    assert.match(r.stderr, message, args.join(' '))
    assert.match(r.stderr, /^hint: see `mailsync/m)
    assertNoStack(r)
  }
})

test('a folder flag does not swallow the account argument after it', async () => {
  const box = await sandbox()
  const file = await box.writeConfig(SAMPLE_CONFIG)
  const r = await runCli(['sync', '-c', file, '-f', 'INBOX', 'wrok'], box.env)
  // `wrok` is read as the account (hence the suggestion), not as a second folder.
  assert.equal(r.code, 78)
  assert.match(r.stderr, /did you mean `work`/)
})

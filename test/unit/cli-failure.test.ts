// How errors become stderr text and exit codes, and how the base command hands them to oclif.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Errors } from '@oclif/core'
import { ConfigError, MailsyncError } from '../../src/errors.js'
import { describeFailure, usageMessage } from '../../src/cli/failure.js'
import { parseDateFlag } from '../../src/cli/flag-values.js'
import { adHocAccountName } from '../../src/cli/choose-accounts.js'
import { outputMode } from '../../src/cli/job-output.js'
import { MailsyncCommand } from '../../src/cli/base-command.js'

test('a MailsyncError is one line plus its hint, with its own exit code', () => {
  const f = describeFailure(new MailsyncError('auth', 'login refused for alice', { hint: 'check remotepasscmd' }), { debug: false })
  assert.deepEqual(f, { text: 'mailsync: login refused for alice\nhint: check remotepasscmd', exitCode: 77 })
  assert.equal(describeFailure(new ConfigError('bad value', { file: '/c', line: 3 }), { debug: false }).exitCode, 78)
})

test('any other error is internal (70): no stack unless --debug', () => {
  const bug = new TypeError("Cannot read properties of undefined (reading 'uid')")
  const quiet = describeFailure(bug, { debug: false })
  assert.equal(quiet.exitCode, 70)
  assert.equal(quiet.text, "mailsync: internal error: Cannot read properties of undefined (reading 'uid') (run with --debug for details)")
  const loud = describeFailure(bug, { debug: true })
  assert.ok(loud.text.includes('    at '), loud.text)
  assert.equal(describeFailure('a string', { debug: false }).exitCode, 70)
})

test("oclif's ExitError passes its exit code through silently", () => {
  assert.deepEqual(describeFailure(new Errors.ExitError(75), { debug: false }), { text: '', exitCode: 75 })
  assert.deepEqual(describeFailure(new Errors.ExitError(0), { debug: false }), { text: '', exitCode: 0 })
})

test('oclif parse messages become one line', () => {
  assert.equal(usageMessage('Nonexistent flag: --bogus\nSee more help with --help'), 'unknown flag --bogus')
  assert.equal(usageMessage('Missing 2 required args:\nold  The old\nnew  The new\n', [{ name: 'old' }, { name: 'new' }]), 'missing arguments OLD, NEW')
  assert.equal(usageMessage('Unexpected argument: c\nSee more help with --help'), 'too many arguments: c')
  const f = describeFailure(new Errors.CLIError('command frob not found'), { debug: false })
  assert.deepEqual(f, { text: 'mailsync: unknown command `frob`\nhint: see `mailsync --help`', exitCode: 64 })
})

class Probe extends MailsyncCommand {
  async run(): Promise<void> {}
}

test('the base command prints the error once and throws an ExitError carrying the code', async () => {
  const cmd = new Probe([], {} as never)
  const written: string[] = []
  const original = process.stderr.write.bind(process.stderr)
  process.stderr.write = ((chunk: string) => (written.push(chunk), true)) as typeof process.stderr.write
  let thrown: unknown
  try {
    await cmd.catch(new MailsyncError('network', 'connection to imap.example.org:993 refused'))
  } catch (e) {
    thrown = e
  } finally {
    process.stderr.write = original
  }
  assert.ok(thrown instanceof Errors.ExitError)
  assert.equal((thrown as Errors.ExitError).oclif.exit, 69)
  assert.deepEqual(written, ['mailsync: connection to imap.example.org:993 refused\n'])
})

test('dates for --since/--before: YYYY-MM-DD or ISO; nonsense is refused', () => {
  assert.equal(parseDateFlag('2024-01-31').toISOString(), '2024-01-31T00:00:00.000Z')
  assert.equal(parseDateFlag('2024-01-31T10:00:00Z').toISOString(), '2024-01-31T10:00:00.000Z')
  for (const bad of ['2024-02-30', '2024-13-01', '2024-00-10', 'yesterday', '31/01/2024', '']) assert.throws(() => parseDateFlag(bad), /is not a date/, bad)
})

test('ad-hoc account names are stable and safe as file names', () => {
  const name = adHocAccountName('imaps://alice@mail.example.org', 'maildir:~/Backup/a b')
  assert.equal(name, 'imaps___alice@mail.example.org--maildir___Backup_a_b')
  assert.equal(adHocAccountName('imaps://alice@mail.example.org', 'maildir:~/Backup/a b'), name)
  assert.ok(!name.includes('/'))
})

test('output mode: flags win over [general] ui', () => {
  assert.equal(outputMode({ json: true, quiet: false }, 'quiet'), 'json')
  assert.equal(outputMode({ json: false, quiet: true }, 'json'), 'quiet')
  assert.equal(outputMode({ json: false, quiet: false }, 'json'), 'json')
  assert.equal(outputMode({ json: false, quiet: false }, 'progress'), 'lines')
})

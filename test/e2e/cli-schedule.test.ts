// `mailsync schedule`: the units it writes pass `systemd-analyze verify` without a warning; the
// crontab line has five time fields and the real command; a watcher under systemd sends READY=1
// and keeps sending WATCHDOG=1 (to a NOTIFY_SOCKET made by a python3 listener, test/support/notify-socket.ts).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDovecot, type DovecotInstance } from '../support/dovecot.js'
import { imapRepository, maildirRepository, oneAccountConfig, plainServer } from '../support/config-text.js'
import { startCli } from '../support/cli-process.js'
import { startNotifyListener } from '../support/notify-socket.js'
import { cronLine, renderUnits, timerSchedule, unitName } from '../../src/schedule/units.js'

let d: DovecotInstance
let dir: string
let config: string
let env: Record<string, string>

before(async () => {
  d = await startDovecot({ users: ['sched'] })
  dir = mkdtempSync(join(tmpdir(), 'mailsync-schedule-'))
  config = join(dir, 'config')
  writeFileSync(config, oneAccountConfig({ metadata: join(dir, 'state'), remote: imapRepository('R', { server: plainServer(d), user: 'sched' }), local: maildirRepository('L', join(dir, 'mail')) }), { mode: 0o600 })
  env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, XDG_CONFIG_HOME: join(dir, 'xdg') }
})
after(async () => {
  await d?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

function verify(unitDir: string): { status: number | null; stderr: string } {
  const runtime = join(dir, 'runtime')
  mkdirSync(runtime, { recursive: true, mode: 0o700 })
  const files = readdirSync(unitDir).map((f) => join(unitDir, f))
  const r = spawnSync('systemd-analyze', ['--user', 'verify', ...files], { env: { ...env, XDG_RUNTIME_DIR: runtime }, encoding: 'utf8' })
  return { status: r.status, stderr: r.stderr }
}

test('schedule writes a backup service + timer and a --watch service into the user unit directory; systemd-analyze verify finds nothing wrong', async () => {
  const timed = await startCli(['schedule', '-c', config, 't'], env).ended
  assert.equal(timed.code, 0, timed.stderr)
  const unitDir = join(dir, 'xdg', 'systemd', 'user')
  assert.deepEqual(readdirSync(unitDir).sort(), ['mailsync-backup-t.service', 'mailsync-backup-t.timer'])
  assert.match(timed.stdout, /systemctl --user enable --now mailsync-backup-t\.timer/)
  const service = readFileSync(join(unitDir, 'mailsync-backup-t.service'), 'utf8')
  assert.match(service, new RegExp(`^ExecStart=${process.execPath.replace(/[.]/g, '\\.')} \\S+/bin/run\\.js backup --config ${config.replace(/[.]/g, '\\.')} --quiet --wait t$`, 'm'))
  assert.match(readFileSync(join(unitDir, 'mailsync-backup-t.timer'), 'utf8'), /^OnCalendar=daily$/m)
  const watch = await startCli(['schedule', '-c', config, 't', '--watch'], env).ended
  assert.equal(watch.code, 0, watch.stderr)
  const w = readFileSync(join(unitDir, 'mailsync-sync-t.service'), 'utf8')
  for (const line of ['Type=notify', 'Restart=on-failure', 'WatchdogSec=120s', 'SuccessExitStatus=130 143']) assert.ok(w.split('\n').includes(line), line)
  assert.match(w, /^ExecStart=.* sync --config .* --watch t$/m)
  const v = verify(unitDir)
  assert.deepEqual(v, { status: 0, stderr: '' })
  // a unit systemd would not accept is caught by the same check
  writeFileSync(join(unitDir, 'mailsync-sync-t.service'), w.replace('Type=notify', 'Type=notifyy'))
  assert.match(verify(unitDir).stderr, /Failed to parse service type/)
  const again = await startCli(['schedule', '-c', config, 't', '--watch'], env).ended
  assert.equal(again.code, 64, 'a changed unit file is not overwritten without --force')
  assert.match(again.stderr, /exists with other content: nothing written/)
})

test('--every: intervals, calendar expressions and the crontab line', () => {
  assert.deepEqual(timerSchedule('15min'), ['OnBootSec=2min', 'OnUnitActiveSec=15min'])
  assert.deepEqual(timerSchedule('2h'), ['OnBootSec=2min', 'OnUnitActiveSec=2h'])
  assert.deepEqual(timerSchedule('*-*-* 02:30'), ['OnCalendar=*-*-* 02:30', 'RandomizedDelaySec=5min'])
  const facts = { account: 'my work', config: '/home/a/.mailsyncrc', node: '/usr/bin/node', script: '/opt/mailsync/bin/run.js', every: 'hourly', watch: false }
  const line = cronLine(facts)
  const fields = line.split(' ')
  assert.equal(fields.slice(0, 5).join(' '), '17 * * * *')
  assert.equal(fields.slice(5).join(' '), "/usr/bin/node /opt/mailsync/bin/run.js backup --config /home/a/.mailsyncrc --quiet --wait 'my work'")
  assert.equal(cronLine({ ...facts, every: '10min' }).split(' ').slice(0, 5).join(' '), '*/10 * * * *')
  assert.match(cronLine({ ...facts, watch: true }), /^@reboot .* sync --config \/home\/a\/\.mailsyncrc --watch --quiet 'my work'$/)
  assert.throws(() => cronLine({ ...facts, every: 'Mon *-*-* 02:30' }), /no crontab equivalent/)
  assert.equal(unitName('backup', 'my work'), 'mailsync-backup-my\\x20work')
  assert.match(renderUnits({ ...facts, watch: false })[0]!.text, /^ExecStart=.* "my work"$/m)
})

test('the crontab line survives cron: every % escaped (cron cuts the line at one), steps cron cannot repeat evenly refused', () => {
  const facts = { account: 'work', config: '/home/a/100% mail/config', node: '/usr/bin/node', script: '/opt/mailsync/bin/run.js', every: 'hourly', watch: false }
  const line = cronLine(facts)
  const command = line.split(' ').slice(5).join(' ')
  assert.doesNotMatch(command.replace(/\\%/g, ''), /%/, 'no bare % left for cron to turn into a newline')
  // what cron hands to /bin/sh: \% becomes %; the shell then gives the program these arguments
  const argv = spawnSync('/bin/sh', ['-c', `set -- ${command.replace(/\\%/g, '%')}; for a in "$@"; do printf '%s\\n' "$a"; done`], { encoding: 'utf8' })
  assert.deepEqual(argv.stdout.split('\n').filter(Boolean), ['/usr/bin/node', '/opt/mailsync/bin/run.js', 'backup', '--config', '/home/a/100% mail/config', '--quiet', '--wait', 'work'])
  assert.equal(cronLine({ ...facts, every: '20min' }).split(' ').slice(0, 5).join(' '), '*/20 * * * *')
  assert.equal(cronLine({ ...facts, every: '6h' }).split(' ').slice(0, 5).join(' '), '17 */6 * * *')
  // */90 in the minute field runs at minute 0 only (hourly), */7 at :56 then :00 again; */48 hours is daily
  for (const every of ['90min', '7min', '48h', '5h']) assert.throws(() => cronLine({ ...facts, every }), /no crontab equivalent/, every)
})

test('a watcher under systemd: READY=1 once it runs, then WATCHDOG=1 again and again (NOTIFY_SOCKET, WATCHDOG_USEC)', async () => {
  const listener = await startNotifyListener(dir)
  try {
    const run = startCli(['sync', '-c', config, '--watch=60', '--json'], { ...env, NOTIFY_SOCKET: listener.path, WATCHDOG_USEC: '1000000' })
    try {
      await run.waitForEvent((e) => e.type === 'watch-wait', 'the watcher idle')
      const end = Date.now() + 10_000
      const count = () => listener.count('WATCHDOG=1')
      while (count() < 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 100))
      const text = listener.text()
      assert.match(text, /READY=1/)
      assert.match(text, new RegExp(`MAINPID=${run.child.pid}`))
      assert.ok(count() >= 3, `watchdog pings: ${count()}`)
      run.child.kill('SIGTERM')
      assert.equal((await run.ended).code, 0)
    } finally {
      run.child.kill('SIGKILL')
    }
  } finally {
    listener.close()
  }
})

// The systemd user units and the crontab line `mailsync schedule` writes or prints: a service +
// timer pair for `mailsync backup ACCOUNT`, or a long-running `mailsync sync --watch ACCOUNT`
// service restarted on failure and by its watchdog. Pure: facts in, file texts out.

export interface ScheduleFacts {
  account: string
  /** Absolute path of the config file. */
  config: string
  /** The node binary and mailsync's entry script (absolute). */
  node: string
  script: string
  /** Timer: `daily`, `hourly`, `weekly`, `15min`, `2h`, or a systemd OnCalendar expression. */
  every: string
  /** A `sync --watch` service instead of a timed backup. */
  watch: boolean
}

export interface UnitFile {
  name: string
  text: string
}

/** A unit-file and shell safe token (account names may hold spaces or odd characters). */
export function unitName(kind: 'backup' | 'sync', account: string): string {
  return `mailsync-${kind}-${account.replace(/[^A-Za-z0-9_.-]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}`
}

/** systemd's quoting of one ExecStart word. */
function execWord(w: string): string {
  if (/^[A-Za-z0-9_./=:@+-]+$/.test(w)) return w
  return `"${w.replace(/(["\\])/g, '\\$1').replace(/%/g, '%%').replace(/\$/g, '$$$$')}"`
}

/** systemd timer settings for `every`: OnCalendar or OnUnitActiveSec. */
export function timerSchedule(every: string): string[] {
  const e = every.trim()
  const interval = /^(\d+)\s*(min|m|h)$/.exec(e)
  if (interval) {
    const unit = interval[2] === 'h' ? 'h' : 'min'
    return [`OnBootSec=2min`, `OnUnitActiveSec=${interval[1]}${unit}`]
  }
  if (!e || /[\n\r]/.test(e)) throw new Error(`--every "${every}": give daily, hourly, weekly, 15min, 2h or a systemd OnCalendar expression`)
  return [`OnCalendar=${e}`, 'RandomizedDelaySec=5min']
}

export function renderUnits(f: ScheduleFacts): UnitFile[] {
  const cmd = (args: string[]) => [f.node, f.script, ...args].map(execWord).join(' ')
  if (f.watch) {
    const name = unitName('sync', f.account)
    return [{
      name: `${name}.service`,
      text: [
        '[Unit]',
        `Description=mailsync: keep account ${f.account} in sync (mailsync sync --watch)`,
        'After=network-online.target',
        'Wants=network-online.target',
        '',
        '[Service]',
        'Type=notify',
        'NotifyAccess=all',
        `ExecStart=${cmd(['sync', '--config', f.config, '--watch', f.account])}`,
        'Restart=on-failure',
        'RestartSec=30s',
        // the watcher sends WATCHDOG=1 every half of this; a frozen process is restarted
        'WatchdogSec=120s',
        // stopped by systemctl stop (SIGTERM) in the middle of a round: a clean stop, not a failure
        'SuccessExitStatus=130 143',
        'TimeoutStopSec=15s',
        '',
        '[Install]',
        'WantedBy=default.target',
        '',
      ].join('\n'),
    }]
  }
  const name = unitName('backup', f.account)
  return [
    {
      name: `${name}.service`,
      text: [
        '[Unit]',
        `Description=mailsync: back up account ${f.account} (mailsync backup)`,
        'After=network-online.target',
        'Wants=network-online.target',
        '',
        '[Service]',
        'Type=oneshot',
        `ExecStart=${cmd(['backup', '--config', f.config, '--quiet', '--wait', f.account])}`,
        'SuccessExitStatus=130 143',
        '',
      ].join('\n'),
    },
    {
      name: `${name}.timer`,
      text: [
        '[Unit]',
        `Description=mailsync: back up account ${f.account} ${f.every}`,
        '',
        '[Timer]',
        ...timerSchedule(f.every),
        'Persistent=true',
        `Unit=${name}.service`,
        '',
        '[Install]',
        'WantedBy=timers.target',
        '',
      ].join('\n'),
    },
  ]
}

/** A cron `*\/N` step does what it says only when N divides the field's range (60 minutes, 24 hours): cron restarts it each hour or day. */
function cronStep(n: number, range: number, line: (n: number) => string): string | undefined {
  return n >= 1 && n < range && range % n === 0 ? line(n) : undefined
}

/** The crontab line doing what the timer does (where there is no systemd). */
export function cronLine(f: ScheduleFacts): string {
  // cron turns an unescaped % into a newline (the rest of the line becomes stdin): \% is a %
  const sh = (w: string) => (/^[A-Za-z0-9_./=:@+-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`).replace(/%/g, '\\%')
  // a watcher is started once, at boot; it runs until stopped
  if (f.watch) return `@reboot ${[f.node, f.script, 'sync', '--config', f.config, '--watch', '--quiet', f.account].map(sh).join(' ')}`
  const e = f.every.trim()
  const when = e === 'hourly' ? '17 * * * *'
    : e === 'daily' ? '17 3 * * *'
      : e === 'weekly' ? '17 3 * * 1'
        : /^(\d+)\s*(min|m)$/.test(e) ? cronStep(Number(/^(\d+)/.exec(e)![1]), 60, (n) => `*/${n} * * * *`)
          : /^(\d+)\s*h$/.test(e) ? cronStep(Number(/^(\d+)/.exec(e)![1]), 24, (n) => `17 */${n} * * *`)
            : undefined
  if (!when) throw new Error(`--every "${f.every}" has no crontab equivalent here: use daily, hourly, weekly, Nmin (N dividing 60) or Nh (N dividing 24)`)
  const args = ['backup', '--config', f.config, '--quiet', '--wait', f.account]
  return `${when} ${[f.node, f.script, ...args].map(sh).join(' ')}`
}

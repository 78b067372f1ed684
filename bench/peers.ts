// The peer tools and the machine: installs mbsync (isync), offlineimap3 and GNU time from Debian
// when missing (saying so), and collects versions for the report.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'

const PACKAGES: { bin: string; pkg: string }[] = [
  { bin: '/usr/bin/time', pkg: 'time' },
  { bin: '/usr/bin/mbsync', pkg: 'isync' },
  { bin: '/usr/bin/offlineimap', pkg: 'offlineimap3' },
]

export function ensurePeers(log: (s: string) => void): string[] {
  const missing = PACKAGES.filter((p) => !existsSync(p.bin))
  if (!missing.length) return []
  const names = missing.map((p) => p.pkg)
  log(`installing from Debian (missing): ${names.join(', ')}`)
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' })
  execFileSync('apt-get', ['install', '-y', '-qq', ...names], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  return names
}

function firstLine(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' })
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n')[0] ?? '?'
}

export interface MachineInfo {
  date: string
  cpus: string
  nproc: number
  memoryGiB: string
  kernel: string
  os: string
  node: string
  dovecot: string
  mbsync: string
  offlineimap: string
}

export function machineInfo(): MachineInfo {
  const osRelease = existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : ''
  return {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    cpus: cpus()[0]?.model ?? '?',
    nproc: cpus().length,
    memoryGiB: (totalmem() / 2 ** 30).toFixed(1),
    kernel: firstLine('uname', ['-r']),
    os: /PRETTY_NAME="([^"]+)"/.exec(osRelease)?.[1] ?? '?',
    node: process.version,
    dovecot: firstLine('dovecot', ['--version']),
    mbsync: firstLine('mbsync', ['--version']),
    offlineimap: firstLine('offlineimap', ['--version']),
  }
}

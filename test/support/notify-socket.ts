// A stand-in for systemd's notification socket (NOTIFY_SOCKET): a python3 listener on a unix
// datagram socket (Node has none) that appends every message it receives to a file, so a test
// reads what a watcher told systemd (READY=1, WATCHDOG=1, STATUS=...).
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export interface NotifyListener {
  /** The socket's path, for NOTIFY_SOCKET. */
  readonly path: string
  /** Every message so far, each followed by a line `--`. */
  text(): string
  /** How many messages so far carried `state` (e.g. 'WATCHDOG=1'). */
  count(state: string): number
  close(): void
}

export async function startNotifyListener(dir: string, name = 'notify'): Promise<NotifyListener> {
  const path = join(dir, `${name}.sock`)
  const got = join(dir, `${name}.log`)
  const listener = spawn('python3', ['-c', `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print('ready', flush=True)
with open(sys.argv[2], 'a') as f:
    while True:
        f.write(s.recv(4096).decode() + '\\n--\\n'); f.flush()
`, path, got], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise((r) => listener.stdout!.once('data', r))
  const text = (): string => (existsSync(got) ? readFileSync(got, 'utf8') : '')
  return {
    path,
    text,
    count: (state) => text().split('\n').filter((l) => l === state).length,
    close: () => listener.kill('SIGKILL'),
  }
}

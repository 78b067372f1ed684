// Developer helper: a TCP proxy on 127.0.0.1 that limits each direction to a bandwidth and can add
// a delay, to see what COMPRESS=DEFLATE, or a round trip saved, does on a link slower than
// loopback (no system settings touched):
//   node dist/bench/throttle-proxy.js <listen port> <server port> <Mbit/s> [one-way delay ms]
// Point a repository's remoteport at the listen port (and set compression = yes or no).
import { createConnection, createServer, type Socket } from 'node:net'

const [listenPort, serverPort, mbit, delayMs = 0] = process.argv.slice(2).map(Number)
if (!listenPort || !serverPort || !mbit || !(delayMs >= 0)) {
  process.stderr.write('usage: throttle-proxy <listen port> <server port> <Mbit/s> [one-way delay ms]\n')
  process.exit(64)
}
const bytesPerMs = (mbit * 1e6) / 8 / 1000

/**
 * Copies `from` to `to` no faster than the bandwidth, each chunk `delayMs` after it could have
 * gone, in order (one queue, one timer), pausing `from` while over budget.
 */
function throttle(from: Socket, to: Socket): void {
  let allowedAt = Date.now()
  const queue: { chunk: Buffer; due: number }[] = []
  let timer: NodeJS.Timeout | undefined
  let ended = false
  const drain = () => {
    timer = undefined
    const now = Date.now()
    while (queue.length && queue[0]!.due <= now) to.write(queue.shift()!.chunk)
    if (queue.length) timer = setTimeout(drain, Math.max(1, queue[0]!.due - now))
    else if (ended) to.end()
  }
  from.on('data', (chunk: Buffer) => {
    const now = Date.now()
    allowedAt = Math.max(allowedAt, now) + chunk.length / bytesPerMs
    const wait = allowedAt - now
    if (wait > 1) {
      from.pause()
      setTimeout(() => from.resume(), wait)
    }
    queue.push({ chunk, due: Math.max(now, allowedAt) + delayMs })
    timer ??= setTimeout(drain, Math.max(0, queue[0]!.due - now))
  })
  from.on('end', () => {
    ended = true
    timer ??= setTimeout(drain, 0)
  })
  from.on('error', () => to.destroy())
}

createServer((client) => {
  const server = createConnection({ host: '127.0.0.1', port: serverPort })
  throttle(client, server)
  throttle(server, client)
}).listen(listenPort, '127.0.0.1', () => process.stdout.write(`127.0.0.1:${listenPort} -> 127.0.0.1:${serverPort} at ${mbit} Mbit/s each way, ${delayMs} ms one-way delay\n`))

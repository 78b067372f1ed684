// Developer helper: a TCP proxy on 127.0.0.1 that limits each direction to a bandwidth, to see
// what COMPRESS=DEFLATE does on a link slower than loopback (no system settings touched):
//   node dist/bench/throttle-proxy.js <listen port> <server port> <Mbit/s>
// Point a repository's remoteport at the listen port (and set compression = yes or no).
import { createConnection, createServer, type Socket } from 'node:net'

const [listenPort, serverPort, mbit] = process.argv.slice(2).map(Number)
if (!listenPort || !serverPort || !mbit) {
  process.stderr.write('usage: throttle-proxy <listen port> <server port> <Mbit/s>\n')
  process.exit(64)
}
const bytesPerMs = (mbit * 1e6) / 8 / 1000

/** Copies `from` to `to` no faster than the bandwidth, pausing `from` while over budget. */
function throttle(from: Socket, to: Socket): void {
  let allowedAt = Date.now()
  from.on('data', (chunk: Buffer) => {
    const now = Date.now()
    allowedAt = Math.max(allowedAt, now) + chunk.length / bytesPerMs
    const wait = allowedAt - now
    if (wait > 1) {
      from.pause()
      setTimeout(() => {
        to.write(chunk)
        from.resume()
      }, wait)
    } else to.write(chunk)
  })
  from.on('end', () => to.end())
  from.on('error', () => to.destroy())
}

createServer((client) => {
  const server = createConnection({ host: '127.0.0.1', port: serverPort })
  throttle(client, server)
  throttle(server, client)
}).listen(listenPort, '127.0.0.1', () => process.stdout.write(`127.0.0.1:${listenPort} -> 127.0.0.1:${serverPort} at ${mbit} Mbit/s each way\n`))

// A TCP proxy on loopback between mailsync and a real server, for network faults: drop a
// connection once K bytes have passed in one direction, stall it there (no more bytes, socket left
// open), or refuse new connections for a while. Counts are over all connections, so the fault
// hits whichever connection carries byte K; each armed fault fires the given number of times.
import { createServer, connect, type Server, type Socket } from 'node:net'

export type Direction = 'down' | 'up' // down: server -> client
export type Fault =
  | { kind: 'drop' | 'stall'; direction: Direction; afterBytes: number; times?: number }

export interface FaultProxy {
  readonly port: number
  /** Connections accepted so far. */
  readonly connections: number
  /** Most client connections open at the same time so far. */
  readonly peak: number
  /** Faults fired so far. */
  readonly fired: number
  /** What clients sent, per connection in accept order (latin1 text; for checking the commands of a session). */
  readonly sent: string[]
  arm(fault: Fault): void
  disarm(): void
  /** Refuse connections (nothing listens on the port) for `ms`, or until `accept()` when ms is undefined. */
  refuse(ms?: number): Promise<void>
  accept(): Promise<void>
  close(): Promise<void>
}

export async function startFaultProxy(targetPort: number): Promise<FaultProxy> {
  const sockets = new Set<Socket>()
  let fault: (Fault & { left: number; seen: number }) | undefined
  let connections = 0
  let open = 0
  let peak = 0
  let fired = 0
  const sent: string[] = []
  let server: Server | undefined
  let port = 0

  const pipe = (from: Socket, to: Socket, direction: Direction, stop: () => void): void => {
    from.on('data', (chunk: Buffer) => {
      const f = fault
      if (!f || f.direction !== direction || f.left <= 0) {
        to.write(chunk)
        return
      }
      const room = f.afterBytes - f.seen
      if (chunk.length < room) {
        f.seen += chunk.length
        to.write(chunk)
        return
      }
      to.write(chunk.subarray(0, Math.max(0, room)))
      f.left--
      f.seen = 0
      fired++
      if (f.left <= 0) fault = undefined
      if (f.kind === 'drop') stop()
      else {
        // stalled: nothing more passes either way, but both sockets stay open
        from.removeAllListeners('data')
        to.removeAllListeners('data')
        from.pause()
        to.pause()
      }
    })
  }

  const onClient = (client: Socket): void => {
    connections++
    peak = Math.max(peak, ++open)
    client.once('close', () => open--)
    const upstream = connect({ host: '127.0.0.1', port: targetPort })
    sockets.add(client).add(upstream)
    const stop = (): void => {
      client.destroy()
      upstream.destroy()
    }
    for (const s of [client, upstream]) {
      s.on('error', stop)
      s.on('close', () => {
        sockets.delete(s)
        stop()
      })
    }
    const index = sent.push('') - 1
    client.on('data', (chunk: Buffer) => { if (sent[index]!.length < 65_536) sent[index] += chunk.toString('latin1') })
    pipe(client, upstream, 'up', stop)
    pipe(upstream, client, 'down', stop)
  }

  const listen = (): Promise<void> => new Promise((resolve, reject) => {
    server = createServer(onClient)
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      port = (server!.address() as { port: number }).port
      resolve()
    })
  })
  // stops listening at once; connections already open go on (close()'s callback would wait for them)
  const unlisten = async (): Promise<void> => {
    server?.close()
    server = undefined
  }
  await listen()

  return {
    get port() { return port },
    get connections() { return connections },
    get peak() { return peak },
    get fired() { return fired },
    get sent() { return sent },
    arm(f) { fault = { ...f, left: f.times ?? 1, seen: 0 } },
    disarm() { fault = undefined },
    async refuse(ms) {
      await unlisten()
      if (ms !== undefined) setTimeout(() => void listen(), ms).unref()
    },
    async accept() {
      if (!server) await listen()
    },
    async close() {
      fault = undefined
      for (const s of sockets) s.destroy()
      await unlisten()
    },
  }
}

// A simulated network link between a tool and a test Dovecot, on loopback (no system settings
// touched): a TCP proxy that delays every chunk by half the round-trip time each way, shares one
// bandwidth budget per direction among all the connections that cross it (as a real link does:
// four connections do not get four times the bandwidth), charges one round trip for the TCP
// handshake, and counts the round trips each workload cost.
import { createConnection, createServer, type Server, type Socket } from 'node:net'

export interface LinkProfile {
  /** Short key, used in workload names: "30ms", "100ms". */
  key: string
  rttMs: number
  mbit: number
}

export const LINKS: readonly LinkProfile[] = [
  { key: '30ms', rttMs: 30, mbit: 200 },
  { key: '100ms', rttMs: 100, mbit: 20 },
]

export const linkTitle = (l: LinkProfile): string => `${l.rttMs} ms RTT, ${l.mbit} Mbit/s`

export interface LinkCounts {
  connections: number
  /**
   * Round trips: the times a client sent again after it had been delivered something from the
   * server since its last send (a client that pipelines ten commands and then waits pays one).
   * Summed over all connections; the TCP handshake of each connection counts as one more.
   */
  roundTrips: number
  /** The most round trips of any one connection (what a parallel client's critical path pays). */
  maxRoundTripsPerConnection: number
  bytesUp: number
  bytesDown: number
  /**
   * The floor these bytes set: how long the busier direction of the link needed to carry them at
   * its rate (ms). No client pulls a corpus faster than its bytes cross the wire.
   */
  wireMs?: number
}

/** Bytes per millisecond of a link. */
export const linkBytesPerMs = (l: LinkProfile): number => (l.mbit * 1e6) / 8 / 1000

/** One direction of the link: a shared clock of when the wire is next free. */
class Wire {
  private freeAt = 0
  constructor(private readonly bytesPerMs: number) {}
  /** When a chunk of `n` bytes offered now has left the sender's end of the wire. */
  send(n: number, now: number): number {
    this.freeAt = Math.max(this.freeAt, now) + n / this.bytesPerMs
    return this.freeAt
  }
}

export class LinkProxy {
  private server?: Server
  private readonly sockets = new Set<Socket>()
  private up: Wire
  private down: Wire
  private counts: LinkCounts = LinkProxy.zero()
  private perConnection: { turns: number }[] = []
  port = 0

  constructor(private readonly serverPort: number, readonly link: LinkProfile) {
    const bytesPerMs = linkBytesPerMs(link)
    this.up = new Wire(bytesPerMs)
    this.down = new Wire(bytesPerMs)
  }

  private static zero(): LinkCounts {
    return { connections: 0, roundTrips: 0, maxRoundTripsPerConnection: 0, bytesUp: 0, bytesDown: 0 }
  }

  async start(): Promise<this> {
    this.server = createServer((client) => this.accept(client))
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve))
    const a = this.server.address()
    this.port = typeof a === 'object' && a ? a.port : 0
    return this
  }

  /** The counts since the last reset, and a fresh start for the next run. */
  takeCounts(): LinkCounts {
    const turns = this.perConnection.map((p) => p.turns)
    const c = {
      ...this.counts, roundTrips: turns.reduce((a, b) => a + b, 0), maxRoundTripsPerConnection: Math.max(0, ...turns),
      wireMs: Math.max(this.counts.bytesDown, this.counts.bytesUp) / linkBytesPerMs(this.link),
    }
    this.counts = LinkProxy.zero()
    this.perConnection = []
    return c
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()))
  }

  private accept(client: Socket): void {
    const half = this.link.rttMs / 2
    const conn = { turns: 1, heard: false } // the handshake's round trip
    this.perConnection.push(conn)
    this.counts.connections++
    this.sockets.add(client)
    client.on('close', () => this.sockets.delete(client))
    const server = createConnection({ host: '127.0.0.1', port: this.serverPort })
    this.sockets.add(server)
    server.on('close', () => this.sockets.delete(server))
    server.pause()
    // The server's greeting reaches the client 1.5 round trips after connect() on a real link:
    // one for SYN / SYN-ACK, half for the greeting to travel.
    setTimeout(() => server.resume(), this.link.rttMs)
    this.pipe(client, server, this.up, half, (n) => {
      this.counts.bytesUp += n
      if (conn.heard) {
        conn.turns++
        conn.heard = false
      }
    })
    this.pipe(server, client, this.down, half, (n) => { this.counts.bytesDown += n }, () => { conn.heard = true })
  }

  /**
   * Copies `from` to `to` through `wire`: each chunk arrives `delayMs` after it left the wire,
   * in order; `from` is paused while more than a few milliseconds of its data wait for the wire.
   */
  private pipe(from: Socket, to: Socket, wire: Wire, delayMs: number, onSend: (n: number) => void, onDelivered?: () => void): void {
    const queue: { chunk: Buffer; due: number }[] = []
    let timer: NodeJS.Timeout | undefined
    let ended = false
    const drain = (): void => {
      timer = undefined
      const now = performance.now()
      while (queue.length && queue[0]!.due <= now) {
        if (!to.destroyed) to.write(queue.shift()!.chunk)
        else queue.shift()
        onDelivered?.()
      }
      if (queue.length) timer = setTimeout(drain, Math.max(0, queue[0]!.due - now))
      else if (ended) to.end()
    }
    from.on('data', (chunk: Buffer) => {
      const now = performance.now()
      onSend(chunk.length)
      const left = wire.send(chunk.length, now)
      if (left - now > 4) {
        from.pause()
        setTimeout(() => from.resume(), left - now - 2)
      }
      queue.push({ chunk, due: left + delayMs })
      timer ??= setTimeout(drain, Math.max(0, queue[0]!.due - now))
    })
    from.on('end', () => {
      ended = true
      timer ??= setTimeout(drain, 0)
    })
    from.on('error', () => to.destroy())
    to.on('error', () => from.destroy())
  }
}

// Borrowing an idle imapflow connection's byte streams for one command of our own.
//
// imapflow turns every FETCH response into several objects (tokens, attribute trees, a formatted
// message); for the bulk FETCHes of a pull that was most of the CPU time and of the garbage. A
// borrowed connection keeps everything imapflow set up (TLS, STARTTLS, COMPRESS, login, the
// selected mailbox, its error/close/timeout handling): only the incoming bytes are read here
// instead of by imapflow's parser, and anything that is not an answer to our command is handed
// back to that parser, so imapflow still sees EXISTS, EXPUNGE, BYE and the like.
//
// This reaches into imapflow's connection fields (socket, writeSocket, _inflate, streamer,
// currentRequest, requestQueue). When they are not as expected (another imapflow version, a
// command in flight, unread bytes) borrow() returns undefined and the caller uses imapflow's own
// commands: slower, never wrong. test/integration/imap-raw-fetch.test.ts fails if the fast path
// stops being taken with the installed imapflow.
import type { ImapFlow } from 'imapflow'
import type { Readable, Writable } from 'node:stream'

interface ImapFlowInternals {
  usable?: boolean
  idling?: boolean
  socket?: Readable & { destroyed?: boolean }
  writeSocket?: Writable
  _inflate?: Readable | null
  streamer?: Writable & { readableLength: number; writableLength: number; destroyed?: boolean }
  currentRequest?: unknown
  requestQueue?: unknown[]
}

export interface BorrowedConnection {
  /** Sends the parts as one write where the stream allows (writev: no copy into one buffer). */
  write(parts: Buffer[]): void
  /** Sends one piece of a long stream; false when the socket's buffer is full (see drained()). */
  send(chunk: Buffer): boolean
  /** Resolves once the socket takes more (or the connection is gone: the borrower hears of that through lost()). */
  drained(): Promise<void>
  /** Gives bytes that were read here but belong to imapflow back to its parser. */
  handBack(data: Buffer): void
  /** Gives the connection back: imapflow reads the socket again, starting with `rest`. */
  release(rest?: Buffer): void
}

export interface BorrowHandlers {
  data(chunk: Buffer): void
  /** The connection closed or failed while borrowed. */
  lost(err: Error): void
}

/**
 * The connection's streams; undefined when it cannot be borrowed; 'later' when imapflow has not
 * yet finished with the last bytes it read (it lets go within a few turns of the event loop).
 */
export function borrow(client: ImapFlow, handlers: BorrowHandlers): BorrowedConnection | 'later' | undefined {
  const c = client as unknown as ImapFlowInternals
  const socket = c.socket
  const streamer = c.streamer
  const writer = c.writeSocket
  if (!c.usable || c.idling || c.currentRequest || !Array.isArray(c.requestQueue) || c.requestQueue.length) return undefined
  if (!socket || socket.destroyed || !writer || !streamer || streamer.destroyed) return undefined
  if (typeof socket.unpipe !== 'function' || typeof streamer.write !== 'function') return undefined
  const source: Readable = c._inflate ?? socket
  if (source.readableFlowing !== true) return undefined
  // responses imapflow has not handled yet (some handed back by the last borrower): its reader
  // is on them, and done within a few turns of the event loop
  if (streamer.readableLength !== 0 || streamer.writableLength !== 0) return 'later'

  source.unpipe(streamer)
  const onData = (chunk: Buffer) => handlers.data(chunk)
  const onClose = () => handlers.lost(Object.assign(new Error('Connection closed'), { code: 'NoConnection' }))
  const onError = (err: Error) => handlers.lost(err)
  source.on('data', onData)
  socket.once('close', onClose)
  source.once('error', onError)
  source.resume()
  let released = false
  return {
    write: (parts) => {
      writer.cork()
      for (const p of parts) writer.write(p)
      writer.uncork()
    },
    send: (chunk) => writer.write(chunk),
    drained: () => new Promise<void>((resolve) => {
      const done = () => {
        writer.removeListener('drain', done)
        writer.removeListener('close', done)
        socket.removeListener('close', done)
        resolve()
      }
      writer.once('drain', done)
      writer.once('close', done)
      socket.once('close', done)
    }),
    handBack: (data) => {
      if (data.length) streamer.write(data)
    },
    release: (rest) => {
      if (released) return
      released = true
      source.removeListener('data', onData)
      socket.removeListener('close', onClose)
      source.removeListener('error', onError)
      if (rest?.length) streamer.write(rest)
      if (!socket.destroyed) source.pipe(streamer)
    },
  }
}

// LOGOUT without waiting for the server's answer. Nothing depends on that answer (the status
// cache is committed before connections are given back), yet waiting for it cost every run one
// more round trip at its end. Here LOGOUT is written on an idle, uncompressed connection, our
// side of the socket is ended after it (the server answers and closes), and the socket no longer
// keeps the process alive. Returns a promise that settles when the socket has closed, or
// undefined when the connection is not in a state for this (a command in flight, IDLE, COMPRESS,
// already closing): the caller then logs out the usual way.
// This reaches into imapflow's connection fields (usable, idling, currentRequest, requestQueue,
// socket, writeSocket, _deflate, state, states), like borrow.ts.
import type { ImapFlow } from 'imapflow'
import type { Socket } from 'node:net'
import type { Writable } from 'node:stream'

interface ImapFlowInternals {
  usable?: boolean
  idling?: boolean
  currentRequest?: unknown
  requestQueue?: unknown[]
  socket?: Socket
  writeSocket?: Writable
  _deflate?: unknown
  state?: unknown
  states?: { LOGOUT?: unknown }
  markClosedByClient?: () => void
}

/** `timeoutMs`: a server that neither answers nor closes has its socket destroyed then. */
export function partingLogout(client: ImapFlow, timeoutMs: number): Promise<void> | undefined {
  const c = client as unknown as ImapFlowInternals
  const socket = c.socket
  const writer = c.writeSocket
  if (!c.usable || c.idling || c.currentRequest || !Array.isArray(c.requestQueue) || c.requestQueue.length) return undefined
  if (!socket || socket.destroyed || !writer || writer !== socket || c._deflate || !c.states?.LOGOUT || typeof c.markClosedByClient !== 'function') return undefined
  c.markClosedByClient()
  c.state = c.states.LOGOUT // imapflow queues nothing more on it
  const closed = new Promise<void>((resolve) => {
    const timer = setTimeout(() => socket.destroy(), timeoutMs)
    timer.unref()
    socket.once('close', () => {
      clearTimeout(timer)
      resolve()
    })
  })
  socket.end(Buffer.from('Z LOGOUT\r\n'))
  socket.unref()
  return closed
}

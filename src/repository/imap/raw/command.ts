// One command of our own on a borrowed imapflow connection (borrow.ts): sent as given, its
// untagged responses offered to `untagged` (those it does not take go back to imapflow), done
// at its tagged response.
//
// A command may end in one literal read from a stream (`streamed`), sent as it arrives with the
// socket's backpressure, so a large message goes from disk or another server to this one without
// being held in memory. The literal's length is announced before its bytes are known: a stream
// that ends short, runs long or fails leaves the command unfinished, and the connection is
// closed (the server then drops the half-received command: nothing is stored).
//
// Outcomes: 'done' (tagged OK); 'unavailable' (the connection could not be borrowed: nothing was
// sent); 'refused' (tagged NO/BAD, or `untagged` threw on a response: the caller discards what it
// got and lets imapflow run the command, which knows every server quirk and error). A connection
// that fails while borrowed, or a server that breaks the framing, throws; the connection is
// closed then.
import type { ImapFlow } from 'imapflow'
import type { Readable } from 'node:stream'
import { borrow, type BorrowedConnection } from './borrow.js'
import { ProtocolError, ResponseReader, responseBytes, type RawResponse } from './response-reader.js'
import { loggerOf } from '../protocol-log.js'

export interface RawCommand {
  /** The command after the tag, e.g. `UID FETCH 1:* (UID FLAGS)`: logged as is. */
  line: string
  /** Literal data and the rest of the command after `line` (each literal announced as `{n+}`). */
  rest?: Buffer[]
  /**
   * One literal after `rest`, whose announcement line (`{n}` or `{n+}`, and CRLF) ends `rest`;
   * then `after` and the end of the line. `synchronizing`: `{n}`, its bytes wait for the server's `+`.
   */
  streamed?: StreamedLiteral
  /** Takes an untagged response: true when it was an answer to this command. */
  untagged(r: RawResponse): boolean
  /** A line for the protocol log once the command is done, e.g. how many answers were read. */
  summary?(): string
}

export interface StreamedLiteral {
  source: Readable
  size: number
  synchronizing: boolean
  after: Buffer[]
  /** Sees every chunk as it is sent. */
  onChunk?(chunk: Buffer): void
}

/** The stream did not give the bytes announced: nothing is stored, the connection was closed. */
export class LiteralSizeError extends Error {
  readonly code = 'ELITERALSIZE'
}

export type RawOutcome = { outcome: 'done' | 'refused'; tagged: string } | { outcome: 'unavailable' }

let tagCounter = 0

export async function runRawCommand(client: ImapFlow, cmd: RawCommand): Promise<RawOutcome> {
  // imapflow lets go of the bytes it read last within a few turns of the event loop
  for (let turn = 0; turn < 64; turn++) {
    const result = await attempt(client, cmd)
    if (result !== 'later') return result
    await new Promise((resolve) => setImmediate(resolve))
  }
  return { outcome: 'unavailable' }
}

function attempt(client: ImapFlow, cmd: RawCommand): Promise<RawOutcome | 'later'> {
  return new Promise((resolve, reject) => {
    // imapflow's tags are hexadecimal numbers: an M never collides with them
    const tag = `M${++tagCounter}`
    const log = loggerOf(client)
    const cid = (client as { id?: string }).id
    let conn: BorrowedConnection | undefined
    let refusal: string | undefined
    let tagged = ''
    let settled = false
    // while a streamed literal is being sent: the server's `+` (synchronizing) and the end of sending
    let sending = cmd.streamed !== undefined
    let continuation: (() => void) | undefined
    const fail = (err: Error) => {
      if (settled) return
      settled = true
      conn?.release()
      if ((err as { code?: string }).code !== 'NoConnection') client.close()
      cmd.streamed?.source.destroy()
      continuation?.()
      reject(err)
    }

    const onResponse = (r: RawResponse): boolean => {
      const first = r.text[0]!
      if (continuation && (first === '+' || first.startsWith('+ '))) {
        const go = continuation
        continuation = undefined
        go()
        return false
      }
      if (first.startsWith(tag + ' ') && sending && !continuation) {
        // answered while the literal's bytes are still going out: whatever follows would be read
        // as commands, so the connection cannot be used any more
        throw new ProtocolError(`server answered before the command was sent: ${first}`)
      }
      if (first.startsWith(tag + ' ')) {
        tagged = first
        const status = first.slice(tag.length + 1).split(' ', 1)[0]!.toUpperCase()
        log?.debug({ src: 's', msg: cmd.summary ? `${first} (${cmd.summary()})` : first, cid })
        if (status !== 'OK') refusal ??= first
        return true
      }
      let ours = false
      try {
        ours = cmd.untagged(r)
      } catch (err) {
        // a response we cannot take: finish the command, then imapflow runs it instead
        refusal ??= (err as Error).message
        return false
      }
      if (!ours) conn!.handBack(responseBytes(r))
      return false
    }

    const reader = new ResponseReader(onResponse)
    const borrowed = borrow(client, {
      data: (chunk) => {
        if (settled) return
        let rest: Buffer | undefined
        try {
          rest = reader.push(chunk)
        } catch (err) {
          fail(err as Error)
          return
        }
        if (rest === undefined) return
        settled = true
        conn!.release(rest)
        // refused before a synchronizing literal was asked for: its stream was never read
        if (sending) {
          const go = continuation
          continuation = undefined
          cmd.streamed!.source.destroy()
          go?.()
        }
        resolve({ outcome: refusal ? 'refused' : 'done', tagged })
      },
      lost: fail,
    })
    if (!borrowed || borrowed === 'later') {
      settled = true
      resolve(borrowed ?? { outcome: 'unavailable' })
      return
    }
    conn = borrowed
    log?.debug({ src: 'c', msg: `${tag} ${cmd.line}${cmd.rest?.length ? ' (* literals *)' : ''}`, cid })
    const head = [Buffer.from(`${tag} ${cmd.line}`, 'latin1'), ...(cmd.rest ?? [])]
    if (!cmd.streamed) {
      conn.write([...head, CRLF])
      return
    }
    const streamed = cmd.streamed
    conn.write(head)
    sendLiteral(conn, streamed, () => settled, (wait) => { continuation = wait }).then(
      () => {
        sending = false
        if (!settled) conn!.write([...streamed.after, CRLF])
      },
      (err: Error) => fail(err),
    )
  })
}

const CRLF = Buffer.from('\r\n')

/**
 * The literal's bytes, as the stream gives them, never more than the socket takes; exactly
 * `size` of them or a LiteralSizeError. Stops early (quietly) once the command is settled.
 */
async function sendLiteral(
  conn: BorrowedConnection, lit: StreamedLiteral, settled: () => boolean, awaitContinuation: (go: () => void) => void,
): Promise<void> {
  if (lit.synchronizing) await new Promise<void>((go) => awaitContinuation(go))
  let sent = 0
  for await (const data of lit.source) {
    if (settled()) return
    const chunk = typeof data === 'string' ? Buffer.from(data) : (data as Buffer)
    sent += chunk.length
    if (sent > lit.size) throw new LiteralSizeError(`the message has more than the ${lit.size} bytes announced`)
    lit.onChunk?.(chunk)
    if (!conn.send(chunk)) await conn.drained()
  }
  if (settled()) return
  if (sent !== lit.size) throw new LiteralSizeError(`the message ended after ${sent} of the ${lit.size} bytes announced`)
}

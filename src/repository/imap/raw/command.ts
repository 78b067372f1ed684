// One command of our own on a borrowed imapflow connection (borrow.ts): sent as given, its
// untagged responses offered to `untagged` (those it does not take go back to imapflow), done
// at its tagged response.
//
// Outcomes: 'done' (tagged OK); 'unavailable' (the connection could not be borrowed: nothing was
// sent); 'refused' (tagged NO/BAD, or `untagged` threw on a response: the caller discards what it
// got and lets imapflow run the command, which knows every server quirk and error). A connection
// that fails while borrowed, or a server that breaks the framing, throws; the connection is
// closed then.
import type { ImapFlow } from 'imapflow'
import { borrow, type BorrowedConnection } from './borrow.js'
import { ResponseReader, responseBytes, type RawResponse } from './response-reader.js'
import { loggerOf } from '../protocol-log.js'

export interface RawCommand {
  /** The command after the tag, e.g. `UID FETCH 1:* (UID FLAGS)`: logged as is. */
  line: string
  /** Literal data and the rest of the command after `line` (each literal announced as `{n+}`). */
  rest?: Buffer[]
  /** Takes an untagged (or continuation) response: true when it was an answer to this command. */
  untagged(r: RawResponse): boolean
  /** A line for the protocol log once the command is done, e.g. how many answers were read. */
  summary?(): string
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
    const fail = (err: Error) => {
      if (settled) return
      settled = true
      conn?.release()
      if ((err as { code?: string }).code !== 'NoConnection') client.close()
      reject(err)
    }

    const onResponse = (r: RawResponse): boolean => {
      const first = r.text[0]!
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
    conn.write([Buffer.from(`${tag} ${cmd.line}`, 'latin1'), ...(cmd.rest ?? []), Buffer.from('\r\n')])
  })
}

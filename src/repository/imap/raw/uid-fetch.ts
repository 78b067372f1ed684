// One UID FETCH whose responses are read here, on a borrowed imapflow connection (borrow.ts).
//
// Outcomes: 'done' (tagged OK, every response handed to onFetch); 'unavailable' (the connection
// could not be borrowed: nothing was sent); 'refused' (tagged NO/BAD, or a response this parser
// could not read: the caller must discard what it got and run the command through imapflow,
// which knows every server quirk and error). A connection that fails while borrowed, or a server
// that breaks the framing, throws: the connection is closed then.
import type { ImapFlow } from 'imapflow'
import { borrow, type BorrowedConnection } from './borrow.js'
import { parseFetchResponse, parseVanished, type FetchResponse } from './fetch-response.js'
import { ResponseReader, responseBytes, type RawResponse, type ReaderLimits, DEFAULT_READER_LIMITS } from './response-reader.js'
import { loggerOf } from '../protocol-log.js'

export interface RawFetchRequest {
  /** UID sequence set. */
  uids: string
  /** Data items as sent, e.g. `(UID RFC822.SIZE BODY.PEEK[])`. */
  items: string
  /** Modifiers as sent, e.g. `(CHANGEDSINCE 42 VANISHED)`. */
  modifiers?: string
  /** Item names (upper case, as the server answers) a FETCH response must carry to be an answer. */
  answers: string[]
  onFetch(r: FetchResponse): void
  /** `* VANISHED` responses; without this handler they go to imapflow. */
  onVanished?(uids: number[], earlier: boolean): void
  limits?: ReaderLimits
}

export type RawFetchOutcome = 'done' | 'unavailable' | 'refused'

let tagCounter = 0

export async function rawUidFetch(client: ImapFlow, req: RawFetchRequest): Promise<RawFetchOutcome> {
  for (let turn = 0; turn < 8; turn++) {
    const outcome = await attempt(client, req)
    if (outcome !== 'later') return outcome
    await new Promise((resolve) => setImmediate(resolve))
  }
  return 'unavailable'
}

function attempt(client: ImapFlow, req: RawFetchRequest): Promise<RawFetchOutcome | 'later'> {
  return new Promise((resolve, reject) => {
    const tag = `M${++tagCounter}`
    const log = loggerOf(client)
    const cid = (client as { id?: string }).id
    let conn: BorrowedConnection | undefined
    let refusal: string | undefined
    let answers = 0
    let settled = false
    const finish = (outcome: RawFetchOutcome, rest?: Buffer) => {
      settled = true
      conn?.release(rest)
      resolve(outcome)
    }
    const fail = (err: Error) => {
      if (settled) return
      settled = true
      conn?.release()
      if (!(err as { code?: string }).code?.startsWith('NoConnection')) client.close()
      reject(err)
    }

    const onResponse = (r: RawResponse): boolean => {
      const first = r.text[0]!
      if (first.startsWith(tag + ' ')) {
        const status = first.slice(tag.length + 1).split(' ', 1)[0]!.toUpperCase()
        log?.debug({ src: 's', msg: `${first} (${answers} FETCH responses read by mailsync)`, cid })
        if (status !== 'OK') refusal ??= first
        return true
      }
      try {
        if (handle(r)) return false
      } catch (err) {
        // a response we cannot read: finish the command, then let imapflow run it instead
        refusal ??= (err as Error).message
        return false
      }
      conn!.handBack(responseBytes(r))
      return false
    }

    /** True when the response was ours. */
    const handle = (r: RawResponse): boolean => {
      const vanished = req.onVanished ? parseVanished(r) : undefined
      if (vanished) {
        req.onVanished!(vanished.uids, vanished.earlier)
        return true
      }
      const fetch = parseFetchResponse(r)
      if (!fetch || !req.answers.every((a) => fetch.items.has(a))) return false
      answers++
      req.onFetch(fetch)
      return true
    }

    const reader = new ResponseReader(onResponse, req.limits ?? DEFAULT_READER_LIMITS)
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
        if (rest !== undefined) finish(refusal ? 'refused' : 'done', rest)
      },
      lost: fail,
    })
    if (!borrowed || borrowed === 'later') {
      settled = true
      resolve(borrowed ?? 'unavailable')
      return
    }
    conn = borrowed
    const line = `${tag} UID FETCH ${req.uids} ${req.items}${req.modifiers ? ' ' + req.modifiers : ''}`
    log?.debug({ src: 'c', msg: line, cid })
    conn.write(line + '\r\n')
  })
}

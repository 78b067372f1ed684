// One UID FETCH whose responses are read here, on a borrowed imapflow connection (command.ts).
// 'done': every answer was handed to onFetch; 'unavailable': nothing was sent; 'refused': the
// caller must discard what it got and run the command through imapflow.
import type { ImapFlow } from 'imapflow'
import { runRawCommand } from './command.js'
import { parseFetchResponse, parseVanished, type FetchResponse } from './fetch-response.js'

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
  /** `* VANISHED` responses (EARLIER or not: either way the UIDs are gone); without this handler they go to imapflow. */
  onVanished?(uids: number[]): void
}

export type RawFetchOutcome = 'done' | 'unavailable' | 'refused'

export async function rawUidFetch(client: ImapFlow, req: RawFetchRequest): Promise<RawFetchOutcome> {
  let answers = 0
  const res = await runRawCommand(client, {
    line: `UID FETCH ${req.uids} ${req.items}${req.modifiers ? ' ' + req.modifiers : ''}`,
    untagged: (r) => {
      const vanished = req.onVanished ? parseVanished(r) : undefined
      if (vanished) {
        req.onVanished!(vanished.uids)
        return true
      }
      const fetch = parseFetchResponse(r)
      if (!fetch || !req.answers.every((a) => fetch.items.has(a))) return false
      answers++
      req.onFetch(fetch)
      return true
    },
    summary: () => `${answers} FETCH responses read by mailsync`,
  })
  return res.outcome
}

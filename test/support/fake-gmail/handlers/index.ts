// Every command this server answers, by name.
import { appendHandlers } from './append.js'
import { authHandlers } from './auth.js'
import { connectionHandlers } from './connection.js'
import { copyMoveHandlers } from './copy-move.js'
import { expungeHandlers } from './expunge.js'
import { fetchHandlers } from './fetch.js'
import { mailboxHandlers } from './mailboxes.js'
import { searchHandlers } from './search.js'
import { selectHandlers } from './select.js'
import { storeHandlers } from './store.js'
import type { Handler } from './types.js'

export const HANDLERS = new Map<string, Handler>(Object.entries({
  ...connectionHandlers, ...authHandlers, ...mailboxHandlers, ...selectHandlers, ...fetchHandlers,
  ...storeHandlers, ...searchHandlers, ...appendHandlers, ...copyMoveHandlers, ...expungeHandlers,
}))

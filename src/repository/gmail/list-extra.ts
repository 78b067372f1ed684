// The Gmail items every listing of a Gmail folder asks in its bulk FETCH: X-GM-MSGID (the
// message's identity in the whole account, MessageMeta.globalId) and X-GM-LABELS.
import type { ListExtra } from '../imap/list-messages.js'
import { decodeLabel, normalizeLabels, parseLabelsItem, parseMsgIdItem } from './labels.js'

export const GMAIL_LIST_EXTRA: ListExtra = {
  items: ['X-GM-MSGID', 'X-GM-LABELS'],
  query: { labels: true, emailId: true },
  fromRaw(items, meta) {
    const labels = parseLabelsItem(items.get('X-GM-LABELS'))
    if (labels) meta.labels = labels
    const id = parseMsgIdItem(items.get('X-GM-MSGID'))
    if (id) meta.globalId = id
  },
  fromImapflow(msg, meta) {
    // imapflow has decoded user labels from modified UTF-7 already; decodeLabel leaves UTF-8 as it is
    if (msg.labels) meta.labels = normalizeLabels([...msg.labels].map(decodeLabel))
    if (msg.emailId && /^\d+$/.test(msg.emailId)) meta.globalId = BigInt(msg.emailId).toString()
  },
}

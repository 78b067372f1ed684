// The folders a Gmail account shows over IMAP, and which messages each one shows. Gmail keeps
// one copy of a message and a set of labels on it; IMAP folders are views over that store
// ("Gmail IMAP Extensions", developers.google.com/gmail/imap/imap-extensions: labels are exposed
// as folders, and the special folders carry SPECIAL-USE attributes on every LIST response, with no
// ENABLE needed). The names of the special folders follow the account's language (Gmail Help,
// "IMAP folders": German accounts see `[Google Mail]/...` with translated names), so a client must
// find them by attribute.
import type { StoredMessage } from './message.js'

/** What selects the messages of a special folder. */
export type SpecialView = 'inbox' | 'all' | 'sent' | 'drafts' | 'important' | 'starred' | 'spam' | 'trash'

export interface SpecialFolder {
  view: SpecialView
  /** Display name (UTF-8); the wire spelling is modified UTF-7. */
  name: string
  /** The SPECIAL-USE attribute (RFC 6154; Gmail adds \Important), none for INBOX. */
  attribute?: string
}

export type Language = 'en' | 'de'

const ROOT: Record<Language, string> = { en: '[Gmail]', de: '[Google Mail]' }

const NAMES: Record<Language, Record<Exclude<SpecialView, 'inbox'>, string>> = {
  en: { all: 'All Mail', sent: 'Sent Mail', drafts: 'Drafts', important: 'Important', starred: 'Starred', spam: 'Spam', trash: 'Trash' },
  de: { all: 'Alle Nachrichten', sent: 'Gesendet', drafts: 'Entwürfe', important: 'Wichtig', starred: 'Markiert', spam: 'Spam', trash: 'Papierkorb' },
}

const ATTRIBUTES: Record<Exclude<SpecialView, 'inbox'>, string> = {
  all: '\\All', sent: '\\Sent', drafts: '\\Drafts', important: '\\Important', starred: '\\Flagged', spam: '\\Junk', trash: '\\Trash',
}

/** The `[Gmail]` (or translated) parent: \Noselect, it holds the special folders only. */
export function specialRoot(lang: Language): string {
  return ROOT[lang]
}

/** INBOX first, then the special folders in the order Gmail lists them (alphabetical by English name). */
export function specialFolders(lang: Language): SpecialFolder[] {
  const order: Exclude<SpecialView, 'inbox'>[] = ['all', 'drafts', 'important', 'sent', 'spam', 'starred', 'trash']
  return [
    { view: 'inbox', name: 'INBOX' },
    ...order.map((view) => ({ view, name: `${ROOT[lang]}/${NAMES[lang][view]}`, attribute: ATTRIBUTES[view] })),
  ]
}

/** The system label a special view stands for, where it is one (Starred is the \Flagged flag). */
export const VIEW_LABEL: Partial<Record<SpecialView, string>> = {
  inbox: '\\Inbox', sent: '\\Sent', drafts: '\\Draft', important: '\\Important',
}

/**
 * Whether `m` shows in the view. Trash and Spam hold what All Mail does not (Gmail Help, "IMAP
 * folders": messages in Spam and Trash are not in All Mail); every other view is a subset of All Mail.
 */
export function inView(view: SpecialView | { label: string }, m: StoredMessage): boolean {
  if (typeof view === 'object') return m.box === 'all' && m.labels.has(view.label)
  switch (view) {
    case 'all': return m.box === 'all'
    case 'spam': return m.box === 'spam'
    case 'trash': return m.box === 'trash'
    case 'starred': return m.box === 'all' && m.flags.has('\\Flagged')
    default: return m.box === 'all' && m.labels.has(VIEW_LABEL[view]!)
  }
}

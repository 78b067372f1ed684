// Which of a Gmail account's folders is which: All Mail, Trash, Spam and the folders that show a
// label. Found by SPECIAL-USE (RFC 6154), never by English name: Gmail translates `[Gmail]/All
// Mail` into the account's language (`[Gmail]/Alle Nachrichten`, `[Google Mail]/Tous les messages`).
import { MailsyncError } from '../../errors.js'
import type { FolderInfo } from '../types.js'

export interface GmailLayout {
  /** `\All`: every message once, archived mail included. The store. */
  allMail: FolderInfo
  /** `\Trash` and `\Junk`: their messages are not in All Mail. */
  trash?: FolderInfo
  spam?: FolderInfo
  /** Each folder that shows messages with one label, and that label (`INBOX` -> `\Inbox`). */
  views: { folder: FolderInfo; label: string }[]
  /** Gmail's own views that are no label folder: `\Flagged` (Starred: the \Flagged flag) and `\Important`. */
  virtual: FolderInfo[]
  /** \Noselect parents (`[Gmail]`). */
  parents: FolderInfo[]
}

export interface LayoutChoice {
  /** The user's trashfolder / spamfolder (OfflineIMAP's options), else found by SPECIAL-USE. */
  trashFolder?: string
  spamFolder?: string
}

export function gmailLayout(folders: readonly FolderInfo[], repository: string, choice: LayoutChoice = {}): GmailLayout {
  const allMail = folders.find((f) => f.specialUse === '\\All' && f.selectable)
  if (!allMail) {
    throw new MailsyncError('server', `repository ${repository}: the server lists no All Mail folder (SPECIAL-USE \\All), so it is not used as Gmail`, {
      hint: 'in Gmail settings, "Labels": show All Mail in IMAP; or set type = IMAP to sync the folders as folders',
    })
  }
  const named = (name: string | undefined, what: string) => {
    if (name === undefined) return undefined
    const f = folders.find((x) => x.name === name)
    if (!f) throw new MailsyncError('config', `repository ${repository}: ${what} "${name}" is not a folder of the account`)
    return f
  }
  const trash = named(choice.trashFolder, 'trashfolder') ?? folders.find((f) => f.specialUse === '\\Trash' && f.selectable)
  const spam = named(choice.spamFolder, 'spamfolder') ?? folders.find((f) => f.specialUse === '\\Junk' && f.selectable)
  const layout: GmailLayout = { allMail, ...(trash ? { trash } : {}), ...(spam ? { spam } : {}), views: [], virtual: [], parents: [] }
  for (const f of folders) {
    if (f === allMail || f === trash || f === spam) continue
    if (!f.selectable) layout.parents.push(f)
    else if (f.specialUse === '\\Flagged' || f.specialUse === '\\Important') layout.virtual.push(f)
    else layout.views.push({ folder: f, label: folderLabel(f) })
  }
  return layout
}

/**
 * The label a folder shows: INBOX is `\Inbox`, the `\Sent` folder `\Sent`, the `\Drafts` folder
 * `\Draft`; any other folder is the user label of its name (Gmail names label folders after the
 * label, `/` between levels).
 */
export function folderLabel(f: FolderInfo): string {
  if (f.name.toUpperCase() === 'INBOX') return '\\Inbox'
  if (f.specialUse === '\\Sent') return '\\Sent'
  if (f.specialUse === '\\Drafts') return '\\Draft'
  return f.name
}

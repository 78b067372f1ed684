// One Gmail account: its messages, stored once, and its folders, which are views over them.
// Every change goes through here (over the wire or from a test), and after each one every folder
// is brought up to date: a message that enters a view gets the folder's next UID (UIDs ascend and
// are never reused, so a message that leaves and comes back gets a new one), one that leaves
// loses its UID there. Sessions are told that something changed and catch up at their next
// chance to send untagged responses.
import { specialFolders, specialRoot, inView, VIEW_LABEL, type Language, type SpecialView } from './folders.js'
import { header, messageIds, type Box, type StoredMessage } from './message.js'

export interface Folder {
  /** UTF-8 name, `/`-separated. */
  name: string
  view: SpecialView | { label: string }
  /** SPECIAL-USE attribute. */
  attribute?: string
  uidValidity: number
  uidNext: number
  /** X-GM-MSGID -> UID in this folder. */
  uids: Map<string, number>
  /** UID -> X-GM-MSGID, in ascending UID order (Map keeps insertion order, and UIDs only grow). */
  byUid: Map<number, string>
  /** \Deleted is per folder: marking a message deleted in INBOX says nothing about it in Work. */
  deleted: Set<number>
  subscribed: boolean
}

/** What becomes of a message expunged from All Mail, the last folder it shows in (Gmail's IMAP setting "When a message is marked as deleted and expunged from the last visible IMAP folder"). */
export type ExpungeBehavior = 'trash' | 'archive' | 'deleteForever'

export interface AccountOptions {
  language?: Language
  expungeBehavior?: ExpungeBehavior
  /**
   * Gmail's "Auto-Expunge on" (its default): a message marked \Deleted is expunged at once. Off
   * here by default, so a client's STORE \Deleted then EXPUNGE is seen as two steps; either way
   * the outcome of that pair is the same.
   */
  autoExpunge?: boolean
  /**
   * An APPEND of a message "similar" to one already in the folder (same Message-ID and Date)
   * replaces it: the old message is deleted and the new one stored, as observed of Gmail (WildDuck
   * wiki, "Gmail sending"; Google does not document it). Off by default.
   */
  appendReplacesSimilar?: boolean
  /**
   * X-GM-LABELS leaves out the label of the folder selected (INBOX's \Inbox, Work's Work), as
   * observed of Gmail (dlech/gmailbuttons issue 10: "does not include the selected folder"). On by
   * default: a client must not read the missing label as removed.
   */
  omitSelectedLabel?: boolean
  /** X-GM-LABELS lists `\Starred` for a message with \Flagged (reported by clients, not documented). Off by default. */
  starredLabel?: boolean
  /** First X-GM-MSGID handed out (decimal); ids then ascend. */
  firstMsgid?: string
  /** UIDVALIDITY of the first folder; each further folder gets the next number. */
  firstUidValidity?: number
}

export interface NewMessage {
  raw: Buffer | string
  labels?: string[]
  flags?: string[]
  internalDate?: Date
  box?: Box
  /** Default: the next id. */
  msgid?: string
  /** Default: the thread of a known message this one refers to (In-Reply-To, References), else its own id. */
  thrid?: string
}

/** A test's view of a message: copies, so a test cannot change the store behind its back. */
export interface MessageView {
  msgid: string
  thrid: string
  labels: string[]
  flags: string[]
  box: Box
  internalDate: Date
  raw: Buffer
}

/** System labels by their lower-case spelling: Gmail accepts them in any case. */
const SYSTEM_LABELS = new Map(['\\Inbox', '\\Sent', '\\Draft', '\\Important', '\\Starred', '\\Trash', '\\Spam'].map((l) => [l.toLowerCase(), l]))

export function normalizeLabel(label: string): string {
  return label.startsWith('\\') ? SYSTEM_LABELS.get(label.toLowerCase()) ?? label : label
}

export class GmailAccount {
  readonly language: Language
  readonly expungeBehavior: ExpungeBehavior
  readonly autoExpunge: boolean
  readonly appendReplacesSimilar: boolean
  readonly omitSelectedLabel: boolean
  readonly starredLabel: boolean
  private readonly store = new Map<string, StoredMessage>()
  readonly folders: Folder[] = []
  private nextMsgid: bigint
  private nextValidity: number
  private arrivals = 0
  /** The last MODSEQ handed out: every folder's HIGHESTMODSEQ (Gmail counts changes per account). */
  modseq = 1
  private readonly listeners = new Set<() => void>()
  /** Raised by every change: a session with nothing new to tell skips its catching up. */
  version = 0
  /** APPENDs stored over the wire. */
  appends = 0
  /** Commands received for this account, by name (`UID FETCH`, `APPEND`, ...). */
  readonly counters = new Map<string, number>()

  constructor(opts: AccountOptions = {}) {
    this.language = opts.language ?? 'en'
    this.expungeBehavior = opts.expungeBehavior ?? 'trash'
    this.autoExpunge = opts.autoExpunge ?? false
    this.appendReplacesSimilar = opts.appendReplacesSimilar ?? false
    this.omitSelectedLabel = opts.omitSelectedLabel ?? true
    this.starredLabel = opts.starredLabel ?? false
    this.nextMsgid = BigInt(opts.firstMsgid ?? '1278455344230334865')
    this.nextValidity = opts.firstUidValidity ?? 11
    for (const f of specialFolders(this.language)) this.addFolder(f.name, f.view, f.attribute)
  }

  /** The `[Gmail]` parent (\Noselect). */
  get root(): string {
    return specialRoot(this.language)
  }

  // ---- reading ----

  folder(name: string): Folder | undefined {
    if (name.toUpperCase() === 'INBOX') return this.folders[0]
    return this.folders.find((f) => f.name === name)
  }

  /** The folder with a SPECIAL-USE attribute (`\All`, `\Trash`, ...). */
  special(attribute: string): Folder {
    return this.folders.find((f) => f.attribute === attribute)!
  }

  get(msgid: string): StoredMessage | undefined {
    return this.store.get(msgid)
  }

  /** Messages of a folder in UID order, with their UIDs. */
  members(f: Folder): { uid: number; m: StoredMessage }[] {
    return [...f.byUid].map(([uid, id]) => ({ uid, m: this.store.get(id)! }))
  }

  all(): StoredMessage[] {
    return [...this.store.values()]
  }

  /** Every message, as copies, in order of arrival. */
  messages(): MessageView[] {
    return this.all().map((m) => this.view(m))
  }

  message(msgid: string): MessageView | undefined {
    const m = this.store.get(msgid)
    return m && this.view(m)
  }

  /** Messages whose Message-ID header is `messageId` (with or without the angle brackets). */
  byMessageId(messageId: string): MessageView[] {
    const want = messageId.startsWith('<') ? messageId : `<${messageId}>`
    return this.all().filter((m) => messageIds(header(m.raw, 'Message-ID'))[0] === want).map((m) => this.view(m))
  }

  /** UID -> X-GM-MSGID of a folder, in UID order. */
  folderUids(name: string): Map<number, string> {
    const f = this.folder(name)
    if (!f) throw new Error(`fake Gmail: no folder ${name}`)
    return new Map(f.byUid)
  }

  private view(m: StoredMessage): MessageView {
    return { msgid: m.msgid, thrid: m.thrid, labels: [...m.labels].sort(), flags: [...m.flags].sort(), box: m.box, internalDate: new Date(m.internalDate), raw: Buffer.from(m.raw) }
  }

  // ---- changing ----

  onChange(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  add(input: NewMessage): StoredMessage {
    const raw = Buffer.isBuffer(input.raw) ? Buffer.from(input.raw) : Buffer.from(input.raw.replace(/\r?\n/g, '\r\n'), 'utf8')
    const msgid = input.msgid ?? (this.nextMsgid++).toString()
    if (this.store.has(msgid)) throw new Error(`fake Gmail: X-GM-MSGID ${msgid} exists`)
    const m: StoredMessage = {
      msgid, thrid: input.thrid ?? this.threadOf(raw) ?? msgid, labels: new Set(), flags: new Set(input.flags ?? []),
      internalDate: input.internalDate ?? new Date(), raw, box: input.box ?? 'all', order: this.arrivals++, modseq: 0,
    }
    m.flags.delete('\\Deleted')
    m.flags.delete('\\Recent')
    this.store.set(msgid, m)
    this.applyLabels(m, input.labels ?? [], true)
    this.changed([m])
    return m
  }

  /** The thread of a message this one answers, as Gmail threads a reply with what it refers to. */
  private threadOf(raw: Buffer): string | undefined {
    const refs = [...messageIds(header(raw, 'In-Reply-To')), ...messageIds(header(raw, 'References'))]
    if (!refs.length) return undefined
    for (const m of this.store.values()) {
      if (refs.includes(messageIds(header(m.raw, 'Message-ID'))[0] ?? '')) return m.thrid
    }
    return undefined
  }

  addLabels(m: StoredMessage, labels: string[]): void {
    this.applyLabels(m, labels, true)
    this.changed([m])
  }

  removeLabels(m: StoredMessage, labels: string[]): void {
    this.applyLabels(m, labels, false)
    this.changed([m])
  }

  setLabels(m: StoredMessage, labels: string[]): void {
    const want = new Set(labels.map(normalizeLabel))
    this.applyLabels(m, [...m.labels].filter((l) => !want.has(l)), false)
    this.applyLabels(m, [...want], true)
    this.changed([m])
  }

  /**
   * Labels with a meaning beyond a name ("Gmail IMAP Extensions", X-GM-LABELS): `\Starred` is the
   * \Flagged flag, `\Trash` and `\Spam` move the message there. A user label not known yet is
   * created, as Gmail does when a client stores it.
   */
  private applyLabels(m: StoredMessage, labels: string[], add: boolean): void {
    for (const raw of labels) {
      const label = normalizeLabel(raw)
      if (label === '\\Starred') {
        if (add) m.flags.add('\\Flagged')
        else m.flags.delete('\\Flagged')
      } else if (label === '\\Trash' || label === '\\Spam') {
        const box = label === '\\Trash' ? 'trash' : 'spam'
        if (add) this.putInBox(m, box)
        else if (m.box === box) m.box = 'all'
      } else if (add) {
        if (!label.startsWith('\\')) this.ensureLabelFolder(label)
        m.labels.add(label)
      } else {
        m.labels.delete(label)
      }
    }
  }

  /** Trash and Spam take a message out of All Mail; its labels go with it (they are views of All Mail). */
  private putInBox(m: StoredMessage, box: Box): void {
    if (box !== 'all') m.labels.clear()
    m.box = box
  }

  setFlags(m: StoredMessage, flags: Iterable<string>): void {
    m.flags = new Set([...flags].filter((f) => f !== '\\Deleted' && f !== '\\Recent'))
    this.changed([m])
  }

  moveToBox(m: StoredMessage, box: Box): void {
    this.putInBox(m, box)
    this.changed([m])
  }

  deleteForever(m: StoredMessage): void {
    this.store.delete(m.msgid)
    this.changed([m])
  }

  /**
   * An expunge in folder `f` (Gmail Help, "IMAP folders" and the IMAP setting of the same name):
   * in a label's folder (INBOX, Sent, Drafts, Important, user labels) only that label goes; in
   * Starred the star; in All Mail, the last folder a message shows in, it is moved to Trash (or
   * archived, or deleted, as the account is set); in Trash and Spam it is deleted for ever.
   */
  expungeIn(f: Folder, m: StoredMessage): void {
    const v = f.view
    if (typeof v === 'object') m.labels.delete(v.label)
    else if (v === 'starred') m.flags.delete('\\Flagged')
    else if (v === 'trash' || v === 'spam') this.store.delete(m.msgid)
    else if (v === 'all') {
      if (this.expungeBehavior === 'trash') this.putInBox(m, 'trash')
      else if (this.expungeBehavior === 'deleteForever') this.store.delete(m.msgid)
    } else m.labels.delete(VIEW_LABEL[v]!)
    this.changed([m])
  }

  /** What a COPY or APPEND into `f` means for `m`: the folder's label, or its place. */
  putInto(f: Folder, m: StoredMessage): void {
    const v = f.view
    if (v === 'trash' || v === 'spam') this.putInBox(m, v)
    else {
      // copying out of Trash or Spam into a folder of All Mail brings the message back
      if (m.box !== 'all') m.box = 'all'
      if (typeof v === 'object') m.labels.add(v.label)
      else if (v === 'starred') m.flags.add('\\Flagged')
      else if (v !== 'all') m.labels.add(VIEW_LABEL[v]!)
    }
    this.changed([m])
  }

  /** The source side of a MOVE out of `f`: the label (or star) goes; from All Mail, Trash or Spam nothing (the destination decided). */
  takeOutOf(f: Folder, m: StoredMessage): void {
    const v = f.view
    if (typeof v === 'object') m.labels.delete(v.label)
    else if (v === 'starred') m.flags.delete('\\Flagged')
    else if (v !== 'all' && v !== 'trash' && v !== 'spam') m.labels.delete(VIEW_LABEL[v]!)
    this.changed([m])
  }

  // ---- labels as folders ----

  /** A user label (and its parents, as Gmail nests `Lists/Debian` under `Lists`). */
  createLabel(name: string): Folder {
    if (this.folder(name)) throw new Error(`fake Gmail: folder ${name} exists`)
    return this.ensureLabelFolder(name)
  }

  isUserLabelName(name: string): boolean {
    return name.length > 0 && name.toUpperCase() !== 'INBOX' && !name.startsWith(this.root + '/') && name !== this.root &&
      !name.startsWith('\\') && !name.split('/').some((p) => p === '')
  }

  private ensureLabelFolder(name: string): Folder {
    const parts = name.split('/')
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/')
      if (!this.folder(parent)) this.addFolder(parent, { label: parent })
    }
    return this.folder(name) ?? this.addFolder(name, { label: name })
  }

  /** Removes the label from every message (the messages stay in All Mail) and its folder. */
  deleteLabel(name: string): void {
    const f = this.folder(name)
    if (!f || typeof f.view !== 'object') throw new Error(`fake Gmail: ${name} is not a label`)
    const touched = this.all().filter((m) => m.labels.delete(name))
    this.folders.splice(this.folders.indexOf(f), 1)
    this.changed(touched)
  }

  /** Renames the label on every message; the folder keeps its UIDs and UIDVALIDITY. Children move with it. */
  renameLabel(from: string, to: string): void {
    const moving = this.folders.filter((f) => typeof f.view === 'object' && (f.name === from || f.name.startsWith(from + '/')))
    for (const f of moving) {
      const oldName = f.name
      const newName = to + oldName.slice(from.length)
      f.name = newName
      f.view = { label: newName }
      for (const m of this.store.values()) if (m.labels.delete(oldName)) m.labels.add(newName)
    }
    const parts = to.split('/')
    for (let i = 1; i < parts.length; i++) this.ensureLabelFolder(parts.slice(0, i).join('/'))
    this.sortFolders()
    this.changed(this.all().filter((m) => [...m.labels].some((l) => moving.some((f) => f.name === l))))
  }

  private addFolder(name: string, view: Folder['view'], attribute?: string): Folder {
    const f: Folder = { name, view, uidValidity: this.nextValidity++, uidNext: 1, uids: new Map(), byUid: new Map(), deleted: new Set(), subscribed: true, ...(attribute ? { attribute } : {}) }
    this.folders.push(f)
    this.sortFolders()
    for (const m of [...this.store.values()].sort((a, b) => a.order - b.order)) this.place(f, m)
    return f
  }

  /** INBOX, the special folders, then labels by name. */
  private sortFolders(): void {
    const specials = this.folders.filter((f) => typeof f.view !== 'object')
    const labels = this.folders.filter((f) => typeof f.view === 'object').sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    this.folders.splice(0, this.folders.length, ...specials, ...labels)
  }

  /** Gives or takes `m`'s UID in `f` as it now belongs there or not. */
  private place(f: Folder, m: StoredMessage): void {
    const belongs = this.store.get(m.msgid) === m && inView(f.view, m)
    const uid = f.uids.get(m.msgid)
    if (belongs && uid === undefined) {
      const next = f.uidNext++
      f.uids.set(m.msgid, next)
      f.byUid.set(next, m.msgid)
    } else if (!belongs && uid !== undefined) {
      f.uids.delete(m.msgid)
      f.byUid.delete(uid)
      f.deleted.delete(uid)
    }
  }

  /** Brings every folder up to date for the messages changed, and tells the sessions. */
  changed(touched: StoredMessage[]): void {
    this.version++
    for (const m of new Set(touched)) {
      m.modseq = ++this.modseq
      for (const f of this.folders) this.place(f, m)
    }
    for (const l of [...this.listeners]) l()
  }

  count(command: string): void {
    this.counters.set(command, (this.counters.get(command) ?? 0) + 1)
  }
}

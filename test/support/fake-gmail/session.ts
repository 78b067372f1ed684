// One client connection: reads commands, answers them through the handlers of its state, and
// keeps the client's picture of the selected folder (sequence numbers and flags) in step with
// the account, sending EXISTS, EXPUNGE and FETCH FLAGS when the folder changed, at points where
// RFC 3501 allows it (never during a FETCH, STORE or SEARCH by sequence number, section 7.4.1).
import type { Socket } from 'node:net'
import type { Folder, GmailAccount } from './account.js'
import { CommandReader, type RawCommand } from './command-reader.js'
import { BadCommand, parseCommand, tagOf, type ParsedCommand } from './parse.js'
import { labelName, toBuffer, type Part } from './wire.js'
import { VIEW_LABEL } from './folders.js'
import type { StoredMessage } from './message.js'
import type { ServerContext } from './server-context.js'
import { HANDLERS } from './handlers/index.js'

export interface Selected {
  folder: Folder
  readOnly: boolean
  /** UIDs as the client knows them: index + 1 is the sequence number. */
  uids: number[]
  /** Flags the client was last told, by UID. */
  told: Map<number, string>
  /** The account's version when the client was last brought up to date. */
  version: number
}

/** Gmail allows non-synchronizing literals up to 4 KiB (LITERAL-, RFC 7888). */
const LITERAL_MINUS_MAX = 4096

export class Session {
  account?: GmailAccount
  user?: string
  selected?: Selected
  /** While set, the next line is not a command but goes here (SASL responses, IDLE's DONE). */
  private lineHandler?: (line: string) => void
  private unlisten?: () => void
  /** CONDSTORE enabled (ENABLE, SELECT (CONDSTORE), or a FETCH or SEARCH of MODSEQ): flag updates carry MODSEQ. */
  condstore = false
  /** Set while IDLE: account changes are sent at once. */
  idling = false
  private readonly reader: CommandReader
  closed = false

  constructor(readonly socket: Socket, readonly ctx: ServerContext) {
    this.reader = new CommandReader((c) => this.onCommand(c), (size, text) => this.onLiteral(size, text))
    // answers go out in one segment per batch of commands, not one per line (no Nagle waits)
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => {
      socket.cork()
      try {
        this.reader.push(chunk)
      } catch (err) {
        this.bye(`${(err as Error).message}`)
      } finally {
        socket.uncork()
      }
    })
    socket.on('error', () => undefined)
    socket.on('close', () => this.onClose())
  }

  greet(): void {
    const bye = this.ctx.byeGreetings
    if (bye.left > 0) {
      bye.left--
      return this.bye(bye.text)
    }
    this.send(`* OK Gimap ready for requests from 127.0.0.1 fake-gmail`)
  }

  // ---- writing ----

  /** One response line (CRLF added); parts joined as given. */
  send(...parts: Part[]): void {
    if (this.closed || this.socket.destroyed) return
    this.socket.write(toBuffer([...parts, '\r\n']))
  }

  tagged(tag: string, status: 'OK' | 'NO' | 'BAD', text: string): void {
    this.send(`${tag} ${status} ${text}`)
  }

  bye(text: string): void {
    this.send(`* BYE ${text}`)
    this.closed = true
    this.socket.end()
  }

  /** The next line from the client goes to `fn` instead of being read as a command. */
  expectLine(fn: (line: string) => void): void {
    this.lineHandler = fn
  }

  // ---- state ----

  login(user: string, account: GmailAccount): void {
    this.user = user
    this.account = account
    this.unlisten = account.onChange(() => {
      if (this.idling) this.catchUp(true)
    })
  }

  select(folder: Folder, readOnly: boolean): Selected {
    const uids = [...folder.byUid.keys()]
    this.selected = { folder, readOnly, uids, told: new Map(uids.map((u) => [u, this.flagText(folder, u)])), version: this.account!.version }
    return this.selected
  }

  /** FLAGS of a message in a folder as the client sees them: its flags plus the folder's \Deleted. */
  flagList(folder: Folder, uid: number): string[] {
    const m = this.account!.get(folder.byUid.get(uid) ?? '')
    if (!m) return []
    const flags = [...m.flags]
    if (folder.deleted.has(uid)) flags.push('\\Deleted')
    return flags
  }

  flagText(folder: Folder, uid: number): string {
    return this.flagList(folder, uid).join(' ')
  }

  /** Tells the client what changed in the selected folder; `expunges`: may sequence numbers move now. */
  catchUp(expunges: boolean): void {
    const sel = this.selected
    if (!sel || sel.version === this.account!.version) return
    const f = sel.folder
    if (!this.account!.folders.includes(f)) {
      // the label was deleted under us: Gmail ends the session's selection
      this.send('* BYE the selected folder was deleted')
      this.closed = true
      this.socket.end()
      return
    }
    if (expunges) {
      for (let i = sel.uids.length - 1; i >= 0; i--) {
        const uid = sel.uids[i]!
        if (f.byUid.has(uid)) continue
        sel.uids.splice(i, 1)
        sel.told.delete(uid)
        this.send(`* ${i + 1} EXPUNGE`)
      }
    }
    sel.uids.forEach((uid, i) => {
      if (!f.byUid.has(uid)) return
      const now = this.flagText(f, uid)
      if (sel.told.get(uid) === now) return
      sel.told.set(uid, now)
      this.send(`* ${i + 1} FETCH (UID ${uid} FLAGS (${now})${this.modseqItem(uid)})`)
    })
    const last = sel.uids.length ? sel.uids[sel.uids.length - 1]! : 0
    const added = [...f.byUid.keys()].filter((u) => u > last)
    if (added.length) {
      for (const u of added) {
        sel.uids.push(u)
        sel.told.set(u, this.flagText(f, u))
      }
      this.send(`* ${sel.uids.length} EXISTS`)
      this.send('* 0 RECENT')
    }
    // with the EXPUNGEs held back (during FETCH, STORE, SEARCH) there is still news for later
    if (expunges || sel.uids.every((u) => f.byUid.has(u))) sel.version = this.account!.version
  }

  /** X-GM-LABELS of a message as this session is told them (see the account's omitSelectedLabel, starredLabel). */
  labelsItem(m: StoredMessage): string {
    const account = this.account!
    const v = this.selected?.folder.view
    const own = typeof v === 'object' ? v.label : v ? VIEW_LABEL[v] : undefined
    const labels = [...m.labels].filter((l) => !(account.omitSelectedLabel && l === own))
    if (account.starredLabel && m.flags.has('\\Flagged')) labels.push('\\Starred')
    return `X-GM-LABELS (${labels.map(labelName).join(' ')})`
  }

  /** ` MODSEQ (n)` of a message of the selected folder once CONDSTORE is on, else nothing. */
  modseqItem(uid: number): string {
    if (!this.condstore) return ''
    const m = this.account!.get(this.selected!.folder.byUid.get(uid) ?? '')
    return m ? ` MODSEQ (${m.modseq})` : ''
  }

  // ---- reading ----

  private onLiteral(size: number, text: string): true | string {
    if (size > this.ctx.appendLimit) {
      this.tagged(tagOf({ text: [text], literals: [] }), 'NO', `[LIMIT] message too large (${size} > ${this.ctx.appendLimit} bytes) (Failure)`)
      return 'refused'
    }
    this.send('+ go ahead')
    return true
  }

  private onCommand(raw: RawCommand): void {
    if (this.closed) return
    if (this.lineHandler) {
      const fn = this.lineHandler
      this.lineHandler = undefined
      fn(raw.text.join(''))
      return
    }
    const nonSync = raw.text.slice(0, -1).map((t) => /\{(\d+)\+\}$/.exec(t)).find((m) => m && Number(m[1]) > LITERAL_MINUS_MAX)
    if (nonSync) return this.bye(`non-synchronizing literal over ${LITERAL_MINUS_MAX} bytes (LITERAL-)`)
    let cmd: ParsedCommand
    try {
      cmd = parseCommand(raw)
    } catch (err) {
      return this.tagged(tagOf(raw), 'BAD', `Could not parse command: ${(err as Error).message}`)
    }
    this.ctx.log.push(`${this.user ?? '-'}: ${cmd.line}`)
    this.ctx.count(cmd.name)
    this.account?.count(cmd.name)
    const throttle = this.ctx.throttleFor(cmd, this)
    if (throttle) {
      if (throttle.bye) return this.bye(throttle.text)
      return this.tagged(cmd.tag, 'NO', throttle.text)
    }
    const handler = HANDLERS.get(cmd.name)
    if (!handler) return this.tagged(cmd.tag, 'BAD', `Unknown command ${cmd.name}`)
    if (handler.state !== 'any' && !this.account) return this.tagged(cmd.tag, 'BAD', 'Command not allowed before login')
    if (handler.state === 'selected' && !this.selected) return this.tagged(cmd.tag, 'BAD', 'No folder selected')
    // A UID command may name a message another connection stored since this one's last command:
    // the session is told of it (EXISTS) first, as Dovecot does, which RFC 3501 (7.4.1) allows at
    // any time. Without this a UID STORE on it found nothing, depending on the commands' timing.
    if (this.selected && cmd.name.startsWith('UID ')) this.catchUp(false)
    try {
      handler.run(this, cmd)
    } catch (err) {
      if (err instanceof BadCommand) return this.tagged(cmd.tag, 'BAD', `${err.message}`)
      throw err
    }
  }

  /** Finishes a command: catches up on changes (where allowed), then the tagged OK. */
  done(cmd: ParsedCommand, text = 'Success'): void {
    const bySequence = cmd.name === 'FETCH' || cmd.name === 'STORE' || cmd.name === 'SEARCH'
    this.catchUp(!bySequence)
    this.tagged(cmd.tag, 'OK', text)
  }

  private onClose(): void {
    this.closed = true
    this.unlisten?.()
    this.ctx.sessions.delete(this)
  }
}

// A Gmail account as a Repository: the IMAP kind underneath (its connection pool, listings,
// fetches, throttle pauses), with Gmail's layout on top (docs/gmail.md): All Mail as the store of
// every message once, labels per message, a delete that is a move to Trash, and the label views
// a folder server can take (migrate --labels folders|first|keywords).
import { MailsyncError } from '../../errors.js'
import type { Capability, FolderInfo, FolderSession, FolderStatus, Repository, StoreWatch, WatchHandlers } from '../types.js'
import { ImapRepository, type ImapRepositoryOptions, type PoolStats } from '../imap/imap-repository.js'
import type { ImapFolderSession } from '../imap/imap-folder.js'
import { gmailLayout, type GmailLayout, type LayoutChoice } from './special-folders.js'
import { folderRole, offeredFolders } from './folder-views.js'
import { GmailStoreSession } from './store-session.js'
import { GmailViewSession } from './view-session.js'
import { AppendDedupe } from './append-dedupe.js'
import type { LabelMode } from './label-mode.js'
import { describeLayout } from './describe-layout.js'

export interface GmailRepositoryOptions extends LayoutChoice {
  imap: ImapRepositoryOptions
  labelMode: LabelMode
}

export class GmailRepository implements Repository {
  readonly name: string
  readonly identity: string
  readonly kind = 'gmail'
  readonly maxConnections: number
  readonly readOnly: boolean
  readonly labels: boolean
  readonly labelMode: LabelMode
  private readonly imap: ImapRepository
  private layoutNow?: GmailLayout
  private readonly dedupe = new AppendDedupe()

  constructor(private readonly opts: GmailRepositoryOptions) {
    this.imap = new ImapRepository(opts.imap)
    this.name = this.imap.name
    this.identity = this.imap.identity
    this.maxConnections = this.imap.maxConnections
    this.readOnly = this.imap.readOnly
    this.labelMode = opts.labelMode
    this.labels = opts.labelMode === 'store'
  }

  /** The IMAP repository underneath (its pool counters, fetch limits for tests). */
  get imapRepository(): ImapRepository {
    return this.imap
  }

  poolStats(): PoolStats {
    return this.imap.poolStats()
  }

  /** Connects, and refuses a server that is no Gmail (no X-GM-EXT-1): its folders are no labels. */
  async open(): Promise<void> {
    await this.imap.open()
    if (!(await this.imap.hasServerCapability('X-GM-EXT-1'))) {
      throw new MailsyncError('server', `repository ${this.name}: the server does not speak Gmail's IMAP extension (X-GM-EXT-1), so it cannot be used as type Gmail`, {
        hint: 'set type = IMAP for this repository',
      })
    }
  }

  capabilities(): Promise<Set<Capability>> {
    return this.imap.capabilities()
  }

  separator(): Promise<string> {
    return this.imap.separator()
  }

  personalPrefix(): Promise<string> {
    return this.imap.personalPrefix()
  }

  /** Which folder is the store, which are views (for `mailsync info` and the log). */
  async layout(): Promise<GmailLayout> {
    if (!this.layoutNow) await this.listFolders()
    return this.layoutNow!
  }

  /** The layout in words (`mailsync info`). */
  async layoutLines(): Promise<string[]> {
    return describeLayout(await this.layout(), this.labelMode)
  }

  async listFolders(): Promise<FolderInfo[]> {
    await this.open()
    const folders = await this.imap.listFolders()
    this.layoutNow = gmailLayout(folders, this.name, this.opts)
    return offeredFolders(this.layoutNow, this.labelMode)
  }

  /**
   * A new label (Gmail shows every label as a folder). In the store layout a label is not a
   * folder to sync: one made there would never hold mail, so it is refused.
   */
  async createFolder(name: string): Promise<void> {
    if (this.labelMode === 'store') {
      const view = (await this.layout()).views.find((v) => v.folder.name === name)
      const what = view ? `is Gmail's folder of the label ${view.label}, a view of All Mail` : 'would be a Gmail label'
      throw new MailsyncError('usage', `repository ${this.name}: folder ${name} ${what}; in the store layout labels travel as labels of the messages in All Mail, not as folders (leave ${name} out with the other side's folderfilter, or set labelmode = folders)`, {
        hint: 'leave it out with folderfilter, or set labelmode = folders',
      })
    }
    await this.imap.createFolder(name)
    this.layoutNow = undefined
  }

  /** A view's status is All Mail's: the view lists All Mail's messages under All Mail's UIDs. */
  async folderStatus(name: string): Promise<FolderStatus> {
    return this.imap.folderStatus(await this.storeFolderOf(name))
  }

  async folderStatuses(names: readonly string[]): Promise<Map<string, FolderStatus> | undefined> {
    const under = new Map<string, string>()
    for (const n of names) under.set(n, await this.storeFolderOf(n))
    const got = await this.imap.folderStatuses([...new Set(under.values())])
    if (!got) return undefined
    const out = new Map<string, FolderStatus>()
    for (const [n, real] of under) {
      const st = got.get(real)
      if (st) out.set(n, st)
    }
    return out
  }

  async openFolder(name: string, o: { readOnly?: boolean } = {}): Promise<FolderSession> {
    let layout = await this.layout()
    let role = folderRole(layout, this.labelMode, name)
    if (role.kind === 'none' && this.labelMode !== 'store') {
      // made since the folders were listed (createFolder of a new label)
      this.layoutNow = undefined
      layout = await this.layout()
      role = folderRole(layout, this.labelMode, name)
    }
    if (role.kind === 'none') throw new MailsyncError('usage', `repository ${this.name}: ${role.why}`)
    const trash = layout.trash?.name
    if (role.kind === 'own') {
      const session = (await this.imap.openFolder(name, o)) as ImapFolderSession
      if (this.labelMode !== 'store') return session
      const allMail = layout.allMail.name
      const spam = layout.spam?.name
      // a message put into Trash or Spam may be one Gmail has in All Mail (or, for Spam, in Trash)
      const takeOverFrom = name === trash ? [allMail] : name === spam ? [allMail, ...(trash ? [trash] : [])] : undefined
      return new GmailStoreSession(session, name === trash ? { takeOverFrom } : { ...(trash ? { trash } : {}), ...(takeOverFrom ? { takeOverFrom } : {}) })
    }
    const allMail = (await this.imap.openFolder(layout.allMail.name, o)) as ImapFolderSession
    return new GmailViewSession(allMail, role.view, this.dedupe)
  }

  /** The real folder behind `name`: All Mail for a view, the folder itself otherwise. */
  private async storeFolderOf(name: string): Promise<string> {
    const layout = await this.layout()
    const role = folderRole(layout, this.labelMode, name)
    return role.kind === 'view' ? layout.allMail.name : name
  }

  appendLimit(): { bytes: number; why: string } | undefined {
    return this.imap.appendLimit()
  }

  keepAlive(): Promise<void> {
    return this.imap.keepAlive()
  }

  /** Push: All Mail sees every change of a message in a label folder, so it is watched like any folder. */
  watch(h: WatchHandlers, o?: { folders?: readonly string[] }): Promise<StoreWatch | undefined> {
    return this.imap.watch(h, o)
  }

  close(): Promise<void> {
    return this.imap.close()
  }

  drained(): Promise<void> {
    return this.imap.drained()
  }
}

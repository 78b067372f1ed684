// A local Maildir tree as a Repository.
import { existsSync, statSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import type { Capability, FolderInfo, FolderSession, FolderStatus, Repository, StoreWatch, WatchHandlers } from '../types.js'
import { watchMaildir } from './maildir-watch.js'
import { MailsyncError } from '../../errors.js'
import { type FolderTree, type MaildirLayout, folderNameParts } from './folder-paths.js'
import { findFolders, folderInfos, isMaildirDir, type FoundFolder } from './folder-list.js'
import { type NameSpelling, spelledFolderDir, spellingInUse } from './folder-spelling.js'
import { KeywordMap } from './keywords.js'
import { MessageIndex, readOnlyError } from './message-index.js'
import { MaildirFolder } from './maildir-folder.js'
import { diskError, fsyncDir, isMissing, makeDirs } from './fs-safe.js'
import { readUidState, uidStatePath, type UidState } from './uid-state.js'
import { removeStaleTmpFiles } from './tmp-cleanup.js'
import { folderTimes } from './change-token.js'
import type { LineEndings } from './line-endings.js'

export interface MaildirRepositoryOptions {
  name: string
  /** The Maildir tree's top directory. */
  root: string
  /** Hierarchy separator in folder names (default '.'); with layout verbatim, '/' nests directories. */
  sep?: string
  layout?: MaildirLayout
  readOnly?: boolean
  /** Letter (a-z) -> keyword, for keywords another program already stores under a letter. */
  keywordLetters?: Record<string, string>
  /** Make the root directory (and, for maildir++, INBOX) when it does not exist. */
  createRoot?: boolean
  /** Upper bound on parallel folder sessions (default 4). */
  maxConnections?: number
  /**
   * How new folders' names are spelled on disk; default: as the tree's existing folders are
   * spelled, else modified UTF-7 (as OfflineIMAP and mbsync do). Existing folders are always
   * found under the spelling they have.
   */
  spelling?: NameSpelling
  /** How message files store line endings: 'lf' (the Maildir convention, default) or 'crlf' (as IMAP sends them). */
  lineEndings?: LineEndings
  /** Where OfflineIMAP recorded the far side's UIDVALIDITYs (see offlineimap-state.ts), when it kept this tree. */
  offlineimapValidityDir?: string
  /**
   * Keep per-message labels (type GmailMaildir, or beside a repository that keeps labels): each
   * folder's `.mailsync-labels` sidecar (labels-sidecar.ts); message files are never changed for them.
   */
  labels?: boolean
}

export class MaildirRepository implements Repository {
  readonly name: string
  readonly kind = 'maildir'
  readonly maxConnections: number
  readonly readOnly: boolean
  private readonly tree: FolderTree
  private readonly keywordLetters: Record<string, string>
  private readonly createRoot: boolean
  private readonly spelling: NameSpelling | undefined
  private readonly offlineimapValidityDir: string | undefined
  readonly lineEndings: LineEndings
  readonly labels: boolean
  /** The folders of the last listing, as found on disk. */
  private found: FoundFolder[] | undefined
  private opened = false

  constructor(opts: MaildirRepositoryOptions) {
    const sep = opts.sep ?? '.'
    if (sep.length !== 1 || sep === '\0') {
      throw new MailsyncError('config', `Maildir separator must be one character, not "${sep}"`)
    }
    const layout = opts.layout ?? 'verbatim'
    if (layout !== 'verbatim' && layout !== 'maildir++') {
      throw new MailsyncError('config', `unknown Maildir layout "${String(layout)}"`, { hint: 'use verbatim or maildir++' })
    }
    if (!opts.root) throw new MailsyncError('config', `repository ${opts.name}: Maildir root is not set`)
    this.name = opts.name
    this.tree = { root: resolve(opts.root), sep, layout }
    this.readOnly = opts.readOnly ?? false
    this.createRoot = opts.createRoot ?? false
    this.maxConnections = opts.maxConnections ?? 4
    this.spelling = opts.spelling
    this.offlineimapValidityDir = opts.offlineimapValidityDir
    this.lineEndings = opts.lineEndings ?? 'lf'
    this.labels = opts.labels ?? false
    new KeywordMap(opts.keywordLetters) // validates the letters now, as a config error
    this.keywordLetters = { ...(opts.keywordLetters ?? {}) }
  }

  get identity(): string {
    return `maildir:${this.tree.root}`
  }

  get root(): string {
    return this.tree.root
  }

  async open(): Promise<void> {
    if (this.opened) return
    let isDir = false
    try {
      isDir = (await stat(this.tree.root)).isDirectory()
      if (!isDir) throw new MailsyncError('config', `Maildir root ${this.tree.root} is not a directory`)
    } catch (e) {
      if (!isMissing(e)) throw diskError('open', this.tree.root, e)
    }
    if (!isDir) {
      if (!this.createRoot || this.readOnly) {
        throw new MailsyncError('config', `Maildir root ${this.tree.root} does not exist`, {
          hint: this.readOnly ? 'check the path' : 'create it, or allow the repository to create it',
        })
      }
      await makeDirs(this.tree.root).catch((e) => {
        throw diskError('create', this.tree.root, e)
      })
      if (this.tree.layout === 'maildir++') await this.makeMaildir(this.tree.root)
    }
    this.opened = true
  }

  async capabilities(): Promise<Set<Capability>> {
    return new Set<Capability>(['UIDPLUS'])
  }

  async separator(): Promise<string> {
    return this.tree.sep
  }

  /** Every folder; parents that hold no messages are listed as not selectable. No special-use. */
  async listFolders(): Promise<FolderInfo[]> {
    await this.open()
    this.found = await findFolders(this.tree)
    return folderInfos(this.tree, this.found)
  }

  /** Push: every folder's cur/ and new/ and the root, watched by the file system (maildir-watch.ts). */
  async watch(h: WatchHandlers): Promise<StoreWatch> {
    return watchMaildir(this.tree.root, async () => {
      // nothing is made here: a root that is not there (yet) is left to the rounds
      if (await this.missingStore()) return []
      const folders = (await this.listFolders()).filter((f) => f.selectable)
      return Promise.all(folders.map(async (f) => ({ name: f.name, dir: (await this.folderPath(f.name)).dir })))
    }, h)
  }

  /** A folder's path below the root as spelled on disk ('' for the root itself), as it is or would be made. */
  async diskName(name: string): Promise<string> {
    return (await this.folderPath(name)).disk
  }

  /** The directory of a folder, under the spelling it has on disk or, for a new one, the tree's. */
  private async folderPath(name: string): Promise<{ dir: string; disk: string }> {
    return spelledFolderDir(this.tree, name, this.spelling ?? (await this.spellingInUse()))
  }

  private async spellingInUse(): Promise<NameSpelling> {
    if (!this.found) {
      await this.open()
      this.found = await findFolders(this.tree)
    }
    return spellingInUse(this.found.map((f) => f.disk)) ?? 'mutf7'
  }

  /** Makes the folder's cur/ new/ tmp/ (and parent directories). Existing folders are fine. */
  async createFolder(name: string): Promise<void> {
    folderNameParts(this.tree, name)
    if (this.readOnly) throw readOnlyError(`repository ${this.name}`)
    await this.open()
    const { dir, disk } = await this.folderPath(name)
    await this.makeMaildir(dir)
    this.found?.push({ name, disk })
  }

  async folderStatus(name: string): Promise<FolderStatus> {
    const quick = await this.quickStatus(name)
    if (quick) return quick
    const session = await this.openFolder(name, { readOnly: true })
    try {
      return session.status
    } finally {
      await session.close()
    }
  }

  async openFolder(name: string, opts: { readOnly?: boolean } = {}): Promise<FolderSession> {
    folderNameParts(this.tree, name)
    await this.open()
    const { dir, disk } = await this.folderPath(name)
    if (!isMaildirDir(dir)) {
      throw new MailsyncError('data', `Maildir folder "${name}" does not exist in ${this.tree.root}`, {
        hint: `expected ${join(dir, 'cur')} and ${join(dir, 'new')}`,
      })
    }
    const index = await MessageIndex.open(dir, { writable: !this.readOnly, configuredKeywords: this.keywordLetters, treeRoot: this.tree.root })
    // Opened to be written: the run holds the account's lock (a dry run opens read-only), so
    // deliveries of earlier runs that were killed are left over, and can go (see tmp-cleanup.ts).
    if (!this.readOnly && opts.readOnly !== true) removeStaleTmpFiles(dir)
    const prior = this.offlineimapValidityDir === undefined ? undefined : { offlineimapValidityDir: this.offlineimapValidityDir, diskName: disk }
    return new MaildirFolder(name, index, this.readOnly || opts.readOnly === true, this.lineEndings, prior, this.labels)
  }

  async missingStore(): Promise<string | undefined> {
    try {
      if (!(await stat(this.tree.root)).isDirectory()) return undefined // open() says what is wrong
    } catch (e) {
      if (isMissing(e)) return `Maildir root ${this.tree.root} does not exist`
      return undefined
    }
    return (await findFolders(this.tree)).length === 0 ? `Maildir root ${this.tree.root} holds no folder` : undefined
  }

  /** A folder of the tree has mailsync's UID state file. Makes nothing, not even a missing root. */
  async syncedBefore(): Promise<boolean> {
    try {
      if (!(await stat(this.tree.root)).isDirectory()) return false
    } catch {
      return false
    }
    const found = await findFolders(this.tree)
    return found.some((f) => existsSync(uidStatePath(join(this.tree.root, f.disk))))
  }

  async close(): Promise<void> {
    this.opened = false
  }

  /**
   * Status from the UID state file and directory mtimes alone, without reading the folder.
   * The change token is the mtimes of cur/, new/ and the state file; it is withheld when any of
   * them changed within the last second, since a later change could then keep the same mtime.
   */
  private async quickStatus(name: string): Promise<FolderStatus | undefined> {
    const { dir } = await this.folderPath(name)
    let state: UidState | undefined
    try {
      state = readUidState(dir)
    } catch {
      return undefined
    }
    if (!state) return undefined
    try {
      const t = folderTimes(dir)
      return { uidValidity: state.uidValidity, uidNext: state.nextUid, changeToken: t.token }
    } catch {
      return undefined
    }
  }

  private async makeMaildir(dir: string): Promise<void> {
    try {
      for (const sub of ['cur', 'new', 'tmp']) await makeDirs(join(dir, sub))
      await fsyncDir(dir)
      await fsyncDir(dirname(dir))
    } catch (e) {
      throw diskError('create folder', dir, e)
    }
  }

  /** The hierarchy parts of a folder name (throws for names this repository cannot store). */
  checkFolderName(name: string): string[] {
    return folderNameParts(this.tree, name)
  }
}

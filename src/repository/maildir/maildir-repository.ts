// A local Maildir tree as a Repository.
import { statSync } from 'node:fs'
import { mkdir, stat } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import type { Capability, FolderInfo, FolderSession, FolderStatus, Repository } from '../types.js'
import { MailsyncError } from '../../errors.js'
import { type FolderTree, type MaildirLayout, folderDir, folderNameParts } from './folder-paths.js'
import { isMaildirDir, listFolderInfos } from './folder-list.js'
import { KeywordMap } from './keywords.js'
import { MessageIndex, readOnlyError } from './message-index.js'
import { MaildirFolder } from './maildir-folder.js'
import { diskError, fsyncDir, isMissing } from './fs-safe.js'
import { readUidState, uidStatePath, type UidState } from './uid-state.js'
import { messageDirTimes, mtimeSettled } from './message-files.js'

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
}

export class MaildirRepository implements Repository {
  readonly name: string
  readonly kind = 'maildir'
  readonly maxConnections: number
  readonly readOnly: boolean
  private readonly tree: FolderTree
  private readonly keywordLetters: Record<string, string>
  private readonly createRoot: boolean
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
      await mkdir(this.tree.root, { recursive: true, mode: 0o700 }).catch((e) => {
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
    return listFolderInfos(this.tree)
  }

  /** Makes the folder's cur/ new/ tmp/ (and parent directories). Existing folders are fine. */
  async createFolder(name: string): Promise<void> {
    const dir = folderDir(this.tree, name)
    if (this.readOnly) throw readOnlyError(`repository ${this.name}`)
    await this.open()
    await this.makeMaildir(dir)
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
    const dir = folderDir(this.tree, name)
    await this.open()
    if (!isMaildirDir(dir)) {
      throw new MailsyncError('data', `Maildir folder "${name}" does not exist in ${this.tree.root}`, {
        hint: `expected ${join(dir, 'cur')} and ${join(dir, 'new')}`,
      })
    }
    const index = await MessageIndex.open(dir, { writable: !this.readOnly, configuredKeywords: this.keywordLetters })
    return new MaildirFolder(name, index, this.readOnly || opts.readOnly === true)
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
    const dir = folderDir(this.tree, name)
    let state: UidState | undefined
    try {
      state = readUidState(dir)
    } catch {
      return undefined
    }
    if (!state) return undefined
    try {
      const dirs = messageDirTimes(dir)
      const st = statSync(uidStatePath(dir), { bigint: true })
      const nowNs = BigInt(Date.now()) * 1_000_000n
      const settled = [dirs.cur, dirs.new, st.mtimeNs].every((t) => mtimeSettled(t, nowNs))
      return {
        uidValidity: state.uidValidity,
        uidNext: state.nextUid,
        changeToken: settled ? `${dirs.cur}:${dirs.new}:${st.mtimeNs}:${st.ino}` : undefined,
      }
    } catch {
      return undefined
    }
  }

  private async makeMaildir(dir: string): Promise<void> {
    try {
      for (const sub of ['cur', 'new', 'tmp']) await mkdir(join(dir, sub), { recursive: true, mode: 0o700 })
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

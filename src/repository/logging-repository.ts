// A repository that tells a debug log every call it passes on: `-d maildir` wraps Maildir
// repositories in it. It sees only the Repository contract, so it fits any kind; message bytes
// are never logged, only UIDs, sizes, flags and folder names.
import type {
  AppendInput, AppendOutcome, AppendResult, Capability, FetchOptions, FolderInfo, FolderSession, FolderStatus, ListOptions, ListResult, MessageBody, PassedOver, Repository, StoreWatch, WatchHandlers,
} from './types.js'

export type DebugLine = (line: string) => void

export function withLogging(repo: Repository, log: DebugLine): Repository {
  return new LoggingRepository(repo, log)
}

const uidList = (uids: readonly number[]): string => (uids.length > 12 ? `${uids.slice(0, 12).join(',')},... (${uids.length})` : uids.join(','))

class LoggingRepository implements Repository {
  constructor(private readonly inner: Repository, private readonly log: DebugLine) {}
  get name(): string { return this.inner.name }
  get kind(): string { return this.inner.kind }
  get identity(): string | undefined { return this.inner.identity }
  get maxConnections(): number { return this.inner.maxConnections }
  get readOnly(): boolean { return this.inner.readOnly }
  get labels(): boolean | undefined { return this.inner.labels }

  private say(text: string): void {
    this.log(`${this.inner.name}: ${text}`)
  }
  async open(): Promise<void> {
    await this.inner.open()
    this.say('opened')
  }
  capabilities(): Promise<Set<Capability>> { return this.inner.capabilities() }
  separator(): Promise<string> { return this.inner.separator() }
  get personalPrefix(): (() => Promise<string>) | undefined {
    const inner = this.inner
    return inner.personalPrefix ? () => inner.personalPrefix!() : undefined
  }
  async listFolders(): Promise<FolderInfo[]> {
    const folders = await this.inner.listFolders()
    this.say(`folders: ${folders.map((f) => f.name + (f.selectable ? '' : ' (not selectable)')).join(', ')}`)
    return folders
  }
  async createFolder(name: string): Promise<void> {
    await this.inner.createFolder(name)
    this.say(`created folder ${name}`)
  }
  async folderStatus(name: string): Promise<FolderStatus> {
    const st = await this.inner.folderStatus(name)
    this.say(`status ${name}: uidvalidity ${st.uidValidity}, uidnext ${st.uidNext}${st.changeToken ? `, token ${st.changeToken}` : ''}`)
    return st
  }
  async folderStatuses(names: readonly string[]): Promise<Map<string, FolderStatus> | undefined> {
    const all = await this.inner.folderStatuses?.(names)
    if (all) this.say(`status of ${all.size} folders in one request`)
    return all
  }
  async openFolder(name: string, opts?: { readOnly?: boolean }): Promise<FolderSession> {
    const s = await this.inner.openFolder(name, opts)
    this.say(`opened ${name}${s.readOnly ? ' read-only' : ''}: uidvalidity ${s.status.uidValidity}, uidnext ${s.status.uidNext}`)
    return new LoggingSession(s, (t) => this.say(`${name}: ${t}`))
  }
  async watch(h: WatchHandlers, o?: { folders?: readonly string[] }): Promise<StoreWatch | undefined> {
    const w = await this.inner.watch?.({ changed: (f) => { this.say(`watch: change in ${f ?? '(somewhere)'}`); h.changed(f) }, lost: h.lost }, o)
    if (w) this.say(`watch: ${w.how}`)
    return w
  }
  async keepAlive(): Promise<void> {
    await this.inner.keepAlive?.()
  }
  async missingStore(): Promise<string | undefined> {
    return this.inner.missingStore?.()
  }
  async syncedBefore(): Promise<boolean> {
    return (await this.inner.syncedBefore?.()) ?? false
  }
  async close(): Promise<void> {
    await this.inner.close()
    this.say('closed')
  }
}

class LoggingSession implements FolderSession {
  /** Only where the store has it: callers append one by one otherwise. */
  readonly appendMany?: (msgs: AppendInput[]) => Promise<AppendOutcome[]>
  /** Only where the store keeps labels, as the contract says. */
  readonly setLabels?: (uids: number[], add: string[], remove: string[]) => Promise<void>

  constructor(private readonly inner: FolderSession, private readonly say: DebugLine) {
    if (inner.setLabels) {
      const set = inner.setLabels.bind(inner)
      this.setLabels = async (uids, add, remove) => {
        await set(uids, add, remove)
        this.say(`labels of ${uidList(uids)}: +[${add.join(' ')}] -[${remove.join(' ')}]`)
      }
    }
    if (inner.appendMany) {
      const many = inner.appendMany.bind(inner)
      this.appendMany = async (msgs) => {
        const out = await many(msgs)
        out.forEach((r, i) => {
          const m = msgs[i]!
          if ('error' in r) this.say(`append of ${m.size} bytes failed: ${r.error instanceof Error ? r.error.message : String(r.error)}`)
          else this.say(`appended ${m.size} bytes as UID ${r.uid ?? '?'} flags [${m.flags.join(' ')}] date ${new Date(m.internalDate).toISOString()} (${msgs.length} in one go)`)
        })
        return out
      }
    }
  }
  get name(): string { return this.inner.name }
  get status(): FolderStatus { return this.inner.status }
  get readOnly(): boolean { return this.inner.readOnly }

  async list(opts?: ListOptions): Promise<ListResult> {
    const r = await this.inner.list(opts)
    this.say(`listed ${r.messages.length} messages${opts?.uids ? ' (some UIDs)' : ''}${opts?.withMessageId ? ' with Message-IDs' : ''}`)
    return r
  }
  async *fetch(uids: number[], opts?: FetchOptions): AsyncIterable<MessageBody> {
    this.say(`fetch ${uidList(uids)}`)
    yield* this.inner.fetch(uids, opts)
  }
  async append(msg: AppendInput): Promise<AppendResult> {
    const r = await this.inner.append(msg)
    this.say(`appended ${msg.size} bytes as UID ${r.uid ?? '?'} flags [${msg.flags.join(' ')}] date ${new Date(msg.internalDate).toISOString()}`)
    return r
  }
  async flush(): Promise<void> {
    await this.inner.flush?.()
  }
  async setFlags(uids: number[], add: string[], remove: string[]): Promise<void> {
    await this.inner.setFlags(uids, add, remove)
    this.say(`flags of ${uidList(uids)}: +[${add.join(' ')}] -[${remove.join(' ')}]`)
  }
  async delete(uids: number[]): Promise<void> {
    await this.inner.delete(uids)
    this.say(`deleted ${uidList(uids)}`)
  }
  passedOver(): PassedOver[] {
    const r = this.inner.passedOver?.() ?? []
    for (const p of r) this.say(`passed over: ${p.message}`)
    return r
  }
  async searchMessageId(messageId: string): Promise<number[]> {
    const r = await this.inner.searchMessageId(messageId)
    this.say(`search Message-ID ${messageId}: ${uidList(r)}`)
    return r
  }
  async close(): Promise<void> {
    await this.inner.close()
    this.say('closed')
  }
}

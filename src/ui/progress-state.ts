// What the progress display shows, computed from engine events only: the overall totals (planned
// and done, messages and bytes) and the folder pairs being worked on now. Pure and clock-free:
// the caller passes the time, so it is tested without waiting.
import type { EngineEvent } from '../engine/events.js'
import { folderPairName } from '../cli/format.js'

export interface FolderProgress {
  label: string
  /** Known once the folder's plan is made. */
  planned: boolean
  messagesTotal: number
  messagesDone: number
  bytesTotal: number
  bytesDone: number
}

/** The key of a folder pair in `ProgressState.active`. */
export function folderKey(account: string, folderB: string): string {
  return `${account}\0${folderB}`
}

export class ProgressState {
  messagesTotal = 0
  messagesDone = 0
  bytesTotal = 0
  bytesDone = 0
  foldersDone = 0
  errors = 0
  readonly active = new Map<string, FolderProgress>()
  private readonly multiAccount: boolean

  constructor(opts: { multiAccount?: boolean } = {}) {
    this.multiAccount = opts.multiAccount ?? false
  }

  /** Returns true when something visible changed. */
  apply(e: EngineEvent): boolean {
    switch (e.type) {
      case 'folder-start': {
        const name = folderPairName(e.folderA, e.folderB)
        const label = this.multiAccount ? `${e.account} ${name}` : name
        this.active.set(folderKey(e.account, e.folderB), { label, planned: false, messagesTotal: 0, messagesDone: 0, bytesTotal: 0, bytesDone: 0 })
        return true
      }
      case 'folder-plan': {
        const f = this.active.get(folderKey(e.account, e.folderB))
        const messages = e.copyAtoB + e.copyBtoA
        this.messagesTotal += messages
        this.bytesTotal += e.bytes
        if (f) Object.assign(f, { planned: true, messagesTotal: messages, bytesTotal: e.bytes })
        return true
      }
      case 'message-copied': {
        this.messagesDone++
        this.bytesDone += e.size
        const f = this.active.get(folderKey(e.account, e.folder))
        if (f) {
          f.messagesDone++
          f.bytesDone += e.size
        }
        return true
      }
      case 'folder-done':
      case 'folder-skip': {
        const f = this.active.get(folderKey(e.account, e.folderB))
        if (f) {
          // what was planned but not copied (failed, vanished) no longer counts as to do
          this.messagesTotal -= f.messagesTotal - f.messagesDone
          this.bytesTotal -= f.bytesTotal - f.bytesDone
        }
        this.active.delete(folderKey(e.account, e.folderB))
        this.foldersDone++
        return true
      }
      case 'error':
        this.errors++
        return true
      default:
        return false
    }
  }

  /** Bytes per second since `startedMs`, and the seconds left at that rate (undefined when unknown). */
  rate(nowMs: number, startedMs: number): { bytesPerSecond: number; etaSeconds?: number } {
    const seconds = Math.max(0.001, (nowMs - startedMs) / 1000)
    const bytesPerSecond = this.bytesDone / seconds
    const left = this.bytesTotal - this.bytesDone
    return { bytesPerSecond, etaSeconds: bytesPerSecond > 0 && this.bytesDone > 0 ? left / bytesPerSecond : undefined }
  }
}

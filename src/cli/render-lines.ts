// The plain-text view of a run: one line per finished folder, plus warnings and errors.
// Pure: an engine event in, at most one line (and the stream it belongs on) out.
import type { EngineEvent, FolderCounts } from '../engine/events.js'
import { folderPairName, formatBytes, formatMs } from './format.js'
import { visibleText } from './visible-text.js'

export type LineDetail = 'quiet' | 'normal' | 'verbose'

export interface RenderedLine {
  stream: 'stdout' | 'stderr'
  text: string
}

/** What changed in a folder, e.g. `+3 new A->B, 2 flags, 1 deleted`; `no changes` if nothing. */
export function describeCounts(c: FolderCounts): string {
  const parts: string[] = []
  if (c.copiedAtoB) parts.push(`+${c.copiedAtoB} new A->B`)
  if (c.copiedBtoA) parts.push(`+${c.copiedBtoA} new B->A`)
  if (c.adopted) parts.push(`${c.adopted} matched`)
  const flags = c.flagsAtoB + c.flagsBtoA
  if (flags) parts.push(`${flags} flags`)
  const deleted = c.deletedA + c.deletedB
  if (deleted) parts.push(`${deleted} deleted`)
  if (c.skipped) parts.push(`${c.skipped} skipped`)
  if (c.failed) parts.push(`${c.failed} failed`)
  if (c.verified) parts.push(`${c.verified} verified`)
  return parts.length ? parts.join(', ') : 'no changes'
}

function where(account?: string, folder?: string, uid?: number): string {
  const bits = [account, folder, uid === undefined ? undefined : `uid ${uid}`].filter((b) => b !== undefined && b !== '')
  return bits.length ? `${bits.join(' ')}: ` : ''
}

/** One event as one line: control characters a server put in names or texts are shown escaped. */
export function renderEventLine(e: EngineEvent, detail: LineDetail): RenderedLine | undefined {
  const line = renderEventText(e, detail)
  return line && { stream: line.stream, text: visibleText(line.text) }
}

function renderEventText(e: EngineEvent, detail: LineDetail): RenderedLine | undefined {
  if (e.type === 'error') return { stream: 'stderr', text: `error: ${where(e.account, e.folder, e.uid)}${e.message} (${e.kind})` }
  if (detail === 'quiet') return undefined
  const out = (text: string): RenderedLine => ({ stream: 'stdout', text })
  switch (e.type) {
    case 'warning':
      return { stream: 'stderr', text: `warning: ${where(e.account, e.folder)}${e.message}` }
    case 'throttled':
      return { stream: 'stderr', text: `warning: ${where(e.account, e.folder)}${e.message}` }
    case 'folder-done':
      return out(`${e.account} ${e.folderA} -> ${e.folderB}: ${describeCounts(e.counts)}${e.counts.bytes ? ` (${formatBytes(e.counts.bytes)})` : ''}, ${formatMs(e.ms)}`)
    case 'account-done':
      return e.error ? { stream: 'stderr', text: `error: ${e.account}: ${e.error}` } : undefined
    case 'run-start':
      return e.dryRun ? out(`dry run: nothing will be changed`) : undefined
    case 'uidvalidity-changed':
      return { stream: 'stderr', text: `warning: ${e.account} ${e.folder}: UIDVALIDITY changed on side ${e.side} (${e.old} -> ${e.now})` }
    default:
      return detail === 'verbose' ? renderVerbose(e) : undefined
  }
}

function uidList(uids: number[]): string {
  return uids.length > 10 ? `${uids.slice(0, 10).join(',')},... (${uids.length})` : uids.join(',')
}

function renderVerbose(e: EngineEvent): RenderedLine | undefined {
  const out = (text: string): RenderedLine => ({ stream: 'stdout', text })
  switch (e.type) {
    case 'account-start':
      return out(`${e.account}: ${e.a} <-> ${e.b}`)
    case 'folder-plan':
      return out(
        `${e.account} ${folderPairName(e.folderA, e.folderB)}: plan ${e.copyAtoB} A->B, ${e.copyBtoA} B->A, ${e.flagChanges} flag changes, ${e.deletions} deletions (${formatBytes(e.bytes)})${e.create ? `, create on ${e.create}` : ''}`,
      )
    case 'folder-skip':
      return out(`${e.account} ${folderPairName(e.folderA, e.folderB)}: skipped (${e.reason})`)
    case 'folder-create':
      return out(`${e.account}: created folder ${e.folder} on side ${e.side}`)
    case 'message-copied':
      return out(`${e.account} ${e.folder}: copied ${e.direction} uid ${e.uid}${e.newUid === undefined ? '' : ` -> ${e.newUid}`} (${formatBytes(e.size)})`)
    case 'message-adopted':
      return out(`${e.account} ${e.folder}: paired uid ${e.uidA} (A) with uid ${e.uidB} (B), already on both sides`)
    case 'flags-changed':
      return out(`${e.account} ${e.folder}: flags on side ${e.side}${e.add.length ? ` +${e.add.join(' +')}` : ''}${e.remove.length ? ` -${e.remove.join(' -')}` : ''} for uid ${uidList(e.uids)}`)
    case 'labels-changed':
      // Gmail labels (and a labels-keeping Maildir's) change apart from flags; the JSON output names them, so must the lines.
      return out(`${e.account} ${e.folder}: labels on side ${e.side}${e.add.length ? ` +${e.add.join(' +')}` : ''}${e.remove.length ? ` -${e.remove.join(' -')}` : ''} for uid ${uidList(e.uids)}`)
    case 'message-deleted':
      return out(`${e.account} ${e.folder}: deleted on side ${e.side} uid ${uidList(e.uids)}`)
    default:
      return undefined
  }
}

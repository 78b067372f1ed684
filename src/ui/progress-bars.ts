// Progress bars on a terminal (cli-progress): one overall bar and one per folder being worked on
// (the engine runs at most `maxconnections` folders at once, so that bounds the bars too). The
// text is computed at each redraw from ProgressState. Every redraw writes each line over itself
// (cursor to column 0, text, clear to the right: never a blank frame, so no flicker); forceRedraw
// is needed because a logged line moves the bars down a row, and cli-progress would otherwise skip
// the bars whose text did not change, leaving their rows empty. Lines logged meanwhile (finished folders, warnings) go above the bars, and
// stop() clears the bars so the summary follows the logged lines.
import type cliProgress from 'cli-progress'
import type { EngineEvent } from '../engine/events.js'
import { folderKey, ProgressState } from './progress-state.js'
import { folderLine, overallLine } from './progress-format.js'
import { LineBars, type Payload } from './text-bars.js'

export interface ProgressStream extends NodeJS.WritableStream {
  isTTY?: boolean
  columns?: number
}

export interface ProgressBarsOptions {
  stream: ProgressStream
  multiAccount?: boolean
  /** Clock, for tests. */
  now?: () => number
  /** Redraws per second (default 4). */
  fps?: number
}

export class ProgressBars extends LineBars {
  readonly state: ProgressState
  private readonly folders = new Map<string, cliProgress.SingleBar>()
  private readonly now: () => number
  private readonly started: number
  private readonly columns: () => number

  constructor(o: ProgressBarsOptions) {
    super(o.stream, o.fps)
    this.state = new ProgressState({ multiAccount: o.multiAccount })
    this.now = o.now ?? Date.now
    this.started = this.now()
    this.columns = () => Math.max(20, (o.stream.columns || 80) - 1)
    const overall: Payload = { line: () => overallLine(this.state, this.now(), this.started, this.columns()) }
    this.multibar.create(1, 0, overall)
  }

  handle(e: EngineEvent): void {
    if (this.stopped || !this.state.apply(e)) return
    if (e.type === 'folder-start') {
      const key = folderKey(e.account, e.folderB)
      const line = (): string => {
        const f = this.state.active.get(key)
        const width = Math.min(30, Math.max(8, ...[...this.state.active.values()].map((x) => x.label.length)))
        return f ? folderLine(f, width, this.columns()) : ''
      }
      this.folders.set(key, this.multibar.create(1, 0, { line } satisfies Payload))
    } else if (e.type === 'folder-done' || e.type === 'folder-skip') {
      const key = folderKey(e.account, e.folderB)
      const bar = this.folders.get(key)
      if (bar) this.multibar.remove(bar)
      this.folders.delete(key)
    }
  }
}

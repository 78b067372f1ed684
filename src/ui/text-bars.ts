// The cli-progress MultiBar both kinds of progress bars draw with: every bar's text is a line
// computed at each redraw (Payload.line), written over itself at `fps` redraws per second
// (forceRedraw: see progress-bars.ts for why), cleared when stopped; and what both do with it:
// log a line above the bars, redraw now, stop.
import cliProgress from 'cli-progress'

export type Payload = { line: () => string }

export function textBars(stream: NodeJS.WritableStream, fps = 4): cliProgress.MultiBar {
  return new cliProgress.MultiBar({
    stream,
    format: (_opts, _params, payload: Payload) => payload.line(),
    fps,
    forceRedraw: true,
    hideCursor: true,
    clearOnComplete: true,
    linewrap: false,
    autopadding: false,
    gracefulExit: true,
    noTTYOutput: false,
  })
}

export class LineBars {
  protected readonly multibar: cliProgress.MultiBar
  protected stopped = false

  constructor(stream: NodeJS.WritableStream, fps?: number) {
    this.multibar = textBars(stream, fps)
  }

  /** A line above the bars (shown at the next redraw). */
  log(line: string): void {
    if (this.stopped) return
    this.multibar.log(line.endsWith('\n') ? line : line + '\n')
  }

  /** Redraw now (tests; cli-progress also redraws on its own timer). */
  redraw(): void {
    if (!this.stopped) this.multibar.update()
  }

  /** Flush logged lines, then clear the bars for good. */
  stop(): void {
    if (this.stopped) return
    this.multibar.update()
    this.stopped = true
    this.multibar.stop()
  }
}

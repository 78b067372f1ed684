// The text of the progress bars: one overall line and one line per active folder. Pure.
import { formatBytes } from '../cli/format.js'
import type { FolderProgress, ProgressState } from './progress-state.js'

export function bar(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0))
  const full = Math.round(f * width)
  return '█'.repeat(full) + '░'.repeat(width - full)
}

export function formatEta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '--'
  const s = Math.round(seconds)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}

/** `text` cut to `columns` characters, an ellipsis marking the cut. */
export function fit(text: string, columns: number): string {
  return text.length <= columns ? text : text.slice(0, Math.max(0, columns - 1)) + '…'
}

export function overallLine(s: ProgressState, nowMs: number, startedMs: number, columns: number): string {
  const { bytesPerSecond, etaSeconds } = s.rate(nowMs, startedMs)
  const fraction = s.bytesTotal > 0 ? s.bytesDone / s.bytesTotal : s.messagesTotal > 0 ? s.messagesDone / s.messagesTotal : 0
  const text = `total ${bar(fraction, 20)} ${s.messagesDone}/${s.messagesTotal} msgs  ${formatBytes(s.bytesDone)}/${formatBytes(s.bytesTotal)}  ${formatBytes(Math.round(bytesPerSecond))}/s  ETA ${formatEta(etaSeconds)}  ${s.foldersDone} folders done${s.errors ? `  ${s.errors} errors` : ''}`
  return fit(text, columns)
}

export function folderLine(f: FolderProgress, labelWidth: number, columns: number): string {
  const label = fit(f.label, labelWidth).padEnd(labelWidth)
  if (!f.planned) return fit(`  ${label} ${bar(0, 20)} comparing...`, columns)
  if (f.messagesTotal === 0) return fit(`  ${label} ${bar(1, 20)} flags and deletions`, columns)
  const fraction = f.bytesTotal > 0 ? f.bytesDone / f.bytesTotal : f.messagesDone / f.messagesTotal
  return fit(`  ${label} ${bar(fraction, 20)} ${f.messagesDone}/${f.messagesTotal} msgs  ${formatBytes(f.bytesDone)}/${formatBytes(f.bytesTotal)}`, columns)
}

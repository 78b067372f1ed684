// Writing one corpus message to a file: rendered in memory when small, streamed when large;
// the file's mtime is the message's internal date (how Maildir keeps it).
import { createWriteStream, writeFileSync, utimesSync, mkdirSync, chownSync, readdirSync, lstatSync } from 'node:fs'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { renderMessage, messageStream } from './corpus-render.js'
import type { CorpusMessage } from './corpus.js'

const STREAM_ABOVE = 8 * 1024 * 1024

export async function writeMessageFile(path: string, m: CorpusMessage): Promise<void> {
  if (m.size > STREAM_ABOVE) await pipeline(messageStream(m), createWriteStream(path, { flags: 'wx' }))
  else writeFileSync(path, renderMessage(m), { flag: 'wx' })
  const t = m.internalDate.getTime() / 1000
  utimesSync(path, t, t)
}

/** Creates `dir` with cur/, new/ and tmp/ below it. */
export function makeMaildirFolder(dir: string): void {
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(dir, sub), { recursive: true })
}

/** `chown -R uid:gid path` (no symlinks followed). */
export function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid)
  if (!lstatSync(path).isDirectory()) return
  for (const e of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, e.name)
    if (e.isDirectory()) chownTree(p, uid, gid)
    else chownSync(p, uid, gid)
  }
}

/** Maildir letters for system flags, sorted; `forwardedAsP` maps $Forwarded to P (mail readers). */
export function systemLetters(m: CorpusMessage, forwardedAsP: boolean): string {
  const map: Record<string, string> = { '\\Draft': 'D', '\\Flagged': 'F', '\\Answered': 'R', '\\Seen': 'S', '\\Deleted': 'T' }
  const letters = m.flags.map((f) => map[f]).filter((l): l is string => l !== undefined)
  if (forwardedAsP && m.keywords.includes('$Forwarded')) letters.push('P')
  return letters.sort().join('')
}

/**
 * Keyword -> letter (a, b, ...) for one folder, in a fixed order, plus the `dovecot-keywords`
 * file text (`<index> <keyword>` lines).
 */
export function keywordLetters(messages: readonly CorpusMessage[], skip: readonly string[]): { letters: Map<string, string>; file: string } {
  const all = new Set<string>()
  for (const m of messages) for (const k of m.keywords) if (!skip.includes(k)) all.add(k)
  const sorted = [...all].sort()
  if (sorted.length > 26) throw new Error(`more than 26 keywords in one folder: ${sorted.length}`)
  const letters = new Map(sorted.map((k, i) => [k, String.fromCharCode(0x61 + i)]))
  return { letters, file: sorted.map((k, i) => `${i} ${k}\n`).join('') }
}

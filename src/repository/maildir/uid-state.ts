// Per-folder UID state: `<folder dir>/.mailsync-uidvalidity`.
//   line 1: `<uidvalidity> <nextuid>`
//   then one `<letter> <keyword>` line per keyword letter this program assigned in the folder.
// Always replaced atomically (temp file + fsync + rename + directory fsync).
import { readFileSync } from 'node:fs'
import { randomInt } from 'node:crypto'
import { join } from 'node:path'
import { MailsyncError } from '../../errors.js'
import { isKeywordLetter } from './keywords.js'
import { statePoint } from '../../crash-point.js'
import { isMissing, diskError, writeFileAtomic } from './fs-safe.js'

export const UID_STATE_FILE = '.mailsync-uidvalidity'

export interface UidState {
  uidValidity: number
  /** Every UID handed out in this folder so far is below this. */
  nextUid: number
  keywords: [string, string][]
}

export function uidStatePath(folderDir: string): string {
  return join(folderDir, UID_STATE_FILE)
}

/** The folder's state, or undefined when there is none (or the file is empty, as after a crash). */
/**
 * Read synchronously: the file is a few lines, and a thread-pool round trip per folder cost more
 * than the read (a no-change run reads one per folder).
 */
export function readUidState(folderDir: string): UidState | undefined {
  const path = uidStatePath(folderDir)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    if (isMissing(e)) return undefined
    throw diskError('read', path, e)
  }
  if (text.trim() === '') return undefined
  return parseUidState(text, path)
}

export function parseUidState(text: string, path = UID_STATE_FILE): UidState {
  const lines = text.split('\n').filter((l) => l.trim() !== '')
  const corrupt = (why: string) =>
    new MailsyncError('data', `corrupt Maildir UID state ${path}: ${why}`, {
      hint: 'move the file away: a new UIDVALIDITY is then made and the folder is matched again',
    })
  const head = /^([0-9]{1,10}) ([0-9]{1,10})$/.exec(lines[0]?.trim() ?? '')
  if (!head) throw corrupt('first line must be "<uidvalidity> <nextuid>"')
  const uidValidity = Number(head[1])
  const nextUid = Number(head[2])
  if (uidValidity < 1 || uidValidity > 0xffffffff) throw corrupt('UIDVALIDITY out of range')
  if (nextUid < 1 || nextUid > 0xffffffff) throw corrupt('next UID out of range')
  const keywords: [string, string][] = []
  for (const line of lines.slice(1)) {
    const m = /^([a-z]) (\S+)$/.exec(line.trim())
    if (!m || !isKeywordLetter(m[1])) throw corrupt(`bad keyword line "${line}"`)
    keywords.push([m[1], m[2]])
  }
  return { uidValidity, nextUid, keywords }
}

export function formatUidState(state: UidState): string {
  const lines = [`${state.uidValidity} ${state.nextUid}`]
  for (const [letter, keyword] of state.keywords) lines.push(`${letter} ${keyword}`)
  return lines.join('\n') + '\n'
}

export async function writeUidState(folderDir: string, state: UidState): Promise<void> {
  await writeFileAtomic(uidStatePath(folderDir), formatUidState(state))
  statePoint('maildir-uid-state')
}

let lastUidValidity = 0

/**
 * A fresh UIDVALIDITY: random (1 .. 2^31-1), never the same twice in one process. Not the time:
 * two folders made in the same second by two processes would share it, and a status cache that
 * outlived a folder could then take the new, empty folder for the old one with its mail deleted.
 */
export function newUidValidity(): number {
  let v: number
  do v = randomInt(1, 0x7fffffff)
  while (v === lastUidValidity)
  lastUidValidity = v
  return v
}

/**
 * mbsync's own UID file in a folder it keeps (`.uidvalidity`: its UIDVALIDITY, then the highest
 * UID it gave). It refuses a folder holding a U= above that number, so while we hand out UIDs in
 * such a folder the number is raised to match: mbsync then still works on the Maildir (it sees
 * our messages as new ones). Absent or unreadable files are left alone.
 */
export const MBSYNC_UID_FILE = '.uidvalidity'

export async function keepMbsyncMaxUid(folderDir: string, highestUid: number): Promise<void> {
  const path = join(folderDir, MBSYNC_UID_FILE)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return
  }
  const m = /^(\d+)\n(\d+)\n?$/.exec(text)
  if (!m || Number(m[2]) >= highestUid) return
  await writeFileAtomic(path, `${m[1]}\n${highestUid}\n`)
}

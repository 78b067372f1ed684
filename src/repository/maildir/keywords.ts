// Keyword letters: Maildir keeps keywords as lowercase letters a-z in the `2,` info; which letter
// means which keyword is a per-folder map (like Dovecot's dovecot-keywords). The repository's
// configured letters win; letters this program assigned itself are stored in the folder's state.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { MailsyncError } from '../../errors.js'

export const KEYWORD_LETTERS = 'abcdefghijklmnopqrstuvwxyz'

export function isKeywordLetter(c: string): boolean {
  return c.length === 1 && c >= 'a' && c <= 'z'
}

/** Letter -> keyword for one folder: configured letters first, then the folder's own. */
export class KeywordMap {
  private readonly configured: Map<string, string>
  private readonly own: Map<string, string>

  constructor(configured: Record<string, string> = {}, own: Iterable<[string, string]> = []) {
    this.configured = new Map()
    for (const [letter, keyword] of Object.entries(configured)) {
      if (!isKeywordLetter(letter)) throw new MailsyncError('config', `keyword letter "${letter}" must be one of a-z`)
      checkKeyword(keyword, 'config')
      this.configured.set(letter, keyword)
    }
    this.own = new Map()
    this.adopt(own)
  }

  /** Take over letters assigned elsewhere (state file, dovecot-keywords) where they do not clash. */
  adopt(entries: Iterable<[string, string]>): void {
    for (const [letter, keyword] of entries) {
      if (!isKeywordLetter(letter) || this.keywordFor(letter) !== undefined) continue
      if (this.letterFor(keyword) === undefined) this.own.set(letter, keyword)
    }
  }

  keywordFor(letter: string): string | undefined {
    return this.configured.get(letter) ?? this.own.get(letter)
  }

  /** IMAP keywords compare without regard to case. */
  letterFor(keyword: string): string | undefined {
    const k = keyword.toLowerCase()
    for (const [letter, kw] of this.configured) if (kw.toLowerCase() === k) return letter
    for (const [letter, kw] of this.own) if (kw.toLowerCase() === k) return letter
    return undefined
  }

  /**
   * The letter for `keyword`, giving it the first free letter when it has none yet.
   * Returns `added: true` when the caller must persist `ownEntries()` before using the letter.
   */
  assign(keyword: string): { letter: string; added: boolean } {
    const known = this.letterFor(keyword)
    if (known !== undefined) return { letter: known, added: false }
    checkKeyword(keyword, 'data')
    for (const letter of KEYWORD_LETTERS) {
      if (!this.configured.has(letter) && !this.own.has(letter)) {
        this.own.set(letter, keyword)
        return { letter, added: true }
      }
    }
    throw new MailsyncError('data', `no free Maildir keyword letter for "${keyword}" (all 26 of a-z are taken)`, {
      hint: 'remove unused keywords from the folder state file, or map fewer keywords',
    })
  }

  /** The letters this folder assigned itself (what the state file stores). */
  ownEntries(): [string, string][] {
    return [...this.own].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  }
}

function checkKeyword(keyword: string, kind: 'config' | 'data'): void {
  if (keyword.length === 0 || /[\s\x00-\x1f\x7f()[{%*"\\\]]/.test(keyword) || keyword.startsWith('\\')) {
    throw new MailsyncError(kind, `"${keyword}" is not a valid IMAP keyword`)
  }
}

/**
 * Dovecot's `dovecot-keywords` file (`<index> <keyword>` lines, index 0 = letter a), so a folder
 * Dovecot wrote keeps its meaning. Missing or unreadable file: no entries.
 */
export async function readDovecotKeywords(folderDir: string): Promise<[string, string][]> {
  let text: string
  try {
    text = await readFile(join(folderDir, 'dovecot-keywords'), 'utf8')
  } catch {
    return []
  }
  const out: [string, string][] = []
  for (const line of text.split('\n')) {
    const m = /^([0-9]+) (\S+)$/.exec(line.trim())
    if (!m) continue
    const i = Number(m[1])
    if (i < KEYWORD_LETTERS.length) out.push([KEYWORD_LETTERS[i], m[2]])
  }
  return out
}

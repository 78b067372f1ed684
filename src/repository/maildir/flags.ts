// Maildir flag letters <-> IMAP flags. Uppercase letters are fixed (Maildir spec plus P for
// $Forwarded); lowercase letters are keywords through the folder's KeywordMap. Letters we cannot
// name (an unknown uppercase letter, a lowercase letter with no keyword) are never dropped: they
// stay in the file name through every rename.
import { normalizeFlags } from '../types.js'
import { isKeywordLetter, type KeywordMap } from './keywords.js'
import { sortFlagLetters } from './filename.js'

const LETTER_TO_FLAG: Record<string, string> = {
  D: '\\Draft',
  F: '\\Flagged',
  P: '$Forwarded',
  R: '\\Answered',
  S: '\\Seen',
  T: '\\Deleted',
}
const FLAG_TO_LETTER = new Map(Object.entries(LETTER_TO_FLAG).map(([l, f]) => [f.toLowerCase(), l]))

/** IMAP flags (sorted, as `normalizeFlags` spells them) for the letters of a file name. */
export function lettersToFlags(letters: string, keywords: KeywordMap): string[] {
  const out: string[] = []
  for (const c of letters) {
    const sys = LETTER_TO_FLAG[c]
    if (sys) out.push(sys)
    else if (isKeywordLetter(c)) {
      const kw = keywords.keywordFor(c)
      if (kw !== undefined) out.push(kw)
    }
  }
  return normalizeFlags(out)
}

/** The letter of a fixed flag (`\Seen` -> `S`, `$Forwarded` -> `P`), or undefined. */
export function systemLetter(flag: string): string | undefined {
  return FLAG_TO_LETTER.get(flag.toLowerCase())
}

/** Flags that have no place in a file name (session state, not message state). */
function isIgnoredFlag(flag: string): boolean {
  const f = flag.toLowerCase()
  return f === '\\recent' || f === '\\*'
}

/**
 * New letters for a file after adding and removing IMAP flags. Keywords without a letter get one
 * (`keywords.assign`); `keywordsAdded` tells the caller to persist the map before renaming.
 */
export function applyFlagChange(
  letters: string,
  add: string[],
  remove: string[],
  keywords: KeywordMap,
): { letters: string; keywordsAdded: boolean } {
  const set = new Set(letters)
  let keywordsAdded = false
  for (const flag of remove) {
    if (isIgnoredFlag(flag)) continue
    const letter = systemLetter(flag) ?? keywords.letterFor(flag)
    if (letter !== undefined) set.delete(letter)
  }
  for (const flag of add) {
    if (isIgnoredFlag(flag)) continue
    let letter = systemLetter(flag)
    if (letter === undefined) {
      if (flag.startsWith('\\')) continue // an unknown system flag cannot be stored; ignore it
      const r = keywords.assign(flag)
      letter = r.letter
      keywordsAdded ||= r.added
    }
    set.add(letter)
  }
  return { letters: sortFlagLetters([...set].join('')), keywordsAdded }
}

/** Letters for a new message's flags (append). */
export function flagsToLetters(flags: string[], keywords: KeywordMap): { letters: string; keywordsAdded: boolean } {
  return applyFlagChange('', flags, [], keywords)
}

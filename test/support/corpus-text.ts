// Pseudo-text for generated messages: words drawn from small vocabularies, laid out in CRLF lines
// of exactly the requested byte length (so a message's size is known before it is rendered).
import type { SeededRandom } from './seeded-random.js'

const WORDS = (
  'the a of and to in for on with from about meeting report budget quarter review team project ' +
  'release schedule update invoice order delivery customer server backup mailbox folder message ' +
  'please thanks regards tomorrow today next week monday friday draft final version notes agenda ' +
  'question answer proposal contract payment account travel hotel ticket photo family weekend ' +
  'dinner party garden holiday summer winter plan idea change issue fix test build deploy'
).split(' ')
const WORDS_8BIT = 'Grüße für über schön Bücher Straße Käse Müller Größe naïve café señor déjà Zürich Ærø'.split(' ')
const NAMES = ['Anna Schmidt', 'Bob Miller', 'Chen Wei', 'Dana Kowalski', 'Erik Larsen', 'Fatima Khan', 'Giulia Rossi', 'Hiro Tanaka']
const NAMES_8BIT = ['Jürgen Weiß', 'Zoë Brontë', 'José Muñoz', 'Åsa Öberg', 'François Lefèvre']
// Characters that ISO-8859-1 can hold, so the raw latin1 bytes round-trip.
const SUBJECTS_8BIT = ['Grüße aus München', 'Café-Rechnung für Jürgen', 'Réunion à Genève', 'Smörgåsbord-Einladung', 'Übersicht Ärger & Öl']

const LINE_BYTES = 72
const ASCII_PAD = 'Lorem ipsum filler text for the exact message size. '

export interface TextOptions {
  /** Allow UTF-8 words (for 8bit parts). */
  utf8: boolean
}

export function pickName(rng: SeededRandom, eightBit: boolean): string {
  return eightBit ? rng.pick(NAMES_8BIT) : rng.pick(NAMES)
}

export function pickSubject(rng: SeededRandom, eightBit: boolean): string {
  if (eightBit) return rng.pick(SUBJECTS_8BIT)
  const n = rng.int(3, 7)
  const words: string[] = []
  for (let i = 0; i < n; i++) words.push(rng.pick(WORDS))
  const s = words.join(' ')
  return s[0]!.toUpperCase() + s.slice(1)
}

export function sentence(rng: SeededRandom, words: number, opts: TextOptions = { utf8: false }): string {
  const out: string[] = []
  for (let i = 0; i < words; i++) out.push(opts.utf8 && rng.chance(0.08) ? rng.pick(WORDS_8BIT) : rng.pick(WORDS))
  return out.join(' ')
}

/** Text of exactly `bytes` bytes (UTF-8), in lines of at most 72 bytes ending in CRLF. */
export function fillerText(rng: SeededRandom, bytes: number, opts: TextOptions): string {
  if (bytes < 0 || !Number.isInteger(bytes)) throw new Error(`filler length must be a non-negative integer, got ${bytes}`)
  const lines: string[] = []
  let total = 0
  for (;;) {
    let line = ''
    let lineBytes = 0
    for (;;) {
      const w = opts.utf8 && rng.chance(0.08) ? rng.pick(WORDS_8BIT) : rng.pick(WORDS)
      const wb = Buffer.byteLength(w) + (lineBytes ? 1 : 0)
      if (lineBytes + wb > LINE_BYTES) break
      line += (lineBytes ? ' ' : '') + w
      lineBytes += wb
    }
    if (rng.chance(0.1)) {
      line = ''
      lineBytes = 0 // paragraph break
    }
    if (total + lineBytes + 2 > bytes) break
    lines.push(line, '\r\n')
    total += lineBytes + 2
  }
  const rest = bytes - total
  if (rest >= 2) lines.push(asciiPad(rest - 2), '\r\n')
  else if (rest === 1) lines.push('.')
  return lines.join('')
}

function asciiPad(n: number): string {
  return ASCII_PAD.repeat(Math.ceil(n / ASCII_PAD.length) + 1).slice(0, n)
}

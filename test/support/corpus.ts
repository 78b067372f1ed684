// A deterministic test corpus: the plan (folders and one small descriptor per message) is built
// from a seed; bodies are rendered on demand, one message at a time (corpus-render.ts), so even a
// 100,000-message corpus costs only its descriptors in memory.
import { SeededRandom, mixSeed } from './seeded-random.js'
import { corpusFolders, type CorpusFolder } from './corpus-folders.js'

export type SizeClass = 'small' | 'medium' | 'large' | 'xlarge' | 'huge' | 'giant'
export type BodyKind = 'plain' | 'alternative' | 'mixed'
/** How the Subject/From headers are written: plain ASCII, raw UTF-8 bytes, raw ISO-8859-1 bytes, RFC 2047. */
export type HeaderStyle = 'ascii' | 'utf8-raw' | 'latin1-raw' | 'encoded-words'
/** Messages that must exist in every corpus large enough to hold them. */
export type SpecialFeature =
  | 'no-message-id' | 'dup-id-other-folder-a' | 'dup-id-other-folder-b' | 'dup-id-same-folder-a'
  | 'dup-id-same-folder-b' | 'utf8-header' | 'latin1-header' | 'encoded-words' | 'over-1mb'
  | 'about-1kb' | 'attachment' | 'alternative' | 'large-message'

export interface CorpusMessage {
  /** 0-based position in the whole corpus. */
  index: number
  folder: string
  /** 0-based position in its folder: the append order (so UID order on a fresh server). */
  folderIndex: number
  /** Exact byte length of renderMessage(this). */
  size: number
  sizeClass: SizeClass
  kind: BodyKind
  headerStyle: HeaderStyle
  /** System flags, e.g. ['\\Seen', '\\Answered']. */
  flags: string[]
  /** Keywords, e.g. ['$Forwarded', 'Work']. */
  keywords: string[]
  /** Internal date, whole seconds; the Date header names the same instant. */
  internalDate: Date
  /** Offset of the Date header's zone from UTC, in minutes. */
  zoneOffsetMinutes: number
  /** Message-ID with angle brackets, or null for the message without one. */
  messageId: string | null
  /** Seed of this message's content (render needs nothing else). */
  seed: number
  special?: SpecialFeature
}

export interface Corpus {
  seed: number
  /** Folder names ('/' between levels), each holding at least zero messages. */
  folders: string[]
  messages: CorpusMessage[]
  totalBytes: number
}

export interface CorpusOptions {
  seed: number
  messages: number
  /** Number of folders (default 15: the default tree; more adds lists and archives). */
  folders?: number
  /** Upper bound of the random sizes in bytes (default 4 MiB); not applied to largeMessageSize. */
  maxSize?: number
  /** Adds one message of this many bytes (e.g. 100 MiB) to INBOX, for memory tests. */
  largeMessageSize?: number
}

export const MIN_MESSAGE_SIZE = 1024
const KIB = 1024
const MIB = 1024 * 1024

const SIZE_CLASSES: readonly (readonly [readonly [SizeClass, number, number], number])[] = [
  [['small', 1 * KIB, 8 * KIB], 0.6365],
  [['medium', 8 * KIB, 40 * KIB], 0.25],
  [['large', 40 * KIB, 200 * KIB], 0.1],
  [['xlarge', 200 * KIB, 1 * MIB], 0.0125],
  [['huge', 1 * MIB, 4 * MIB], 0.001],
]

interface SpecialSpec {
  feature: SpecialFeature
  folder: string
  size?: number
  kind?: BodyKind
  headerStyle?: HeaderStyle
}

const SPECIALS: readonly SpecialSpec[] = [
  { feature: 'no-message-id', folder: 'Drafts', size: 3 * KIB, kind: 'plain' },
  { feature: 'dup-id-other-folder-a', folder: 'INBOX', size: 5 * KIB, kind: 'plain' },
  { feature: 'dup-id-other-folder-b', folder: 'Archive', size: 9 * KIB, kind: 'alternative' },
  { feature: 'dup-id-same-folder-a', folder: 'Projects/Alpha', size: 4 * KIB, kind: 'plain' },
  { feature: 'dup-id-same-folder-b', folder: 'Projects/Alpha', size: 6 * KIB, kind: 'plain' },
  { feature: 'utf8-header', folder: 'INBOX', size: 7 * KIB, kind: 'plain', headerStyle: 'utf8-raw' },
  { feature: 'latin1-header', folder: 'Old Mail 2019', size: 5 * KIB, kind: 'plain', headerStyle: 'latin1-raw' },
  { feature: 'encoded-words', folder: 'Friends & Family', size: 12 * KIB, kind: 'alternative', headerStyle: 'encoded-words' },
  { feature: 'over-1mb', folder: 'Archive', size: 1536 * KIB, kind: 'mixed' },
  { feature: 'about-1kb', folder: 'INBOX', size: MIN_MESSAGE_SIZE, kind: 'plain' },
  { feature: 'attachment', folder: 'Projects/Beta', size: 60 * KIB, kind: 'mixed' },
  { feature: 'alternative', folder: 'Lists/dev-announce', size: 14 * KIB, kind: 'alternative' },
]

function checkOptions(o: CorpusOptions): void {
  const int = (name: string, v: number | undefined, min: number): void => {
    if (v !== undefined && (!Number.isSafeInteger(v) || v < min)) throw new Error(`corpus option ${name} must be an integer >= ${min}, got ${v}`)
  }
  if (!Number.isSafeInteger(o.seed)) throw new Error(`corpus option seed must be an integer, got ${o.seed}`)
  int('messages', o.messages, 0)
  if (o.messages === undefined) throw new Error('corpus option messages is required')
  int('folders', o.folders, 1)
  int('maxSize', o.maxSize, MIN_MESSAGE_SIZE)
  int('largeMessageSize', o.largeMessageSize, MIN_MESSAGE_SIZE)
  if (o.largeMessageSize !== undefined && o.messages < 1) throw new Error('largeMessageSize needs messages >= 1')
}

function kindFor(rng: SeededRandom, size: number): BodyKind {
  if (size < 3 * KIB) return 'plain'
  if (size < 8 * KIB) return rng.chance(0.6) ? 'plain' : 'alternative'
  if (size < 40 * KIB) return rng.weighted([['plain', 3], ['alternative', 3], ['mixed', 4]] as const)
  if (size < 200 * KIB) return rng.chance(0.8) ? 'mixed' : 'alternative'
  return 'mixed'
}

function flagsFor(rng: SeededRandom, folder: string, special?: SpecialFeature): { flags: string[]; keywords: string[] } {
  const flags = new Set<string>()
  const keywords = new Set<string>()
  if (folder === 'Drafts' || special === 'no-message-id') {
    flags.add('\\Draft')
    if (rng.chance(0.5)) flags.add('\\Seen')
  } else if (folder === 'Sent') {
    flags.add('\\Seen')
  } else if (folder === 'Junk') {
    keywords.add('$Junk')
    if (rng.chance(0.3)) flags.add('\\Seen')
  } else {
    if (rng.chance(folder === 'INBOX' ? 0.7 : 0.9)) flags.add('\\Seen')
    if (rng.chance(0.12)) flags.add('\\Answered')
    if (rng.chance(0.05)) flags.add('\\Flagged')
    if (rng.chance(0.04)) keywords.add('$Forwarded')
    if (rng.chance(folder.startsWith('Projects/') ? 0.3 : 0.03)) keywords.add('Work')
    if (rng.chance(0.04)) keywords.add('Important')
  }
  return { flags: [...flags].sort(), keywords: [...keywords].sort() }
}

function dateIn(rng: SeededRandom, years: readonly [number, number]): Date {
  const start = Date.UTC(years[0], 0, 1) / 1000
  const end = Date.UTC(years[1] + 1, 0, 1) / 1000
  return new Date((start + Math.floor(rng.next() * (end - start))) * 1000)
}

const ZONES = [0, 0, 60, 120, -300, -480, 330, 540, -240, 60]

/** The indices that carry the special messages: spread evenly over the corpus. */
function specialSlots(n: number, count: number): Map<number, number> {
  const slots = new Map<number, number>()
  const k = Math.min(n, count)
  for (let i = 0; i < k; i++) slots.set(Math.floor(((i + 0.5) * n) / k), i)
  return slots
}

export function generateCorpus(opts: CorpusOptions): Corpus {
  checkOptions(opts)
  const rng = new SeededRandom(mixSeed(opts.seed, 0xc0))
  const folders: CorpusFolder[] = corpusFolders(opts.folders)
  const byName = new Map(folders.map((f) => [f.name, f]))
  const folderChoices = folders.map((f) => [f, f.weight] as const)
  const maxSize = opts.maxSize ?? 4 * MIB
  const specials = [...SPECIALS]
  if (opts.largeMessageSize !== undefined) {
    specials.splice(0, 0, { feature: 'large-message', folder: 'INBOX', size: opts.largeMessageSize, kind: 'mixed' })
  }
  const slots = specialSlots(opts.messages, specials.length)
  const messages: CorpusMessage[] = []
  for (let index = 0; index < opts.messages; index++) {
    const slot = slots.get(index)
    const spec = slot === undefined ? undefined : specials[slot]
    const folder = spec ? (byName.get(spec.folder) ?? folders[0]!) : rng.weighted(folderChoices)
    let sizeClass: SizeClass
    let size: number
    if (spec?.size !== undefined) {
      size = spec.feature === 'large-message' ? spec.size : Math.min(spec.size, maxSize)
      sizeClass = spec.feature === 'large-message' ? 'giant' : classOf(size)
    } else {
      const [cls, lo, hi] = rng.weighted(SIZE_CLASSES)
      sizeClass = cls
      size = Math.min(rng.logUniform(lo, hi), maxSize)
    }
    const kind = spec?.kind ?? kindFor(rng, size)
    const headerStyle = spec?.headerStyle ?? rng.weighted([['ascii', 80], ['encoded-words', 8], ['utf8-raw', 8], ['latin1-raw', 4]] as const)
    const { flags, keywords } = flagsFor(rng, folder.name, spec?.feature)
    const seed = mixSeed(opts.seed, index, 0x3e55)
    messages.push({
      index, folder: folder.name, folderIndex: 0, size, sizeClass, kind, headerStyle, flags, keywords,
      internalDate: dateIn(rng, folder.years), zoneOffsetMinutes: rng.pick(ZONES),
      messageId: messageIdFor(opts.seed, index, spec?.feature), seed,
      ...(spec ? { special: spec.feature } : {}),
    })
  }
  orderWithinFolders(messages)
  return {
    seed: opts.seed,
    folders: folders.map((f) => f.name),
    messages,
    totalBytes: messages.reduce((s, m) => s + m.size, 0),
  }
}

function classOf(size: number): SizeClass {
  for (const [[cls, lo, hi]] of SIZE_CLASSES) if (size >= lo && size < hi) return cls
  return size < MIN_MESSAGE_SIZE ? 'small' : 'huge'
}

function messageIdFor(seed: number, index: number, feature?: SpecialFeature): string | null {
  if (feature === 'no-message-id') return null
  if (feature === 'dup-id-other-folder-a' || feature === 'dup-id-other-folder-b') return `<dup-across.${seed}@corpus.example.org>`
  if (feature === 'dup-id-same-folder-a' || feature === 'dup-id-same-folder-b') return `<dup-within.${seed}@corpus.example.org>`
  return `<${seed}.${index}.${mixSeed(seed, index).toString(36)}@corpus.example.org>`
}

/** Per folder: append order follows the internal date (oldest first), as a real mailbox would. */
function orderWithinFolders(messages: CorpusMessage[]): void {
  const groups = new Map<string, CorpusMessage[]>()
  for (const m of messages) {
    const g = groups.get(m.folder)
    if (g) g.push(m)
    else groups.set(m.folder, [m])
  }
  for (const g of groups.values()) {
    const dates = g.map((m) => m.internalDate).sort((a, b) => a.getTime() - b.getTime())
    g.forEach((m, i) => {
      m.internalDate = dates[i]!
      m.folderIndex = i
    })
  }
}

/** The messages of one folder in append order. */
export function messagesIn(corpus: Corpus, folder: string): CorpusMessage[] {
  return corpus.messages.filter((m) => m.folder === folder)
}

export { renderMessage, messageChunks, messageStream } from './corpus-render.js'

// The folder tree of a generated corpus. Logical names use '/' between levels; writers convert
// to the server's delimiter or the Maildir layout. Parents such as "Projects" are not folders of
// their own (they exist only through their children), as on many real servers.

export interface CorpusFolder {
  /** Logical name, '/' between levels. */
  name: string
  /** Relative share of the messages. */
  weight: number
  /** Years the internal dates fall into (inclusive). */
  years: readonly [number, number]
}

const RECENT: readonly [number, number] = [2024, 2025]

/** The default tree, most important first: `folders: n` below 15 keeps the first n. */
export const DEFAULT_FOLDERS: readonly CorpusFolder[] = [
  { name: 'INBOX', weight: 24, years: RECENT },
  { name: 'Archive', weight: 14, years: [2020, 2022] },
  { name: 'Sent', weight: 8, years: RECENT },
  { name: 'Drafts', weight: 1, years: RECENT },
  { name: 'Trash', weight: 3, years: RECENT },
  { name: 'Junk', weight: 2, years: RECENT },
  { name: 'Projects/Alpha', weight: 5, years: [2023, 2025] },
  { name: 'Friends & Family', weight: 3, years: [2019, 2025] },
  { name: 'Entwürfe', weight: 1, years: [2022, 2025] },
  { name: 'Archive/2023', weight: 11, years: [2023, 2023] },
  { name: 'Archive/2024', weight: 11, years: [2024, 2024] },
  { name: 'INBOX/Receipts', weight: 4, years: [2021, 2025] },
  { name: 'Projects/Beta', weight: 4, years: [2023, 2025] },
  { name: 'Lists/dev-announce', weight: 6, years: [2019, 2025] },
  { name: 'Old Mail 2019', weight: 3, years: [2019, 2019] },
]

/** Folders beyond the default tree (for 100,000-message corpora): lists and yearly archives. */
function extraFolder(i: number): CorpusFolder {
  switch (i % 3) {
    case 0:
      return { name: `Lists/list-${String(i).padStart(3, '0')}`, weight: 3, years: [2019, 2025] }
    case 1:
      return { name: `Archive/${2000 + (i % 19)}/Batch ${i}`, weight: 3, years: [2000 + (i % 19), 2000 + (i % 19)] }
    default:
      return { name: `Projects/P${i}/Notes`, weight: 2, years: [2021, 2025] }
  }
}

export function corpusFolders(count: number = DEFAULT_FOLDERS.length): CorpusFolder[] {
  if (!Number.isInteger(count) || count < 1) throw new Error(`folders must be a positive integer, got ${count}`)
  if (count <= DEFAULT_FOLDERS.length) return DEFAULT_FOLDERS.slice(0, count)
  const out = [...DEFAULT_FOLDERS]
  for (let i = 0; out.length < count; i++) out.push(extraFolder(i))
  return out
}

// Writers that put a corpus straight onto disk:
//  writeMaildir: a Maildir tree as a mail reader leaves it (no ,U= in names; keywords as letters
//    a-z with a dovecot-keywords file per folder; $Forwarded as P; unflagged mail in new/).
//  fillDovecotMaildir: the on-disk store of a test Dovecot user (Maildir++ with '.' between
//    levels and mUTF-7 names, files owned by uid 5000), far faster than APPEND for big corpora.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Corpus, CorpusMessage } from './corpus.js'
import { encodeMutf7 } from './corpus-mutf7.js'
import { chownTree, keywordLetters, makeMaildirFolder, systemLetters, writeMessageFile } from './corpus-files.js'

export interface WriteMaildirOptions {
  /** Hierarchy separator: '/' nests directories (verbatim layout); others join levels in one name. */
  sep?: string
  /** verbatim: `<root>/<name>` (INBOX is `<root>/INBOX`); maildir++: INBOX is the root, others `.A.B`. */
  layout?: 'verbatim' | 'maildir++'
  /** letters: keywords as a-z plus a dovecot-keywords file; drop: keywords are not written. */
  keywords?: 'letters' | 'drop'
}

export interface WrittenMaildir {
  /** Folder name -> directory. */
  dirs: Map<string, string>
  files: number
  bytes: number
}

function groupByFolder(corpus: Corpus): Map<string, CorpusMessage[]> {
  const groups = new Map<string, CorpusMessage[]>(corpus.folders.map((f) => [f, []]))
  for (const m of corpus.messages) groups.get(m.folder)!.push(m)
  for (const g of groups.values()) g.sort((a, b) => a.folderIndex - b.folderIndex)
  return groups
}

export function maildirFolderDir(root: string, name: string, sep: string, layout: 'verbatim' | 'maildir++'): string {
  const parts = name.split('/')
  if (layout === 'maildir++') return name === 'INBOX' ? root : join(root, '.' + parts.join('.'))
  return sep === '/' ? join(root, ...parts) : join(root, parts.join(sep))
}

function uniqueName(m: CorpusMessage, host: string): string {
  return `${Math.floor(m.internalDate.getTime() / 1000)}.${host}${m.index}.corpus`
}

export async function writeMaildir(corpus: Corpus, root: string, opts: WriteMaildirOptions = {}): Promise<WrittenMaildir> {
  const sep = opts.sep ?? '.'
  const layout = opts.layout ?? 'verbatim'
  if (sep.length !== 1) throw new Error(`sep must be one character, got "${sep}"`)
  if (layout === 'verbatim' && sep !== '/') {
    const bad = corpus.folders.find((f) => f.includes(sep))
    if (bad) throw new Error(`folder "${bad}" contains the separator "${sep}"`)
  }
  const out: WrittenMaildir = { dirs: new Map(), files: 0, bytes: 0 }
  for (const [folder, msgs] of groupByFolder(corpus)) {
    const dir = maildirFolderDir(root, folder, sep, layout)
    makeMaildirFolder(dir)
    out.dirs.set(folder, dir)
    const kw = opts.keywords === 'drop' ? { letters: new Map<string, string>(), file: '' } : keywordLetters(msgs, ['$Forwarded'])
    if (kw.file) writeFileSync(join(dir, 'dovecot-keywords'), kw.file)
    for (const m of msgs) {
      const letters = systemLetters(m, true) + m.keywords.map((k) => kw.letters.get(k) ?? '').join('')
      const path = letters
        ? join(dir, 'cur', `${uniqueName(m, '')}:2,${letters}`)
        : join(dir, 'new', uniqueName(m, ''))
      await writeMessageFile(path, m)
      out.files++
      out.bytes += m.size
    }
  }
  return out
}

/** What fillDovecotMaildir needs of a test Dovecot (test/support/dovecot.ts). */
export interface DovecotStore {
  maildir(user: string): string
  doveadm(args: string[]): string
}

export interface FillDovecotOptions {
  /** Run `doveadm force-resync` afterwards so Dovecot has indexed everything (default true). */
  resync?: boolean
  uid?: number
  gid?: number
}

/** Dovecot's Maildir++ directory of a folder: levels mUTF-7 encoded, joined with '.'. */
export function dovecotFolderDir(maildir: string, name: string): string {
  if (name === 'INBOX') return maildir
  return join(maildir, '.' + name.split('/').map(encodeMutf7).join('.'))
}

export async function fillDovecotMaildir(corpus: Corpus, d: DovecotStore, user: string, opts: FillDovecotOptions = {}): Promise<WrittenMaildir> {
  const maildir = d.maildir(user)
  const home = join(maildir, '..')
  const homeExisted = existsSync(home)
  const bad = corpus.folders.find((f) => f.split('/').some((p) => p.includes('.')))
  if (bad) throw new Error(`folder "${bad}" has a '.' in a level, which Dovecot's Maildir++ layout cannot store`)
  mkdirSync(maildir, { recursive: true })
  const out: WrittenMaildir = { dirs: new Map(), files: 0, bytes: 0 }
  for (const [folder, msgs] of groupByFolder(corpus)) {
    const dir = dovecotFolderDir(maildir, folder)
    makeMaildirFolder(dir)
    if (folder !== 'INBOX') writeFileSync(join(dir, 'maildirfolder'), '')
    out.dirs.set(folder, dir)
    const kw = keywordLetters(msgs, [])
    if (kw.file) writeFileSync(join(dir, 'dovecot-keywords'), kw.file)
    for (const m of msgs) {
      const letters = systemLetters(m, false) + m.keywords.map((k) => kw.letters.get(k)!).join('')
      // S= and W= are both the size: the bytes are CRLF already, so the virtual size is the same.
      const path = join(dir, 'cur', `${uniqueName(m, 'M')},S=${m.size},W=${m.size}:2,${letters}`)
      await writeMessageFile(path, m)
      out.files++
      out.bytes += m.size
    }
  }
  chownTree(homeExisted ? maildir : home, opts.uid ?? 5000, opts.gid ?? 5000)
  if (opts.resync ?? true) d.doveadm(['force-resync', '-u', user, '*'])
  return out
}

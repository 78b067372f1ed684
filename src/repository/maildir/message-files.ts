// The message files of one folder: what readdir finds in cur/ and new/ (tmp/ holds deliveries in
// progress and is never listed). Hidden files are not messages.
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { parseFileName, type MaildirFileName } from './filename.js'
import { diskError, isMissing } from './fs-safe.js'

export type MessageSubdir = 'cur' | 'new'

export interface MessageFile {
  subdir: MessageSubdir
  name: string
  parsed: MaildirFileName
}

export function messagePath(folderDir: string, f: { subdir: MessageSubdir; name: string }): string {
  return join(folderDir, f.subdir, f.name)
}

export async function readMessageFiles(folderDir: string): Promise<MessageFile[]> {
  const out: MessageFile[] = []
  for (const subdir of ['cur', 'new'] as const) {
    const dir = join(folderDir, subdir)
    let entries
    try {
      entries = await readdir(dir, { withFileTypes: true })
    } catch (e) {
      if (isMissing(e)) continue
      throw diskError('read directory', dir, e)
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue
      if (!e.isFile() && !e.isSymbolicLink()) continue
      out.push({ subdir, name: e.name, parsed: parseFileName(e.name) })
    }
  }
  return out
}

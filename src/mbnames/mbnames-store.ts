// Keeps the mbnames file up to date after a run. Like OfflineIMAP, each account's folder list is
// remembered in the state directory (`mbnames/<account>.json`), so that syncing one account does
// not drop the others from the file; the file is rebuilt from every configured account's list and
// replaced atomically (temporary file in the same directory, fsync, rename).
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { accountFileStem } from '../state/locate.js'
import { MailsyncError } from '../errors.js'
import { renderMbnames, type MbnamesEntry, type MbnamesSettings } from './mbnames-format.js'

export interface MbnamesUpdate {
  settings: MbnamesSettings
  stateDir: string
  /** Accounts that exist in the config, in any order: only these are listed. */
  accounts: readonly string[]
  /** What this run synced: account -> its local folder names. */
  synced: ReadonlyMap<string, readonly string[]>
}

function listFile(stateDir: string, account: string): string {
  return join(stateDir, 'mbnames', `${accountFileStem(account)}.json`)
}

/** Writes `text` to `file` so that a reader sees the old or the new content, never a part. */
async function writeFileAtomically(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  const tmp = join(dirname(file), `.${process.pid}.${Date.now()}.mailsync-tmp`)
  try {
    const fh = await open(tmp, 'w', 0o644)
    try {
      await fh.writeFile(text)
      await fh.sync()
    } finally {
      await fh.close()
    }
    await rename(tmp, file)
  } catch (e) {
    await rm(tmp, { force: true })
    throw new MailsyncError('disk', `cannot write ${file}: ${(e as Error).message}`, { cause: e })
  }
}

async function readList(file: string): Promise<string[]> {
  try {
    const data = JSON.parse(await readFile(file, 'utf8')) as unknown
    return Array.isArray(data) ? data.filter((x): x is string => typeof x === 'string') : []
  } catch {
    return []
  }
}

/** Records this run's folders, then rewrites the mbnames file. Returns the text written. */
export async function updateMbnames(u: MbnamesUpdate): Promise<string> {
  for (const [account, folders] of u.synced) await writeFileAtomically(listFile(u.stateDir, account), JSON.stringify([...folders].sort()))
  const entries: MbnamesEntry[] = []
  for (const account of u.accounts) {
    const folders = u.synced.get(account) ?? (await readList(listFile(u.stateDir, account)))
    for (const folder of folders) entries.push({ account, folder })
  }
  const text = renderMbnames(u.settings, entries)
  await writeFileAtomically(u.settings.filename, text)
  return text
}

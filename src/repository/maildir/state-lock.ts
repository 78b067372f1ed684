// One folder's UID state is read, changed and written by one task at a time in this process
// (two sessions on one folder must not hand out the same UID). Across processes there is no
// lock: one mailsync run per account at a time is the caller's rule.
const queues = new Map<string, Promise<unknown>>()

export async function withFolderLock<T>(folderDir: string, fn: () => Promise<T>): Promise<T> {
  const before = queues.get(folderDir) ?? Promise.resolve()
  const run = before.then(fn, fn)
  const tail = run.catch(() => undefined)
  queues.set(folderDir, tail)
  try {
    return await run
  } finally {
    if (queues.get(folderDir) === tail) queues.delete(folderDir)
  }
}

// A message stream copied to a temporary file, for when its exact length must be known before
// its bytes are sent (an APPEND announces the literal's length first) and the stream only has
// the source server's word for it: some servers report an RFC822.SIZE that differs from the
// bytes they send. The file is unlinked as soon as it is created, so nothing is left behind,
// even by a crash; memory holds one chunk at a time.
import { randomBytes } from 'node:crypto'
import { open, unlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { MailsyncError } from '../../errors.js'

export interface Spooled {
  /** Bytes the stream gave. */
  size: number
  /** A fresh stream of the bytes, from the start. */
  stream(): Readable
  /** Frees the file (its space goes once the last stream of it is closed). */
  close(): Promise<void>
}

/** Errors of the temporary file (not of the source stream) are kind disk, naming the directory. */
export async function spool(source: Readable, dir: string = tmpdir()): Promise<Spooled> {
  const path = join(dir, `mailsync-spool-${process.pid}-${randomBytes(6).toString('hex')}`)
  const onDisk = async <T>(step: () => Promise<T>): Promise<T> => {
    try {
      return await step()
    } catch (err) {
      throw new MailsyncError('disk', `cannot copy a large message to a temporary file in ${dir}: ${(err as Error).message}`, {
        hint: 'set TMPDIR to a directory with room for the largest message',
        cause: err,
      })
    }
  }
  const fh = await onDisk(() => open(path, 'wx+', 0o600)).catch((err) => {
    source.destroy()
    throw err
  })
  let size = 0
  try {
    await onDisk(() => unlink(path))
    for await (const data of source) {
      const chunk = typeof data === 'string' ? Buffer.from(data) : (data as Buffer)
      for (let at = 0; at < chunk.length;) {
        const { bytesWritten } = await onDisk(() => fh.write(chunk, at, chunk.length - at, size))
        at += bytesWritten
        size += bytesWritten
      }
    }
  } catch (err) {
    source.destroy()
    await fh.close().catch(() => undefined)
    throw err
  }
  return {
    size,
    stream: () => fh.createReadStream({ start: 0, end: size - 1, autoClose: false }),
    close: () => fh.close().catch(() => undefined),
  }
}

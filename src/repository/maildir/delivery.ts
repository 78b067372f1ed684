// Writing a new message file into tmp/: exactly the given bytes (no line-ending conversion,
// nothing added), fsynced. On any error the tmp/ file is removed and nothing else was touched.
import { open, unlink, mkdir } from 'node:fs/promises'
import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { diskError } from './fs-safe.js'

let sequence = 0

/** Characters with a meaning in Maildir names, escaped in the host part as the spec says. */
function safeHostname(): string {
  return hostname().replace(/[/:,!;\\]/g, (c) => '\\' + c.charCodeAt(0).toString(8).padStart(3, '0'))
}

/** A unique delivery name: `<seconds>.M<micros>P<pid>Q<n>R<random>.<host>`. */
export function uniqueName(now = Date.now()): string {
  const seconds = Math.floor(now / 1000)
  const micros = (now % 1000) * 1000 + Math.floor(Math.random() * 1000)
  return `${seconds}.M${micros}P${process.pid}Q${++sequence}R${randomBytes(4).toString('hex')}.${safeHostname()}`
}

export interface Delivery {
  unique: string
  tmpPath: string
  bytes: number
}

export async function writeDelivery(folderDir: string, content: Buffer | Readable): Promise<Delivery> {
  const tmpDir = join(folderDir, 'tmp')
  await mkdir(tmpDir, { recursive: true }).catch((e) => {
    throw diskError('create', tmpDir, e)
  })
  const unique = uniqueName()
  const tmpPath = join(tmpDir, unique)
  let fh
  try {
    fh = await open(tmpPath, 'wx', 0o600)
  } catch (e) {
    throw diskError('create', tmpPath, e)
  }
  let bytes = 0
  // True while our own write runs: an error then is the disk's, otherwise the source's.
  let writing = true
  try {
    if (Buffer.isBuffer(content)) {
      await fh.writeFile(content)
      bytes = content.length
    } else {
      writing = false
      for await (const chunk of content) {
        writing = true
        const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : (chunk as Buffer)
        let off = 0
        while (off < buf.length) {
          const { bytesWritten } = await fh.write(buf, off, buf.length - off)
          off += bytesWritten
        }
        bytes += buf.length
        writing = false
      }
      writing = true
    }
    await fh.sync()
    await fh.close()
    fh = undefined
    return { unique, tmpPath, bytes }
  } catch (e) {
    await fh?.close().catch(() => undefined)
    await unlink(tmpPath).catch(() => undefined)
    throw writing ? diskError('write', tmpPath, e) : e
  }
}

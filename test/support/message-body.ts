// A fetched message's bytes, whether the repository handed it over in memory or as a stream.
import type { MessageBody } from '../../src/repository/types.js'

export async function bodyBytes(b: MessageBody): Promise<Buffer> {
  if (Buffer.isBuffer(b.content)) return b.content
  const chunks: Buffer[] = []
  for await (const c of b.content) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

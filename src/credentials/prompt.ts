// Asks for a secret on the terminal without echoing it. Prompts are serialized: two repositories
// asking at once would otherwise fight over the same keyboard.
import { MailsyncError } from '../errors.js'

let queue: Promise<unknown> = Promise.resolve()

/** Whether a prompt is possible: stdin is a terminal that can be put in raw mode. */
export function canPrompt(): boolean {
  return process.stdin.isTTY === true && typeof process.stdin.setRawMode === 'function'
}

export function promptHidden(question: string): Promise<string> {
  const next = queue.then(() => readHidden(question))
  queue = next.catch(() => undefined)
  return next
}

function readHidden(question: string): Promise<string> {
  const input = process.stdin
  return new Promise((resolve, reject) => {
    let value = ''
    const wasRaw = input.isRaw
    const finish = (err?: Error): void => {
      input.off('data', onData)
      input.setRawMode(wasRaw)
      input.pause()
      process.stderr.write('\n')
      if (err) reject(err)
      else resolve(value)
    }
    const onData = (chunk: Buffer | string): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish()
        if (ch === '\u0003' || ch === '\u0004') {
          return finish(new MailsyncError('usage', 'password prompt cancelled'))
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1)
        else if (ch === '\u0015') value = ''
        else if (ch >= ' ') value += ch
      }
    }
    // echo off before the question appears: whatever is typed after seeing it stays hidden
    input.setRawMode(true)
    input.on('data', onData)
    input.resume()
    process.stderr.write(question)
  })
}

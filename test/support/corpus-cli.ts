// Generate a corpus from the shell, for the benchmark and demos:
//   node dist/test/support/corpus-cli.js --seed 1 --messages 10000 --maildir DIR [--sep /] [--layout maildir++]
//   node dist/test/support/corpus-cli.js --seed 1 --messages 10000 --imap 127.0.0.1:1143 --user alice
//        [--password PW | env CORPUS_PASSWORD] [--tls] [--ca cert.pem] [--connections 4]
//   node dist/test/support/corpus-cli.js --seed 1 --messages 10000 --summary
// Prints a JSON summary on stdout. Sizes accept K and M suffixes (--large-message 100M).
import { parseArgs } from 'node:util'
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { generateCorpus, type Corpus } from './corpus.js'
import { writeMaildir } from './corpus-maildir.js'
import { fillImap } from './corpus-imap.js'

const USAGE = 'usage: corpus-cli --seed N --messages N [--folders N] [--max-size SIZE] [--large-message SIZE]\n' +
  '  (--maildir DIR [--sep C] [--layout verbatim|maildir++] [--keywords letters|drop]\n' +
  '   | --imap HOST:PORT --user U [--password PW] [--tls] [--ca FILE] [--connections N]\n' +
  '   | --summary)'

export class UsageError extends Error {}

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  const m = /^(\d+)([KkMmGg]?)$/.exec(v)
  if (!m) throw new UsageError(`--${name} must be a whole number (K/M/G suffix allowed), got "${v}"`)
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g']
  return Number(m[1]) * mult
}

function summary(c: Corpus): Record<string, unknown> {
  const folders: Record<string, number> = Object.fromEntries(c.folders.map((f) => [f, 0]))
  for (const m of c.messages) folders[m.folder]!++
  return { seed: c.seed, messages: c.messages.length, totalBytes: c.totalBytes, folders }
}

export async function runCorpusCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<Record<string, unknown>> {
  let values
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        seed: { type: 'string' }, messages: { type: 'string' }, folders: { type: 'string' },
        'max-size': { type: 'string' }, 'large-message': { type: 'string' },
        maildir: { type: 'string' }, sep: { type: 'string' }, layout: { type: 'string' }, keywords: { type: 'string' },
        imap: { type: 'string' }, user: { type: 'string' }, password: { type: 'string' }, tls: { type: 'boolean' },
        ca: { type: 'string' }, connections: { type: 'string' }, summary: { type: 'boolean' },
      },
    }))
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
  const seed = int('seed', values.seed)
  const messages = int('messages', values.messages)
  if (seed === undefined || messages === undefined) throw new UsageError('--seed and --messages are required')
  const targets = [values.maildir, values.imap, values.summary].filter((v) => v !== undefined).length
  if (targets !== 1) throw new UsageError('give exactly one of --maildir, --imap, --summary')
  if (values.layout !== undefined && values.layout !== 'verbatim' && values.layout !== 'maildir++') throw new UsageError(`--layout must be verbatim or maildir++`)
  if (values.keywords !== undefined && values.keywords !== 'letters' && values.keywords !== 'drop') throw new UsageError(`--keywords must be letters or drop`)
  const corpus = generateCorpus({
    seed, messages, folders: int('folders', values.folders), maxSize: int('max-size', values['max-size']),
    largeMessageSize: int('large-message', values['large-message']),
  })
  const started = Date.now()
  if (values.maildir !== undefined) {
    await writeMaildir(corpus, values.maildir, { sep: values.sep, layout: values.layout as 'verbatim' | 'maildir++' | undefined, keywords: values.keywords as 'letters' | 'drop' | undefined })
  } else if (values.imap !== undefined) {
    const hp = /^(.+):(\d+)$/.exec(values.imap)
    if (!hp) throw new UsageError(`--imap must be HOST:PORT, got "${values.imap}"`)
    const password = values.password ?? env.CORPUS_PASSWORD
    if (!values.user || password === undefined) throw new UsageError('--imap needs --user and --password (or CORPUS_PASSWORD)')
    await fillImap(corpus, {
      host: hp[1]!, port: Number(hp[2]), user: values.user, password, secure: values.tls ?? false,
      ...(values.ca ? { tls: { ca: [readFileSync(values.ca, 'utf8')], servername: 'localhost' } } : {}),
      connections: int('connections', values.connections),
    })
  }
  return { ...summary(corpus), elapsedMs: Date.now() - started }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runCorpusCli(process.argv.slice(2)).then(
    (out) => process.stdout.write(JSON.stringify(out, null, 2) + '\n'),
    (e: unknown) => {
      process.stderr.write(`corpus-cli: ${(e as Error).message}\n`)
      if (e instanceof UsageError) process.stderr.write(USAGE + '\n')
      process.exitCode = e instanceof UsageError ? 2 : 1
    },
  )
}

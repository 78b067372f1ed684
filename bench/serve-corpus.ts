// Developer helper: serve the benchmark corpus from a test Dovecot until interrupted, and print
// a mailsync config for it, for profiling by hand:
//   node dist/bench/serve-corpus.js [messages] [folders]
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startDovecot, TEST_PASSWORD } from '../test/support/dovecot.js'
import { generateCorpus } from '../test/support/corpus.js'
import { fillDovecotMaildir } from '../test/support/corpus-maildir.js'
import { writeMailsyncMaildirConfig } from './peer-configs.js'

const messages = Number(process.argv[2] ?? 10_000)
const folders = Number(process.argv[3] ?? 14)
const d = await startDovecot({ users: ['alice'], maxUserIpConnections: 200 })
await fillDovecotMaildir(generateCorpus({ seed: 20_260_501, messages, folders }), d, 'alice')
const dir = join(d.dir, 'client')
mkdirSync(dir)
writeMailsyncMaildirConfig(join(dir, 'config'), { port: d.port, user: 'alice', password: TEST_PASSWORD }, join(dir, 'Mail'), join(dir, 'state'))
writeFileSync(join(dir, 'port'), String(d.port))
process.stdout.write(`port ${d.port}\nconfig ${join(dir, 'config')}\n`)
setInterval(() => undefined, 60_000) // keep serving until killed

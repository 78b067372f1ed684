// The corpus writers against a real Dovecot: what a test fills in is what IMAP then shows,
// byte for byte, with flags, keywords and internal dates.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { ImapFlow } from 'imapflow'
import { startDovecot, type DovecotInstance } from '../support/dovecot.js'
import { generateCorpus, renderMessage, messagesIn, type Corpus, type CorpusMessage } from '../support/corpus.js'
import { fillImap } from '../support/corpus-imap.js'
import { fillDovecotMaildir } from '../support/corpus-maildir.js'

let d: DovecotInstance
const corpus = generateCorpus({ seed: 2024, messages: 60, largeMessageSize: 2 * 1024 * 1024 })

before(async () => {
  d = await startDovecot({ users: ['alice', 'bob', 'carol', 'dave'] })
})
after(async () => {
  await d.stop()
})

function connect(user: string): ImapFlow {
  return new ImapFlow({ host: d.host, port: d.port, secure: false, doSTARTTLS: false, auth: { user, pass: d.password }, logger: false })
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

interface Seen { uid: number; message: CorpusMessage }

/** Checks every folder of `user` against the corpus; returns what was found, per folder. */
async function verifyAccount(user: string, c: Corpus): Promise<Map<string, Seen[]>> {
  const byHash = new Map(c.messages.map((m) => [sha(renderMessage(m)), m]))
  const client = connect(user)
  await client.connect()
  const found = new Map<string, Seen[]>()
  try {
    const listed = new Set((await client.list()).map((f) => f.path))
    for (const folder of c.folders) {
      const expected = messagesIn(c, folder)
      assert.ok(listed.has(folder), `folder ${folder} exists`)
      const status = await client.status(folder, { messages: true })
      assert.ok(status)
      assert.equal(status.messages, expected.length, `message count of ${folder}`)
      if (expected.length === 0) continue
      const seen: Seen[] = []
      await client.mailboxOpen(folder, { readOnly: true })
      for await (const msg of client.fetch('1:*', { uid: true, flags: true, internalDate: true, size: true, source: true })) {
        const m = byHash.get(sha(msg.source!))
        assert.ok(m, `message uid ${msg.uid} in ${folder} is byte-identical to a corpus message`)
        assert.equal(m.folder, folder)
        assert.equal(msg.size, m.size)
        const flags = [...(msg.flags ?? [])].filter((f) => f !== '\\Recent').sort()
        assert.deepEqual(flags, [...m.flags, ...m.keywords].sort(), `flags of message ${m.index}`)
        assert.equal(new Date(msg.internalDate!).getTime(), m.internalDate.getTime(), `internal date of message ${m.index}`)
        seen.push({ uid: msg.uid, message: m })
      }
      assert.equal(new Set(seen.map((s) => s.message.index)).size, expected.length, `every message of ${folder} once`)
      found.set(folder, seen)
    }
  } finally {
    await client.logout()
  }
  return found
}

test('fillImap creates the folder tree and appends every message byte-exact with flags and dates', async () => {
  assert.ok(corpus.messages.some((m) => m.size === 2 * 1024 * 1024))
  let progress = 0
  const res = await fillImap(corpus, { host: d.host, port: d.port, user: 'alice', password: d.password, onProgress: (n) => { progress = n } })
  assert.equal(res.appended, corpus.messages.length)
  assert.equal(res.bytes, corpus.totalBytes)
  assert.equal(res.delimiter, '/')
  assert.equal(progress, corpus.messages.length)
  const found = await verifyAccount('alice', corpus)
  for (const seen of found.values()) {
    const byUid = [...seen].sort((a, b) => a.uid - b.uid)
    assert.deepEqual(byUid.map((s) => s.message.folderIndex), byUid.map((_, i) => i), 'UID order follows folderIndex')
  }
})

test('fillImap over implicit TLS, with a single connection', async () => {
  const small = generateCorpus({ seed: 5, messages: 12, folders: 3 })
  const res = await fillImap(small, {
    host: d.host, port: d.tlsPort, secure: true, tls: { ca: [d.certPem], servername: 'localhost' },
    user: 'carol', password: d.password, connections: 1,
  })
  assert.equal(res.appended, 12)
  await verifyAccount('carol', small)
})

test('fillDovecotMaildir writes Dovecot\'s store directly; IMAP then shows the same corpus', async () => {
  const res = await fillDovecotMaildir(corpus, d, 'bob')
  assert.equal(res.files, corpus.messages.length)
  assert.equal(res.dirs.get('Entwürfe'), `${d.maildir('bob')}/.Entw&APw-rfe`)
  await verifyAccount('bob', corpus)
})

test('fillDovecotMaildir refuses folder names Maildir++ cannot store', async () => {
  const c = generateCorpus({ seed: 1, messages: 2 })
  c.folders.push('Bad.Name')
  await assert.rejects(fillDovecotMaildir(c, d, 'dave'), /Maildir\+\+ layout cannot store/)
  assert.equal(existsSync(d.maildir('dave')), false, 'nothing written')
})

// Last: Dovecot delays further logins from an IP after a failed one (auth penalty).
test('fillImap reports a wrong password as a failure', async () => {
  await assert.rejects(
    fillImap(generateCorpus({ seed: 1, messages: 1 }), { host: d.host, port: d.port, user: 'dave', password: 'wrong' }),
    (e: unknown) => (e as { authenticationFailed?: boolean }).authenticationFailed === true,
  )
})

// migrate between the fake Gmail and a real Dovecot, with the real binary:
//   Gmail -> Dovecot in the three label modes, with the exact folder contents each promises;
//   Dovecot -> Gmail: a message in several folders is uploaded once (APPENDs counted at the fake
//   server) and gets a label per further folder; a re-run uploads nothing.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { rmSync } from 'node:fs'
import { startFakeGmail, type FakeGmail } from '../support/fake-gmail/index.js'
import { startDovecot, TEST_PASSWORD, type DovecotInstance } from '../support/dovecot.js'
import { imapRepository, plainServer } from '../support/config-text.js'
import { ImapRepository } from '../../src/repository/imap/imap-repository.js'
import { counts, gmailRepository, mailsync, message, subjects, tempDir, writeConfig } from './gmail-helpers.js'

let d: DovecotInstance
let dir: string
before(async () => {
  d = await startDovecot({ users: ['folders', 'first', 'keywords', 'source', 'source2'], specialUse: { Sent: '\\Sent', Trash: '\\Trash', Junk: '\\Junk', Drafts: '\\Drafts' } })
  dir = tempDir('mailsync-gmail-migrate-')
})
after(async () => {
  await d?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

function dovecot(user: string): ImapRepository {
  return new ImapRepository({ name: user, host: '127.0.0.1', port: d.port, user, password: TEST_PASSWORD, tls: { mode: 'none' }, maxConnections: 2 })
}

function fill(g: FakeGmail): void {
  g.account.add({ raw: message('Hello inbox'), labels: ['\\Inbox', 'Work'] })
  g.account.add({ raw: message('Debian news'), labels: ['Work', 'Lists/Debian'] })
  g.account.add({ raw: message('Archived'), labels: [] })
  g.account.add({ raw: message('Only important'), labels: ['\\Important'] })
  g.account.add({ raw: message('Sent one'), labels: ['\\Sent', '\\Important'], flags: ['\\Seen'] })
  g.account.add({ raw: message('Binned'), box: 'trash' })
  g.account.add({ raw: message('Junk'), box: 'spam' })
}

/** Non-empty folders only: which empty folders a server makes along the way is not the point. */
const filled = (s: Record<string, string[]>) => Object.fromEntries(Object.entries(s).filter(([, v]) => v.length))

async function migrateFromGmail(user: string, mode: string) {
  const g = await startFakeGmail()
  fill(g)
  const base = tempDir(`${dir}/${user}-`)
  const config = writeConfig(base, `[general]\nmetadata = ${join(base, 'state')}\n${gmailRepository('G', g)}\n${imapRepository('D', { server: plainServer(d), user })}`)
  const r = await mailsync(['migrate', 'G', 'D', '-c', config, '--labels', mode])
  return { g, config, r }
}

test('Gmail -> Dovecot, --labels folders: a copy per label folder, archived mail in All Mail, Trash and Spam mapped by role', async () => {
  const { g, config, r } = await migrateFromGmail('folders', 'folders')
  try {
    assert.equal(r.status, 0, r.stderr + r.stdout.slice(-3000))
    assert.deepEqual(filled(await subjects(dovecot('folders'))), {
      INBOX: ['Hello inbox'],
      Work: ['Debian news', 'Hello inbox'],
      'Lists/Debian': ['Debian news'],
      Sent: ['Sent one'],
      '[Gmail]/All Mail': ['Archived', 'Only important'],
      Trash: ['Binned'],
      Junk: ['Junk'],
    })
    const again = await mailsync(['migrate', 'G', 'D', '-c', config, '--labels', 'folders'])
    assert.equal(again.status, 0, again.stderr)
    assert.equal(counts(again).copiedAtoB ?? 0, 0, 'a re-run copies nothing')
    assert.equal(g.account.messages().length, 7, 'the source is never changed')
    assert.ok(g.log.every((l) => !/ (APPEND|UID STORE|UID MOVE|EXPUNGE) /i.test(l)), 'nothing written to Gmail')
  } finally {
    await g.stop()
  }
})

test('Gmail -> Dovecot, --labels first: each message once, in its first label (\\Inbox, \\Sent, \\Draft, then by name), else All Mail', async () => {
  const { g, r } = await migrateFromGmail('first', 'first')
  try {
    assert.equal(r.status, 0, r.stderr + r.stdout.slice(-3000))
    assert.deepEqual(filled(await subjects(dovecot('first'))), {
      INBOX: ['Hello inbox'],
      'Lists/Debian': ['Debian news'],
      Sent: ['Sent one'],
      '[Gmail]/All Mail': ['Archived', 'Only important'],
      Trash: ['Binned'],
      Junk: ['Junk'],
    })
  } finally {
    await g.stop()
  }
})

test('Gmail -> Dovecot, --labels keywords: each message once in All Mail, its labels as keywords', async () => {
  const { g, r } = await migrateFromGmail('keywords', 'keywords')
  try {
    assert.equal(r.status, 0, r.stderr + r.stdout.slice(-3000))
    assert.deepEqual(filled(await subjects(dovecot('keywords'))), {
      '[Gmail]/All Mail': ['Archived', 'Debian news', 'Hello inbox', 'Only important', 'Sent one'],
      Trash: ['Binned'],
      Junk: ['Junk'],
    })
    const repo = dovecot('keywords')
    const s = await repo.openFolder('[Gmail]/All Mail', { readOnly: true })
    const listed = (await s.list({ withMessageId: true })).messages
    await s.close()
    await repo.close()
    const flagsOf = (id: string) => listed.find((m) => m.messageId === `<${id}@example.org>`)?.flags
    assert.deepEqual(flagsOf('hello-inbox'), ['$Inbox', 'Work'])
    assert.deepEqual(flagsOf('debian-news'), ['Lists/Debian', 'Work'])
    assert.deepEqual(flagsOf('sent-one'), ['$Important', '$Sent', '\\Seen'])
    assert.deepEqual(flagsOf('archived'), [])
  } finally {
    await g.stop()
  }
})

/** Puts messages into a Dovecot user's folders (creating them): folder -> raw messages. */
async function seed(user: string, folders: Record<string, string[]>): Promise<void> {
  const repo = dovecot(user)
  try {
    for (const [name, raws] of Object.entries(folders)) {
      if (name !== 'INBOX') await repo.createFolder(name)
      const s = await repo.openFolder(name)
      for (const raw of raws) await s.append({ content: Buffer.from(raw), size: Buffer.byteLength(raw), flags: [], internalDate: Date.now() })
      await s.close()
    }
  } finally {
    await repo.close()
  }
}

test('Dovecot -> Gmail: a message in two folders is uploaded once and labelled for both; a re-run uploads nothing', async () => {
  const shared = message('In two folders')
  await seed('source', { INBOX: [shared, message('Inbox only')], Work: [shared, message('Work only')], Sent: [message('Sent mail')] })
  const g = await startFakeGmail()
  try {
    const base = tempDir(`${dir}/up-`)
    const config = writeConfig(base, `[general]\nmetadata = ${join(base, 'state')}\n${imapRepository('D', { server: plainServer(d), user: 'source' })}\n${gmailRepository('G', g)}`)
    const r = await mailsync(['migrate', 'D', 'G', '-c', config])
    assert.equal(r.status, 0, r.stderr + r.stdout.slice(-3000))
    assert.equal(g.account.appends, 4, 'four messages, four uploads')
    const labels = Object.fromEntries(g.account.messages().map((m) => [/Subject: (.*)\r/.exec(m.raw.toString())![1], m.labels]))
    assert.deepEqual(labels, {
      'In two folders': ['Work', '\\Inbox'],
      'Inbox only': ['\\Inbox'],
      'Work only': ['Work'],
      'Sent mail': ['\\Sent'],
    })
    const again = await mailsync(['migrate', 'D', 'G', '-c', config])
    assert.equal(again.status, 0, again.stderr)
    assert.equal(g.account.appends, 4, 'no upload on the re-run')
    assert.equal(g.account.messages().length, 4)
  } finally {
    await g.stop()
  }
})

test('Dovecot -> Gmail, re-run after the status cache is lost: still no second upload (found by Message-ID and size)', async () => {
  const shared = message('Again in two')
  await seed('source2', { INBOX: [shared], Work: [shared] })
  const g = await startFakeGmail()
  try {
    const text = (state: string) => `[general]\nmetadata = ${state}\n${imapRepository('D', { server: plainServer(d), user: 'source2' })}\n${gmailRepository('G', g)}`
    const base = tempDir(`${dir}/lost-`)
    const r = await mailsync(['migrate', 'D', 'G', '-c', writeConfig(base, text(join(base, 'state1')))])
    assert.equal(r.status, 0, r.stderr)
    assert.equal(g.account.appends, 1)
    const again = await mailsync(['migrate', 'D', 'G', '-c', writeConfig(base, text(join(base, 'state2')))])
    assert.equal(again.status, 0, again.stderr)
    assert.equal(g.account.appends, 1, 'found again, not uploaded again')
    assert.deepEqual(g.account.messages().map((m) => m.labels), [['Work', '\\Inbox']])
  } finally {
    await g.stop()
  }
})

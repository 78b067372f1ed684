// Two-way sync of the fake Gmail with a Maildir (the store layout), and Gmail -> Gmail migrate,
// with the real binary: a delete made locally is Gmail's real delete (the message moves to Trash,
// nothing is lost), a local relabel reaches Gmail as a label change (synclabels), and a migrate
// between two Gmail accounts keeps every label exactly, uploading each message once.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { startFakeGmail, type FakeGmail } from '../support/fake-gmail/index.js'
import { maildirRepository } from '../support/config-text.js'
import { counts, gmailRepository, labelsBySubject, maildir, mailsync, message, subjectOf, tempDir, writeConfig } from './gmail-helpers.js'

function fill(g: FakeGmail, user?: string): void {
  const a = user ? g.accounts.get(user)! : g.account
  a.add({ raw: message('Hello inbox'), labels: ['\\Inbox', 'Work'] })
  a.add({ raw: message('Debian news'), labels: ['Work', 'Lists/Debian'] })
  a.add({ raw: message('Archived'), labels: [] })
  a.add({ raw: message('Binned'), box: 'trash' })
}

async function syncWorld() {
  const g = await startFakeGmail()
  fill(g)
  const dir = tempDir('mailsync-gmail-sync-')
  const root = join(dir, 'mail')
  const config = writeConfig(dir, `[general]\naccounts = t\nmetadata = ${join(dir, 'state')}\n\n[Account t]\nlocalrepository = L\nremoterepository = R\nsynclabels = yes\n\n${gmailRepository('R', g)}\n${maildirRepository('L', root)}`)
  return { g, root, config, allMail: `${g.account.root}.All Mail`, stop: async () => { await g.stop(); rmSync(dir, { recursive: true, force: true }) } }
}

const bySubject = (g: FakeGmail, subject: string) => g.account.messages().find((m) => subjectOf(m.raw) === subject)!

test('sync: a message deleted locally is moved to Gmail\'s Trash (a real delete, nothing lost), then synced there', async () => {
  const w = await syncWorld()
  try {
    const first = await mailsync(['sync', 't', '-c', w.config, '-o'])
    assert.equal(first.status, 0, first.stderr)
    const local = maildir(w.root, true)
    await local.open()
    const s = await local.openFolder(w.allMail)
    const listed = (await s.list({ withMessageId: true })).messages
    const victim = listed.find((m) => m.messageId === '<hello-inbox@example.org>')!
    await s.delete([victim.uid])
    await s.close()
    await local.close()
    const second = await mailsync(['sync', 't', '-c', w.config, '-o'])
    assert.equal(second.status, 0, second.stderr + second.stdout.slice(-2000))
    assert.equal(counts(second).deletedA, 1)
    assert.equal(bySubject(w.g, 'Hello inbox').box, 'trash', 'moved to Trash, not unlabelled')
    assert.equal(w.g.account.messages().length, 4, 'nothing deleted for good')
    assert.ok(w.g.log.some((l) => / UID MOVE /i.test(l)), 'by UID MOVE')
    assert.ok(!w.g.log.some((l) => / EXPUNGE/i.test(l)), 'no expunge in All Mail')
    // the next round finds it in Trash and keeps it there locally
    const third = await mailsync(['sync', 't', '-c', w.config, '-o'])
    assert.equal(third.status, 0, third.stderr)
    const trash = await labelsBySubject(maildir(w.root, true), `${w.g.account.root}.Trash`)
    assert.deepEqual(Object.keys(trash).sort(), ['Binned', 'Hello inbox'])
  } finally {
    await w.stop()
  }
})

test('sync with synclabels: a local relabel becomes STORE X-GM-LABELS on Gmail, with no upload', async () => {
  const w = await syncWorld()
  try {
    const first = await mailsync(['sync', 't', '-c', w.config, '-o'])
    assert.equal(first.status, 0, first.stderr)
    const local = maildir(w.root, true)
    await local.open()
    const s = await local.openFolder(w.allMail)
    const listed = (await s.list({ withMessageId: true })).messages
    const debian = listed.find((m) => m.messageId === '<debian-news@example.org>')!
    await s.setLabels!([debian.uid], ['Ubuntü'], ['Work'])
    await s.close()
    await local.close()
    const appends = w.g.account.appends
    const second = await mailsync(['sync', 't', '-c', w.config, '-o'])
    assert.equal(second.status, 0, second.stderr + second.stdout.slice(-2000))
    assert.deepEqual(bySubject(w.g, 'Debian news').labels, ['Lists/Debian', 'Ubuntü'])
    assert.equal(w.g.account.appends, appends, 'no upload')
    assert.ok(w.g.log.some((l) => /X-GM-LABELS/.test(l) && /STORE/i.test(l)))
  } finally {
    await w.stop()
  }
})

test('migrate Gmail -> Gmail: the store layout on both sides, every label exactly, each message uploaded once', async () => {
  const g = await startFakeGmail({ users: [{ user: 'old@gmail.com' }, { user: 'new@gmail.com' }] })
  const dir = tempDir('mailsync-gmail-gmail-')
  try {
    fill(g, 'old@gmail.com')
    const config = writeConfig(dir, `[general]\nmetadata = ${join(dir, 'state')}\n${gmailRepository('OLD', g, '', 'old@gmail.com')}\n${gmailRepository('NEW', g, '', 'new@gmail.com')}`)
    const r = await mailsync(['migrate', 'OLD', 'NEW', '-c', config])
    assert.equal(r.status, 0, r.stderr + r.stdout.slice(-3000))
    const target = g.accounts.get('new@gmail.com')!
    const view = (a: typeof target) => Object.fromEntries(a.messages().map((m) => [subjectOf(m.raw), { labels: m.labels, box: m.box }]))
    assert.deepEqual(view(target), view(g.accounts.get('old@gmail.com')!))
    assert.equal(target.appends, 4)
    const again = await mailsync(['migrate', 'OLD', 'NEW', '-c', config])
    assert.equal(again.status, 0, again.stderr)
    assert.equal(target.appends, 4, 'a re-run uploads nothing')
    assert.equal(counts(again).copiedAtoB ?? 0, 0)
  } finally {
    await g.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})

test('backup, then restore into an empty Gmail account: every message once, labels and Trash back as they were', async () => {
  const g = await startFakeGmail({ users: [{ user: 'old@gmail.com' }, { user: 'new@gmail.com' }] })
  const dir = tempDir('mailsync-gmail-restore-')
  try {
    fill(g, 'old@gmail.com')
    const root = join(dir, 'mail')
    const account = (remote: string) => `[general]\naccounts = t\nmetadata = ${join(dir, `state-${remote}`)}\n\n[Account t]\nlocalrepository = L\nremoterepository = R\n\n${gmailRepository('R', g, '', remote)}\n${maildirRepository('L', root)}`
    const backup = await mailsync(['backup', 't', '-c', writeConfig(dir, account('old@gmail.com'))])
    assert.equal(backup.status, 0, backup.stderr)
    const restore = await mailsync(['restore', 't', '-c', writeConfig(dir, account('new@gmail.com'))])
    assert.equal(restore.status, 0, restore.stderr + restore.stdout.slice(-3000))
    const view = (user: string) => Object.fromEntries(g.accounts.get(user)!.messages().map((m) => [subjectOf(m.raw), { labels: m.labels, box: m.box, raw: m.raw.toString() }]))
    assert.deepEqual(view('new@gmail.com'), view('old@gmail.com'))
    assert.equal(g.accounts.get('new@gmail.com')!.appends, 4)
  } finally {
    await g.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})

test('sync in the store layout with a local folder named like a label folder: that folder is refused with the reason, the rest is synced, nothing lost', async () => {
  const w = await syncWorld()
  try {
    for (const d of ['cur', 'new', 'tmp']) mkdirSync(join(w.root, 'INBOX', d), { recursive: true })
    const local = join(w.root, 'INBOX', 'cur', '1733580000.M1P1.host:2,S')
    writeFileSync(local, message('Local only').replace(/\r\n/g, '\n'))
    const r = await mailsync(['sync', 't', '-c', w.config, '-o'])
    assert.equal(r.status, 75, 'the run says something needs attention')
    const err = r.events.find((e) => e.type === 'error')
    assert.equal(err?.folder, 'INBOX')
    assert.match(err?.message ?? '', /INBOX is Gmail's folder of the label \\Inbox, a view of All Mail; in the store layout/)
    assert.ok(existsSync(local), 'the local message is kept')
    assert.equal(w.g.account.messages().length, 4, 'nothing made on Gmail')
    assert.ok(w.g.log.every((l) => !/ (APPEND|CREATE) /i.test(l)))
    const copied = await labelsBySubject(maildir(w.root, true), w.allMail)
    assert.deepEqual(Object.keys(copied).sort(), ['Archived', 'Debian news', 'Hello inbox'], 'All Mail synced all the same')
  } finally {
    await w.stop()
  }
})

// Gmail -> Maildir backup with the real binary against the fake Gmail: each message once (in the
// Maildir folder of All Mail, found by SPECIAL-USE), archived mail included, Trash and Spam as
// folders of their own, no folder per label; a re-run copies nothing; an account whose folders
// have German names works the same; throttling replies are waited out.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { rmSync } from 'node:fs'
import { startFakeGmail, type FakeGmail } from '../support/fake-gmail/index.js'
import { maildirRepository, oneAccountConfig } from '../support/config-text.js'
import { contents, counts, gmailRepository, labelsBySubject, maildir, mailsync, message, subjects, tempDir, writeConfig } from './gmail-helpers.js'

function fill(g: FakeGmail): void {
  g.account.add({ raw: message('Hello inbox'), labels: ['\\Inbox', 'Work'] })
  g.account.add({ raw: message('Debian news'), labels: ['Work', 'Lists/Debian'] })
  g.account.add({ raw: message('Archived'), labels: [] })
  g.account.add({ raw: message('Sent one'), labels: ['\\Sent', '\\Important'], flags: ['\\Seen'] })
  g.account.add({ raw: message('Binned'), box: 'trash' })
  g.account.add({ raw: message('Junk'), box: 'spam' })
}

async function backupWorld(language: 'en' | 'de') {
  const g = await startFakeGmail({ language })
  fill(g)
  const dir = tempDir('mailsync-gmail-backup-')
  const root = join(dir, 'mail')
  const config = writeConfig(dir, oneAccountConfig({ metadata: join(dir, 'state'), remote: gmailRepository('R', g), local: maildirRepository('L', root) }))
  return { g, dir, root, config, stop: async () => { await g.stop(); rmSync(dir, { recursive: true, force: true }) } }
}

for (const language of ['en', 'de'] as const) {
  test(`backup (${language} folder names): every message once, archived mail too, Trash and Spam apart, no label folders; a re-run copies nothing`, async () => {
    const w = await backupWorld(language)
    try {
      const first = await mailsync(['backup', 't', '-c', w.config])
      assert.equal(first.status, 0, first.stderr)
      assert.equal(counts(first).copiedAtoB, 6, first.stdout.slice(-3000))
      // the Maildir's separator is '.'
      const root = w.g.account.root
      const names = language === 'en' ? { all: `${root}.All Mail`, trash: `${root}.Trash`, spam: `${root}.Spam` } : { all: `${root}.Alle Nachrichten`, trash: `${root}.Papierkorb`, spam: `${root}.Spam` }
      assert.deepEqual(await subjects(maildir(w.root)), {
        [names.all]: ['Archived', 'Debian news', 'Hello inbox', 'Sent one'],
        [names.spam]: ['Junk'],
        [names.trash]: ['Binned'],
      })
      // bytes exact: the Maildir gives back exactly the server's bytes (its files hold them with LF)
      const stored = (await contents(maildir(w.root)))[names.all]!.map((b) => b.toString('utf8')).sort()
      const served = w.g.account.messages().filter((m) => m.box === 'all').map((m) => m.raw.toString('utf8')).sort()
      assert.deepEqual(stored, served)
      // labels exact, in the Maildir's labels sidecar
      assert.deepEqual(await labelsBySubject(maildir(w.root, true), names.all), {
        'Hello inbox': ['Work', '\\Inbox'],
        'Debian news': ['Lists/Debian', 'Work'],
        Archived: [],
        'Sent one': ['\\Important', '\\Sent'],
      })
      const again = await mailsync(['backup', 't', '-c', w.config])
      assert.equal(again.status, 0, again.stderr)
      assert.equal(counts(again).copiedAtoB ?? 0, 0)
      assert.equal(w.g.account.messages().length, 6, 'the server is unchanged')
      assert.ok(w.g.log.every((l) => !/ (APPEND|UID STORE|STORE|UID MOVE|EXPUNGE) /i.test(l)), 'a backup writes nothing to Gmail')
    } finally {
      await w.stop()
    }
  })
}

test('throttling replies (Gmail\'s "Account exceeded command or bandwidth limits") are waited out and the backup completes', async () => {
  const w = await backupWorld('en')
  try {
    w.g.throttle({ command: 'UID FETCH', times: 2, reply: 'alert' })
    const r = await mailsync(['backup', 't', '-c', w.config])
    assert.equal(r.status, 0, r.stderr)
    assert.equal(counts(r).copiedAtoB, 6)
    assert.ok(r.events.some((e) => e.type === 'throttled'), 'the pause is reported')
    const all = await subjects(maildir(w.root))
    assert.equal(all[`${w.g.account.root}.All Mail`]?.length, 4)
  } finally {
    await w.stop()
  }
})

test('a relabel on the server: the next backup changes the labels only and copies no body', async () => {
  const w = await backupWorld('en')
  try {
    const first = await mailsync(['backup', 't', '-c', w.config])
    assert.equal(first.status, 0, first.stderr)
    const hello = w.g.account.all().find((m) => /Hello inbox/.test(m.raw.toString()))!
    const archived = w.g.account.all().find((m) => /Archived/.test(m.raw.toString()))!
    w.g.account.setLabels(hello, ['Travel'])
    w.g.account.addLabels(archived, ['\\Inbox'])
    const fetchesBefore = w.g.log.filter((l) => /BODY\.PEEK\[\]|BODY\[\]|RFC822\b(?!\.SIZE)/i.test(l)).length
    assert.ok(fetchesBefore > 0, 'the first backup fetched bodies (so the count below means something)')
    const again = await mailsync(['backup', 't', '-c', w.config])
    assert.equal(again.status, 0, again.stderr)
    assert.equal(counts(again).copiedAtoB ?? 0, 0, 'no body copied')
    assert.equal(w.g.log.filter((l) => /BODY\.PEEK\[\]|BODY\[\]|RFC822\b(?!\.SIZE)/i.test(l)).length, fetchesBefore, 'no body fetched')
    assert.ok(again.events.some((e) => e.type === 'labels-changed'), 'the relabel is reported')
    const labels = await labelsBySubject(maildir(w.root, true), `${w.g.account.root}.All Mail`)
    assert.deepEqual(labels['Hello inbox'], ['Travel'])
    assert.deepEqual(labels.Archived, ['\\Inbox'])
    assert.deepEqual(labels['Debian news'], ['Lists/Debian', 'Work'], 'the others as they were')
  } finally {
    await w.stop()
  }
})

test('mailsync info shows the Gmail layout: All Mail is the store, label folders are views (German names)', async () => {
  const w = await backupWorld('de')
  try {
    const r = await mailsync(['info', '-c', w.config], false)
    assert.equal(r.status, 0, r.stderr)
    for (const line of [
      'Gmail layout: store (labels kept as labels)',
      'store: [Google Mail]/Alle Nachrichten (\\All, every message once, with its labels)',
      'folders of their own: [Google Mail]/Papierkorb (\\Trash), [Google Mail]/Spam (\\Junk)',
      'view, not synced: INBOX = label \\Inbox',
      'view, not synced: Lists/Debian = label Lists/Debian',
      'view, not synced: [Google Mail]/Gesendet = label \\Sent',
      'Gmail view, not synced: [Google Mail]/Wichtig (\\Important)',
    ]) assert.ok(r.stdout.includes(`  ${line}\n`), `${line}\n${r.stdout.slice(-2500)}`)
  } finally {
    await w.stop()
  }
})

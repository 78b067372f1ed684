// The fake Gmail of test/support/fake-gmail/ as imapflow (what mailsync speaks through) sees
// it: folders as views over one store of messages, each with its own UIDs; X-GM-* fetch, store
// and search; Gmail's expunge, Trash, COPY and MOVE meanings; APPEND to labels; translated folder
// names found by SPECIAL-USE; OAuth logins; throttle replies on demand; and bad input refused
// with nothing lost.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ImapFlow, type StatusObject } from 'imapflow'
import { spawn } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startFakeGmail, type FakeGmail } from '../support/fake-gmail/index.js'
import { BIN } from '../e2e/cli-child.js'
import { imapRepository, maildirRepository, oneAccountConfig } from '../support/config-text.js'
import { tempRoots } from '../support/temp-roots.js'

const roots = tempRoots('mailsync-fake-gmail-')

/** What the server said in a refusal: imapflow keeps the response code apart from the text. */
const said = (e: unknown) => JSON.stringify((e as { response?: unknown }).response ?? (e as Error).message)

const raw = (n: number, extra = '') =>
  `From: Ann <ann@example.org>\r\nTo: bob@example.org\r\nSubject: message ${n}\r\nMessage-ID: <m${n}@fake.test>\r\n${extra}\r\nbody ${n}\r\n`

async function client(g: FakeGmail, auth: { user?: string; pass?: string; accessToken?: string } = {}): Promise<ImapFlow> {
  const c = new ImapFlow({
    host: g.host, port: g.port, secure: false, doSTARTTLS: false, logger: false,
    auth: auth.accessToken ? { user: auth.user ?? g.user, accessToken: auth.accessToken } : { user: auth.user ?? g.user, pass: auth.pass ?? g.password },
  })
  await c.connect()
  return c
}

async function withGmail(fn: (g: FakeGmail, c: ImapFlow) => Promise<void>, opts: Parameters<typeof startFakeGmail>[0] = {}): Promise<void> {
  const g = await startFakeGmail(opts)
  const c = await client(g)
  try {
    await fn(g, c)
  } finally {
    await c.logout().catch(() => undefined)
    await g.stop()
  }
}

/** UID -> Message-ID header of every message in `path`. */
async function folderMessages(c: ImapFlow, path: string): Promise<Map<number, string>> {
  const out = new Map<number, string>()
  const lock = await c.getMailboxLock(path)
  try {
    for await (const m of c.fetch('1:*', { uid: true, envelope: true }, { uid: true })) out.set(m.uid, m.envelope!.messageId!)
  } finally {
    lock.release()
  }
  return out
}

test('folders are views: LIST with SPECIAL-USE, the \\Noselect [Gmail] parent, per-folder UIDVALIDITY and UIDs, STATUS', async () => {
  await withGmail(async (g, c) => {
    const a = g.account
    a.add({ raw: raw(1), labels: ['\\Inbox', 'Work'] })
    a.add({ raw: raw(2), labels: ['Lists/Debian'], flags: ['\\Flagged', '\\Seen'] })
    a.add({ raw: raw(3), labels: [] }) // archived: All Mail only
    a.add({ raw: raw(4), labels: ['Work'], box: 'trash' })
    const list = await c.list()
    const byPath = new Map(list.map((l) => [l.path, l]))
    assert.deepEqual([...byPath.keys()].sort(), ['INBOX', 'Lists', 'Lists/Debian', 'Work', '[Gmail]', '[Gmail]/All Mail', '[Gmail]/Drafts', '[Gmail]/Important', '[Gmail]/Sent Mail', '[Gmail]/Spam', '[Gmail]/Starred', '[Gmail]/Trash'])
    assert.equal(byPath.get('[Gmail]/All Mail')!.specialUse, '\\All')
    assert.equal(byPath.get('[Gmail]/Trash')!.specialUse, '\\Trash')
    assert.equal(byPath.get('[Gmail]/Spam')!.specialUse, '\\Junk')
    assert.equal(byPath.get('[Gmail]/Starred')!.specialUse, '\\Flagged')
    assert.ok(byPath.get('[Gmail]')!.flags.has('\\Noselect'))
    assert.ok(byPath.get('Lists')!.flags.has('\\HasChildren'))
    assert.ok(byPath.get('Lists/Debian')!.flags.has('\\HasNoChildren'))

    assert.deepEqual([...(await folderMessages(c, 'INBOX')).values()], ['<m1@fake.test>'])
    assert.deepEqual([...(await folderMessages(c, '[Gmail]/All Mail')).values()], ['<m1@fake.test>', '<m2@fake.test>', '<m3@fake.test>'], 'not the trashed one')
    assert.deepEqual([...(await folderMessages(c, '[Gmail]/Trash')).values()], ['<m4@fake.test>'])
    assert.deepEqual([...(await folderMessages(c, '[Gmail]/Starred')).values()], ['<m2@fake.test>'])
    assert.deepEqual([...(await folderMessages(c, 'Work')).entries()], [[1, '<m1@fake.test>']], 'trashed messages leave their labels')
    assert.deepEqual([...(await folderMessages(c, 'Lists/Debian')).entries()], [[1, '<m2@fake.test>']], 'each folder numbers its own UIDs')

    const all = (await c.status('[Gmail]/All Mail', { messages: true, uidNext: true, uidValidity: true, unseen: true })) as StatusObject
    const inbox = (await c.status('INBOX', { messages: true, uidNext: true, uidValidity: true, unseen: true })) as StatusObject
    assert.deepEqual([all.messages, all.uidNext, all.unseen], [3, 4, 2])
    assert.deepEqual([inbox.messages, inbox.uidNext, inbox.unseen], [1, 2, 1])
    assert.notEqual(all.uidValidity, inbox.uidValidity, 'each folder has a UIDVALIDITY of its own')
    await assert.rejects(c.mailboxOpen('[Gmail]'), 'the parent cannot be selected')
  })
})

test('extended LIST as Gmail offers it: STATUS of every folder in the one LIST (LIST-STATUS), \\Subscribed, SPECIAL-USE selection; LSUB', async () => {
  await withGmail(async (g, c) => {
    g.account.add({ raw: raw(1), labels: ['\\Inbox', 'Work'] })
    g.account.add({ raw: raw(2), labels: ['Work'], flags: ['\\Seen'] })
    g.account.folder('Work')!.subscribed = false
    const list = await c.list({ statusQuery: { messages: true, uidNext: true, unseen: true } })
    const work = list.find((l) => l.path === 'Work')!
    assert.deepEqual([work.status?.messages, work.status?.uidNext, work.status?.unseen], [2, 3, 1])
    assert.equal(list.find((l) => l.path === '[Gmail]/All Mail')!.status?.messages, 2)
    assert.equal(list.find((l) => l.path === '[Gmail]')!.status, undefined, 'no STATUS for the \\Noselect parent')
    assert.ok(!work.subscribed, 'not subscribed')
    assert.equal(list.find((l) => l.path === 'INBOX')!.subscribed, true)
    assert.ok(g.log.some((l) => /LIST "" "\*" RETURN \(STATUS \(/.test(l)), 'asked in one LIST')
    assert.equal(g.counters.get('STATUS'), undefined, 'no STATUS command needed')
    assert.equal(g.counters.get('LSUB'), undefined)
  })
  // the same by hand: selection options and LSUB
  const g = await startFakeGmail()
  const { connect } = await import('node:net')
  try {
    g.account.createLabel('Work')
    g.account.folder('Work')!.subscribed = false
    const sock = connect(g.port, g.host)
    let text = ''
    sock.on('data', (d) => (text += d.toString('latin1')))
    sock.write(`a1 LOGIN ${g.user} ${g.password}\r\na2 LIST (SPECIAL-USE) "" "*"\r\na3 LSUB "" "*"\r\na4 LIST "" ("INBOX" "W%")\r\n`)
    for (let i = 0; i < 200 && !/a4 OK/.test(text); i++) await new Promise((r) => setTimeout(r, 10))
    sock.destroy()
    const lines = (tag: string) => text.split('\r\n').slice(0, text.split('\r\n').findIndex((l) => l.startsWith(tag + ' '))).join('\n')
    const special = lines('a2').split('a1 OK')[1]!.match(/^\* LIST .*$/gm)!
    assert.equal(special.length, 7, 'the seven special folders only')
    const lsub = text.split('a2 OK')[1]!.split('a3 OK')[0]!
    assert.doesNotMatch(lsub, /"Work"/, 'LSUB leaves out what is not subscribed')
    assert.match(lsub, /\* LSUB \(\\HasNoChildren\) "\/" "INBOX"/)
    const multi = text.split('a3 OK')[1]!.match(/^\* LIST .*$/gm)!
    assert.deepEqual(multi, ['* LIST (\\HasNoChildren) "/" "INBOX"', '* LIST (\\HasNoChildren) "/" "Work"'])
  } finally {
    await g.stop()
  }
})

test('X-GM-MSGID, X-GM-THRID and X-GM-LABELS are fetched; bodies are the stored bytes exactly', async () => {
  await withGmail(async (g, c) => {
    const first = g.account.add({ raw: raw(1), labels: ['\\Inbox', '\\Important', 'Arbeit & Spaß'] })
    const reply = g.account.add({ raw: raw(2, 'In-Reply-To: <m1@fake.test>\r\n'), labels: ['\\Sent'] })
    const odd = Buffer.from('Subject: bytes\r\nMessage-ID: <odd@fake.test>\r\n\r\n\xff\x00\xe9 line\r\nno final newline', 'latin1')
    g.account.add({ raw: odd })
    assert.match(first.msgid, /^\d{19}$/, '64-bit decimal')
    assert.equal(reply.thrid, first.thrid, 'a reply joins the thread of what it answers')
    await c.mailboxOpen('[Gmail]/All Mail')
    const got = []
    for await (const m of c.fetch('1:*', { uid: true, emailId: true, threadId: true, labels: true, source: true, size: true })) got.push(m)
    assert.deepEqual(got.map((m) => m.emailId), g.account.messages().map((m) => m.msgid))
    assert.deepEqual(got.map((m) => m.threadId), [first.thrid, first.thrid, got[2]!.emailId])
    assert.deepEqual([...got[0]!.labels!].sort(), ['Arbeit & Spaß', '\\Important', '\\Inbox'], 'user labels travel as modified UTF-7 and come back whole')
    assert.deepEqual([...got[1]!.labels!], ['\\Sent'])
    assert.ok(got[2]!.source!.equals(odd), 'the bytes as stored, whatever they are')
    assert.equal(got[2]!.size, odd.length)
    assert.ok(g.log.some((l) => /X-GM-LABELS/.test(l)))
    assert.ok(!g.account.message(got[0]!.emailId!)!.flags.includes('\\Seen'), 'imapflow peeks: no \\Seen')
    // as Gmail does, the selected folder's own label is left out
    await c.mailboxOpen('INBOX')
    const inInbox = await c.fetchOne('1', { labels: true }, { uid: true })
    assert.ok(inInbox)
    assert.deepEqual([...inInbox.labels!].sort(), ['Arbeit & Spaß', '\\Important'])
  })
})

test('STORE of labels and of \\Flagged moves a message in and out of views; UIDs ascend and are never reused', async () => {
  await withGmail(async (g, c) => {
    const m = g.account.add({ raw: raw(1), labels: ['\\Inbox'] })
    g.account.add({ raw: raw(2), labels: ['\\Inbox'] })
    await c.mailboxOpen('INBOX')
    assert.ok(await c.messageFlagsAdd('1', ['Work', 'Lists/Debian'], { uid: true, useLabels: true }))
    assert.deepEqual(g.account.message(m.msgid)!.labels, ['Lists/Debian', 'Work', '\\Inbox'])
    assert.ok(g.account.folder('Lists'), 'the parent label is made too')
    assert.deepEqual([...g.account.folderUids('Work')], [[1, m.msgid]])
    await c.messageFlagsRemove('1', ['Work'], { uid: true, useLabels: true })
    assert.deepEqual([...g.account.folderUids('Work')], [], 'out of Work')
    await c.messageFlagsAdd('1', ['Work'], { uid: true, useLabels: true })
    assert.deepEqual([...g.account.folderUids('Work')], [[2, m.msgid]], 'back in Work with a new, higher UID')
    await c.messageFlagsSet('2', ['Work'], { uid: true, useLabels: true })
    assert.deepEqual(g.account.messages()[1]!.labels, ['Work'], 'X-GM-LABELS replaces the set: out of INBOX')

    await c.messageFlagsAdd('1', ['\\Flagged'], { uid: true })
    assert.deepEqual([...g.account.folderUids('[Gmail]/Starred').values()], [m.msgid], '\\Flagged is Starred')
    await c.mailboxOpen('[Gmail]/Starred')
    await c.messageFlagsRemove('1', ['\\Flagged'], { uid: true })
    assert.equal(g.account.folderUids('[Gmail]/Starred').size, 0)
    assert.equal(c.mailbox && c.mailbox.exists, 0, 'the session was told of the EXPUNGE')
    assert.equal(g.account.messages().length, 2, 'nothing lost')
  })
})

test('other sessions are told: a relabel elsewhere reaches a session with the folder selected as EXPUNGE, EXISTS and FLAGS at its next command', async () => {
  await withGmail(async (g, c) => {
    const m = g.account.add({ raw: raw(1), labels: ['\\Inbox', 'Work'] })
    g.account.add({ raw: raw(2), labels: ['Work'] })
    const other = await client(g)
    try {
      await c.mailboxOpen('Work')
      const expunged: number[] = []
      const flagged: number[] = []
      c.on('expunge', (e: { seq: number }) => expunged.push(e.seq))
      c.on('flags', (e: { uid?: number }) => flagged.push(e.uid ?? 0))
      await other.mailboxOpen('INBOX')
      await other.messageFlagsRemove('1', ['Work'], { uid: true, useLabels: true }) // Work's message 1 leaves Work
      await other.append('Work', raw(3))
      g.account.setFlags(g.account.get(g.account.messages()[1]!.msgid)!, ['\\Seen']) // and a flag changes
      await c.noop()
      assert.deepEqual(expunged, [1])
      assert.equal(c.mailbox && c.mailbox.exists, 2, 'message 2 stays, message 3 arrived')
      assert.deepEqual(flagged, [2], 'the flag change, by UID')
      assert.deepEqual([...g.account.folderUids('Work').keys()], [2, 3])
      assert.deepEqual(g.account.message(m.msgid)!.labels, ['\\Inbox'])
    } finally {
      await other.logout()
    }
  })
})

test('a UID STORE names a message another session stored since this one\'s last command: it is told of it and the labels are set', async () => {
  await withGmail(async (g, c) => {
    const other = await client(g)
    try {
      await c.mailboxOpen('[Gmail]/All Mail')
      const up = await other.append('[Gmail]/All Mail', raw(1))
      assert.ok(up && up.uid, 'APPENDUID')
      // no NOOP in between: the next command is the UID STORE on the new UID
      await c.messageFlagsAdd(String(up.uid), ['Work'], { uid: true, useLabels: true })
      assert.deepEqual(g.account.messages().map((m) => m.labels), [['Work']])
    } finally {
      await other.logout()
    }
  })
})

test('SEARCH by X-GM-MSGID, X-GM-THRID, X-GM-RAW (rfc822msgid:, label:) and Message-ID', async () => {
  await withGmail(async (g, c) => {
    const a = g.account.add({ raw: raw(1), labels: ['Lists/Debian'] })
    const b = g.account.add({ raw: raw(2, 'References: <m1@fake.test>\r\n'), labels: ['\\Inbox'] })
    g.account.add({ raw: raw(3), labels: ['Work'] })
    await c.mailboxOpen('[Gmail]/All Mail')
    assert.deepEqual(await c.search({ emailId: b.msgid }, { uid: true }), [2])
    assert.deepEqual(await c.search({ threadId: a.thrid }, { uid: true }), [1, 2])
    assert.deepEqual(await c.search({ gmraw: 'rfc822msgid:<m3@fake.test>' }, { uid: true }), [3])
    assert.deepEqual(await c.search({ gmraw: 'label:lists-debian' }, { uid: true }), [1], 'Gmail writes / as -')
    assert.deepEqual(await c.search({ gmraw: '-label:Work in:anywhere' }, { uid: true }), [1, 2])
    assert.deepEqual(await c.search({ header: { 'message-id': '<m2@fake.test>' } }, { uid: true }), [2])
    assert.deepEqual(await c.search({ uid: '2:*', seen: false }, { uid: true }), [2, 3])
    assert.deepEqual(await c.search({ subject: 'message 3' }), [3])
  })
})

test('expunge with Gmail\'s meaning: in a label folder or INBOX the label goes; in All Mail to Trash; in Trash for ever', async () => {
  await withGmail(async (g, c) => {
    const m = g.account.add({ raw: raw(1), labels: ['\\Inbox', 'Work'] })
    await c.mailboxOpen('Work')
    await c.messageDelete('1', { uid: true })
    assert.deepEqual(g.account.message(m.msgid)!.labels, ['\\Inbox'], 'only the label went')
    await c.mailboxOpen('INBOX')
    await c.messageDelete('1', { uid: true })
    assert.deepEqual(g.account.message(m.msgid)!.labels, [])
    assert.equal(g.account.message(m.msgid)!.box, 'all', 'archived, still in All Mail')
    await c.mailboxOpen('[Gmail]/All Mail')
    assert.equal(c.mailbox && c.mailbox.exists, 1)
    await c.messageDelete('1', { uid: true })
    assert.equal(g.account.message(m.msgid)!.box, 'trash', 'expunged from the last folder it showed in: to Trash')
    assert.equal(c.mailbox && c.mailbox.exists, 0)
    await c.mailboxOpen('[Gmail]/Trash')
    await c.messageDelete('1:*', { uid: true })
    assert.equal(g.account.message(m.msgid), undefined, 'deleted for ever')
  })
})

test('COPY adds a label (same message, COPYUID); MOVE swaps labels or puts the message in Trash without its labels', async () => {
  await withGmail(async (g, c) => {
    const m = g.account.add({ raw: raw(1), labels: ['\\Inbox', 'Work'] })
    g.account.createLabel('Home')
    g.account.createLabel('Old')
    await c.mailboxOpen('INBOX')
    const copied = await c.messageCopy('1', 'Home', { uid: true })
    assert.ok(copied && copied.uidMap, 'COPYUID')
    assert.deepEqual([...copied.uidMap!], [[1, 1]])
    assert.equal(g.account.messages().length, 1, 'a copy is no second message')
    assert.deepEqual(g.account.message(m.msgid)!.labels, ['Home', 'Work', '\\Inbox'])

    await c.mailboxOpen('Work')
    const moved = await c.messageMove('1', 'Old', { uid: true })
    assert.ok(moved && moved.uidMap)
    assert.deepEqual(g.account.message(m.msgid)!.labels, ['Home', 'Old', '\\Inbox'], 'Work swapped for Old')
    assert.equal(c.mailbox && c.mailbox.exists, 0, 'gone from Work')

    await c.mailboxOpen('INBOX')
    await c.messageMove('1', '[Gmail]/Trash', { uid: true })
    const gone = g.account.message(m.msgid)!
    assert.equal(gone.box, 'trash')
    assert.deepEqual(gone.labels, [], 'all its labels went with it')
    assert.equal(g.account.folderUids('[Gmail]/All Mail').size, 0)
    assert.equal(g.account.folderUids('Home').size, 0)
    await c.mailboxOpen('[Gmail]/Trash')
    await c.messageMove('1', 'INBOX', { uid: true })
    assert.deepEqual([g.account.message(m.msgid)!.box, g.account.message(m.msgid)!.labels], ['all', ['\\Inbox']], 'out of Trash again')
  })
})

test('APPEND: to a label folder the label, to All Mail none, to INBOX \\Inbox; APPENDUID; counted', async () => {
  await withGmail(async (g, c) => {
    g.account.createLabel('Work')
    const work = await c.append('Work', raw(1), ['\\Seen'], new Date('2024-03-01T10:00:00Z'))
    const all = await c.append('[Gmail]/All Mail', raw(2))
    const inbox = await c.append('INBOX', raw(3))
    const msgs = g.account.messages()
    assert.deepEqual(msgs.map((m) => m.labels), [['Work'], [], ['\\Inbox']])
    assert.deepEqual(msgs[0]!.flags, ['\\Seen'])
    assert.equal(msgs[0]!.internalDate.toISOString(), '2024-03-01T10:00:00.000Z')
    assert.equal(msgs[2]!.raw.toString('latin1'), raw(3), 'bytes exact')
    assert.equal(work && work.uid, 1)
    assert.equal(all && all.uid, 2, 'the UID in All Mail')
    assert.equal(inbox && inbox.uidValidity, BigInt(g.account.folder('INBOX')!.uidValidity))
    assert.equal(g.account.appends, 3)
    assert.equal(g.account.counters.get('APPEND'), 3)
    const big = raw(5).replace('body 5', 'x'.repeat(200_000))
    await c.append('[Gmail]/All Mail', big)
    assert.equal(g.account.messages()[3]!.raw.toString('latin1'), big, 'a literal past LITERAL-\'s 4 KiB is sent after the +, and kept exactly')
    await assert.rejects(c.append('Nowhere', raw(4)))
    assert.equal(g.account.appends, 4, 'a refused APPEND stores nothing')
  })
})

test('CONDSTORE: a label or flag change raises the message\'s MODSEQ, and FETCH CHANGEDSINCE finds just it', async () => {
  await withGmail(async (g, c) => {
    const a = g.account.add({ raw: raw(1), labels: ['\\Inbox'] })
    g.account.add({ raw: raw(2), labels: ['\\Inbox'] })
    const mb = await c.mailboxOpen('[Gmail]/All Mail')
    assert.ok(c.enabled.has('CONDSTORE'), 'imapflow enabled it')
    const before = mb.highestModseq!
    g.account.addLabels(g.account.get(a.msgid)!, ['Work']) // a relabel elsewhere, no flag changed
    const changed = []
    for await (const m of c.fetch('1:*', { uid: true, labels: true }, { uid: true, changedSince: before })) changed.push(m)
    assert.deepEqual(changed.map((m) => [m.uid, [...m.labels!].sort()]), [[1, ['Work', '\\Inbox']]])
    assert.ok(changed[0]!.modseq! > before)
    const st = (await c.status('INBOX', { highestModseq: true })) as StatusObject
    assert.equal(st.highestModseq, changed[0]!.modseq, 'HIGHESTMODSEQ counts the account\'s changes')
    await c.messageFlagsAdd('2', ['\\Seen'], { uid: true, unchangedSince: before })
    assert.deepEqual(g.account.messages()[1]!.flags, ['\\Seen'], 'unchanged since: stored')
    await c.messageFlagsAdd('1', ['\\Seen'], { uid: true, unchangedSince: before })
    assert.deepEqual(g.account.messages()[0]!.flags, [], 'changed since: left alone')
    assert.ok(g.log.some((l) => /UID STORE 1 \(UNCHANGEDSINCE \d+\) \+FLAGS/.test(l)), 'the conditional STORE reached the server')
  })
})

test('expunge settings: auto-expunge (a \\Deleted message goes at once) and "delete for ever" from All Mail', async () => {
  await withGmail(async (g, c) => {
    const m = g.account.add({ raw: raw(1), labels: ['\\Inbox', 'Work'] })
    await c.mailboxOpen('Work')
    await c.messageFlagsAdd('1', ['\\Deleted'], { uid: true })
    assert.deepEqual(g.account.message(m.msgid)!.labels, ['\\Inbox'], 'the label went with the STORE alone')
    await c.noop()
    assert.equal(c.mailbox && c.mailbox.exists, 0)
    await c.mailboxOpen('[Gmail]/All Mail')
    await c.messageDelete('1', { uid: true })
    assert.equal(g.account.message(m.msgid), undefined, 'deleted for ever, not moved to Trash')
    assert.equal(g.account.folderUids('[Gmail]/Trash').size, 0)
  }, { autoExpunge: true, expungeBehavior: 'deleteForever' })
})

test('Gmail\'s connection limit and a server turning connections away', async () => {
  const g = await startFakeGmail({ maxConnections: 1 })
  try {
    const first = await client(g)
    await assert.rejects(client(g), (e) => /Too many simultaneous connections/.test(said(e)))
    await first.logout()
    g.refuseConnections(1)
    await assert.rejects(client(g), (e) => /close|BYE|UNAVAILABLE/i.test(said(e)))
    const again = await client(g)
    assert.ok(again.usable, 'the next connection is served')
    await again.logout()
  } finally {
    await g.stop()
  }
})

test('the option for Gmail\'s observed APPEND of a "similar" message (same Message-ID and Date): it replaces the one in that folder', async () => {
  await withGmail(async (g, c) => {
    const dated = (body: string) => `Message-ID: <same@fake.test>\r\nDate: Mon, 7 Dec 2026 10:00:00 +0000\r\nSubject: s\r\n\r\n${body}\r\n`
    const old = g.account.add({ raw: dated('old'), labels: ['\\Inbox'] })
    g.account.add({ raw: raw(9), labels: ['\\Inbox'] })
    await c.mailboxOpen('INBOX')
    await c.append('INBOX', dated('new'))
    await c.noop()
    assert.equal(g.account.message(old.msgid), undefined, 'the old one is gone')
    assert.deepEqual(g.account.byMessageId('same@fake.test').map((m) => m.raw.toString()), [dated('new')])
    assert.equal(c.mailbox && c.mailbox.exists, 2, 'the session saw an EXPUNGE and an EXISTS')
    await c.append('INBOX', raw(9).replace('body 9', 'other date, same id'))
    assert.equal(g.account.byMessageId('m9@fake.test').length, 2, 'without a Date to compare both stay')
  }, { appendReplacesSimilar: true })
})

test('a German account: translated names in modified UTF-7 on the wire, found by SPECIAL-USE', async () => {
  await withGmail(async (g, c) => {
    g.account.add({ raw: raw(1), labels: ['\\Draft'] })
    const list = await c.list()
    const use = new Map(list.filter((l) => l.specialUse).map((l) => [l.specialUse, l.path]))
    assert.equal(use.get('\\All'), '[Google Mail]/Alle Nachrichten')
    assert.equal(use.get('\\Drafts'), '[Google Mail]/Entwürfe')
    assert.equal(use.get('\\Sent'), '[Google Mail]/Gesendet')
    assert.equal(use.get('\\Trash'), '[Google Mail]/Papierkorb')
    assert.equal(use.get('\\Flagged'), '[Google Mail]/Markiert')
    assert.ok(list.find((l) => l.path === '[Google Mail]/Wichtig')!.flags.has('\\Important'), 'Gmail\'s own attribute')
    const drafts = await folderMessages(c, '[Google Mail]/Entwürfe')
    assert.deepEqual([...drafts.values()], ['<m1@fake.test>'])
    assert.ok(g.log.some((l) => l.includes('"[Google Mail]/Entw&APw-rfe"')), 'the client sent the modified UTF-7 spelling')
  }, { language: 'de' })
})

test('logins: LOGIN, XOAUTH2 and OAUTHBEARER with the configured token; wrong secrets refused', async () => {
  const g = await startFakeGmail({ users: [{ user: 'a@gmail.com', token: 'tok-a' }, { user: 'b@gmail.com', password: 'pw-b' }] })
  try {
    g.accounts.get('b@gmail.com')!.add({ raw: raw(1), labels: ['\\Inbox'] })
    const oauth = await client(g, { accessToken: 'tok-a' })
    assert.equal(((await oauth.status('INBOX', { messages: true })) as StatusObject).messages, 0, 'user a sees its own account')
    await oauth.logout()
    assert.ok(g.log.some((l) => /AUTHENTICATE OAUTHBEARER/.test(l)), 'imapflow prefers OAUTHBEARER where offered')
    const b = await client(g, { user: 'b@gmail.com', pass: 'pw-b' })
    assert.equal(((await b.status('INBOX', { messages: true })) as StatusObject).messages, 1)
    await b.logout()
    await assert.rejects(client(g, { accessToken: 'wrong' }), (e: Error & { authenticationFailed?: boolean }) => !!e.authenticationFailed)
    await assert.rejects(client(g, { user: 'b@gmail.com', pass: 'nope' }), (e: Error & { authenticationFailed?: boolean }) => !!e.authenticationFailed)
  } finally {
    await g.stop()
  }
})

test('throttling on demand: NO [THROTTLED], Gmail\'s "Account exceeded command or bandwidth limits", and BYE', async () => {
  await withGmail(async (g, c) => {
    g.account.add({ raw: raw(1), labels: ['\\Inbox'] })
    g.throttle({ command: 'SELECT', reply: 'alert' })
    await assert.rejects(c.mailboxOpen('INBOX'), (e) => /ALERT.*Account exceeded command or bandwidth limits/.test(said(e)))
    await c.mailboxOpen('INBOX')
    g.throttle({ command: 'UID FETCH', times: 2, reply: 'throttled' })
    await assert.rejects(c.fetchOne('1', { source: true }, { uid: true }), (e) => /THROTTLED.*Too many commands/.test(said(e)))
    await assert.rejects(c.fetchOne('1', { source: true }, { uid: true }))
    const m = await c.fetchOne('1', { source: true }, { uid: true })
    assert.ok(m && m.source!.toString('latin1') === raw(1), 'served after the two refusals')
    assert.equal(g.account.counters.get('UID FETCH'), 3)

    g.throttle({ command: (cmd) => cmd.name === 'NOOP', reply: 'bye' })
    const closed = new Promise<void>((resolve) => c.once('close', () => resolve()))
    await c.noop().catch(() => undefined)
    await closed
    assert.equal(g.account.messages().length, 1, 'nothing lost')
  })
})

test('IDLE: a message added elsewhere reaches an idling client as EXISTS', async () => {
  await withGmail(async (g, c) => {
    await c.mailboxOpen('INBOX')
    const exists = new Promise<number>((resolve) => c.on('exists', (e: { count: number }) => resolve(e.count)))
    const idle = c.idle()
    await new Promise((r) => setTimeout(r, 50))
    g.account.add({ raw: raw(1), labels: ['\\Inbox'] })
    assert.equal(await exists, 1)
    await c.noop() // ends the IDLE
    await idle
    assert.ok(g.log.some((l) => / IDLE$/.test(l)))
  })
})

test('bad input gets a clear BAD or NO and changes nothing', async () => {
  const g = await startFakeGmail()
  const { connect } = await import('node:net')
  try {
    g.account.add({ raw: raw(1), labels: ['\\Inbox'] })
    const sock = connect(g.port, g.host)
    let text = ''
    sock.on('data', (d) => (text += d.toString('latin1')))
    const until = async (re: RegExp) => {
      for (let i = 0; i < 200 && !re.test(text); i++) await new Promise((r) => setTimeout(r, 10))
      assert.match(text, re)
    }
    await until(/^\* OK/)
    sock.write('a1 SELECT INBOX\r\n')
    await until(/a1 BAD Command not allowed before login/)
    sock.write(`a2 LOGIN ${g.user} ${g.password}\r\na3 SELECT INBOX\r\na4 UID FETCH 1:* (BOGUS)\r\na5 UID STORE 1 +FLAGS (\\Seen\r\na6 FROBNICATE\r\na7 UID SEARCH X-GM-RAW "is:nonsense"\r\na8 APPEND INBOX {5}\r\n`)
    await until(/\+ go ahead/)
    sock.write('hello\r\na9 UID FETCH 1 (FLAGS X-GM-LABELS)\r\n')
    await until(/a9 OK/)
    assert.match(text, /a4 BAD unknown fetch item BOGUS/)
    assert.match(text, /a5 BAD Could not parse command: unclosed list/)
    assert.match(text, /a6 BAD Unknown command FROBNICATE/)
    assert.match(text, /a7 BAD X-GM-RAW: is:nonsense/)
    assert.match(text, /a8 OK \[APPENDUID \d+ 2\]/, 'a literal that is no message header is still kept as sent')
    assert.match(text, /\* 1 FETCH \(UID 1 FLAGS \(\) X-GM-LABELS \(\)\)/, 'the STORE that did not parse set nothing (and INBOX\'s own label is not listed in INBOX)')
    sock.destroy()
    assert.equal(g.account.messages().length, 2)
    assert.equal(g.account.messages()[1]!.raw.toString(), 'hello')
  } finally {
    await g.stop()
  }
})

/** `mailsync <command>` against the fake Gmail as a plain IMAP repository. */
async function mailsync(base: string, g: FakeGmail, command: string): Promise<{ code: number | null; out: string }> {
  const config = join(base, 'config')
  writeFileSync(config, oneAccountConfig({
    metadata: join(base, 'state'),
    remote: imapRepository('R', { server: `remoteport = ${g.port}\nssl = no\nstarttls = no\ntimeout = 10`, user: g.user, password: g.password }),
    local: maildirRepository('L', join(base, 'mail')),
  }), { mode: 0o600 })
  const child = spawn(process.execPath, [BIN, command, '-c', config], { env: { ...process.env, HOME: base }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 })
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (out += d))
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  return { code, out }
}

const files = (dir: string) => ['cur', 'new'].flatMap((d) => readdirSync(join(dir, d)).map((f) => join(dir, d, f)))

test('mailsync\'s IMAP layer against it: a backup of every view, then a sync whose local delete in a label folder only takes the label off', async () => {
  const base = await roots.fresh()
  mkdirSync(join(base, 'mail'))
  const g = await startFakeGmail()
  try {
    for (let i = 1; i <= 4; i++) g.account.add({ raw: raw(i), labels: i % 2 ? ['\\Inbox', 'Work'] : ['Lists/Debian'], flags: i === 1 ? ['\\Seen'] : [] })
    const first = await mailsync(base, g, 'backup')
    assert.equal(first.code, 0, first.out)
    const dirs = readdirSync(join(base, 'mail')).sort()
    assert.deepEqual(dirs, ['INBOX', 'Lists', 'Lists.Debian', 'Work', '[Gmail].All Mail', '[Gmail].Drafts', '[Gmail].Important', '[Gmail].Sent Mail', '[Gmail].Spam', '[Gmail].Starred', '[Gmail].Trash'], 'the \\Noselect parent is no folder')
    const allMail = files(join(base, 'mail', '[Gmail].All Mail')).map((f) => readFileSync(f, 'latin1')).sort()
    assert.deepEqual(allMail, [1, 2, 3, 4].map((i) => raw(i).replace(/\r\n/g, '\n')).sort(), 'All Mail: each message once, its bytes')
    assert.equal(files(join(base, 'mail', 'Work')).length, 2)

    const work = files(join(base, 'mail', 'Work')).find((f) => readFileSync(f, 'latin1').includes('<m1@fake.test>'))!
    unlinkSync(work)
    const second = await mailsync(base, g, 'sync')
    assert.equal(second.code, 0, second.out)
    const m1 = g.account.byMessageId('m1@fake.test')
    assert.equal(m1.length, 1)
    assert.deepEqual(m1[0]!.labels, ['\\Inbox'], 'Gmail took the label off; the message stays')
    assert.equal(m1[0]!.box, 'all')
    assert.ok(g.account.counters.get('UID EXPUNGE')! >= 1 || g.account.counters.get('EXPUNGE')! >= 1)
    assert.equal(g.account.messages().length, 4, 'nothing lost')
  } finally {
    await g.stop()
  }
})

// The fake Gmail of test/support/fake-gmail/ as imapflow (what mailsync speaks through) sees
// it: folders as views over one store of messages, each with its own UIDs; X-GM-* fetch, store
// and search; Gmail's expunge, Trash, COPY and MOVE meanings; APPEND to labels; translated folder
// names found by SPECIAL-USE; OAuth logins; throttle replies on demand; and bad input refused
// with nothing lost.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ImapFlow, type StatusObject } from 'imapflow'
import { startFakeGmail, type FakeGmail } from '../support/fake-gmail/index.js'

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
    await assert.rejects(c.append('Nowhere', raw(4)))
    assert.equal(g.account.appends, 3, 'a refused APPEND stores nothing')
  })
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
    assert.match(text, /\* 1 FETCH \(UID 1 FLAGS \(\) X-GM-LABELS \(\\Inbox\)\)/, 'the STORE that did not parse set nothing')
    sock.destroy()
    assert.equal(g.account.messages().length, 2)
    assert.equal(g.account.messages()[1]!.raw.toString(), 'hello')
  } finally {
    await g.stop()
  }
})

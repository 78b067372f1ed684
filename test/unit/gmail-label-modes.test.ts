// Which label layout each Gmail side of a run gets (jobs/gmail-label-modes.ts), and the one-upload
// guard's ordering (repository/gmail/append-dedupe.ts).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseConfigText } from '../../src/config/index.js'
import { gmailLabelModes } from '../../src/jobs/gmail-label-modes.js'
import { AppendDedupe, dedupeKey, sameMessage } from '../../src/repository/gmail/append-dedupe.js'
import { MailsyncError } from '../../src/errors.js'

const repo = (name: string, type: string, extra = '') => `[Repository ${name}]\ntype = ${type}\n${type === 'Maildir' ? 'localfolders = /m' : 'remotehost = h\nremoteuser = u'}\n${extra}\n`
function account(remote: string, local: string) {
  const c = parseConfigText(`[Account a]\nremoterepository = R\nlocalrepository = L\n${remote}${local}`, '/cfg/x.conf', { home: '/home/u', env: {} })
  return c.accounts.get('a')!
}

test('sync, backup, restore: the repository\'s own labelmode; --labels is refused', () => {
  const a = account(repo('R', 'Gmail'), repo('L', 'Maildir'))
  for (const p of ['sync', 'backup', 'restore']) assert.deepEqual(gmailLabelModes(p, a, undefined), {})
  assert.throws(() => gmailLabelModes('backup', a, 'folders'), (e: unknown) => e instanceof MailsyncError && e.kind === 'usage')
})

test('migrate Gmail -> folder server: --labels, else a labelmode set in the config, else folders', () => {
  assert.deepEqual(gmailLabelModes('migrate', account(repo('R', 'Gmail'), repo('L', 'IMAP')), undefined), { remote: 'folders' })
  assert.deepEqual(gmailLabelModes('migrate', account(repo('R', 'Gmail'), repo('L', 'IMAP')), 'first'), { remote: 'first' })
  assert.deepEqual(gmailLabelModes('migrate', account(repo('R', 'GmailIMAP', 'labelmode = keywords'), repo('L', 'IMAP')), undefined), { remote: 'keywords' })
})

test('migrate into Gmail: folders on the target; Gmail -> Gmail: the store layout on both; --labels there is an error that says why', () => {
  assert.deepEqual(gmailLabelModes('migrate', account(repo('R', 'IMAP'), repo('L', 'Gmail')), undefined), { local: 'folders' })
  assert.deepEqual(gmailLabelModes('migrate', account(repo('R', 'Gmail'), repo('L', 'Gmail')), undefined), { remote: 'store', local: 'store' })
  assert.throws(() => gmailLabelModes('migrate', account(repo('R', 'Gmail'), repo('L', 'Gmail')), 'folders'), /the target is Gmail too/)
  assert.throws(() => gmailLabelModes('migrate', account(repo('R', 'IMAP'), repo('L', 'Gmail')), 'first'), /the source is no Gmail repository/)
  assert.deepEqual(gmailLabelModes('migrate', account(repo('R', 'IMAP'), repo('L', 'IMAP')), undefined), {})
})

test('uploads of one message are made one after another, so the second finds the first', async () => {
  const d = new AppendDedupe()
  const key = dedupeKey('<a@x>', 10)
  const order: string[] = []
  let release!: () => void
  const gate = new Promise<void>((r) => { release = r })
  const first = d.serialized(key, async () => {
    order.push('first starts')
    await gate
    d.remember(key, 7)
    order.push('first ends')
  })
  const second = d.serialized(key, async () => {
    order.push(`second sees ${d.remembered(key)}`)
  })
  const other = d.serialized(dedupeKey('<b@x>', 10), async () => { order.push('other key') })
  await other
  release()
  await Promise.all([first, second])
  assert.deepEqual(order, ['first starts', 'other key', 'first ends', 'second sees 7'])
  // a failed upload does not block the next one
  await assert.rejects(d.serialized(key, async () => { throw new Error('boom') }))
  assert.equal(await d.serialized(key, async () => 'next'), 'next')
})

test('the same message is the same Message-ID and the same size', () => {
  const listed = [{ uid: 1, flags: [], size: 9, internalDate: 0, messageId: '<a@x>' }, { uid: 2, flags: [], size: 10, internalDate: 0, messageId: '<a@x>' }]
  assert.equal(sameMessage(listed, '<a@x>', 10)?.uid, 2)
  assert.equal(sameMessage(listed, '<a@x>', 11), undefined)
  assert.equal(sameMessage(listed, '<b@x>', 10), undefined)
})

// [mbnames] incremental = yes: the file is rewritten as each account finishes, not once at the end.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseConfigText, accountsToSync } from '../../src/config/index.js'
import { mbnamesIncremental, mbnamesAfterRun } from '../../src/mbnames/mbnames-after-run.js'
import { emptyCounts } from '../../src/engine/events.js'
import type { JobRequest } from '../../src/jobs/run-job.js'

async function request(incremental: boolean) {
  const dir = await mkdtemp(join(tmpdir(), 'mbnames-inc-'))
  const file = join(dir, 'muttrc.mailboxes')
  const config = parseConfigText(`[general]\naccounts = home, work\nmetadata = ${join(dir, 'state')}\n[mbnames]\nenabled = yes\nfilename = ${file}\nheader = "mailboxes "\nperitem = +%(accountname)s/%(foldername)s\nsep = " "\nfooter = "\\n"\nincremental = ${incremental ? 'yes' : 'no'}\n` +
    ['home', 'work'].map((a) => `[Account ${a}]\nlocalrepository = ${a}-l\nremoterepository = ${a}-r\n[Repository ${a}-l]\ntype = Maildir\nlocalfolders = ${join(dir, a)}\n[Repository ${a}-r]\ntype = Maildir\nlocalfolders = ${join(dir, a + '-r')}\n`).join(''), join(dir, 'config'))
  const req: JobRequest = { policy: 'sync', config, accounts: accountsToSync(config), dryRun: false }
  return { req, file }
}

const done = (account: string, folderB: string) => ({ type: 'folder-done' as const, account, folderA: folderB, folderB, counts: emptyCounts(), ms: 1 })
const accountDone = (account: string) => ({ type: 'account-done' as const, account, counts: emptyCounts(), ms: 1 })

test('incremental: the file lists each account as soon as it is done', async () => {
  const { req, file } = await request(true)
  const inc = mbnamesIncremental(req)!
  inc.tap(done('home', 'INBOX'))
  inc.tap(accountDone('home'))
  await inc.flush()
  assert.equal(await readFile(file, 'utf8'), 'mailboxes +home/INBOX\n')
  inc.tap(done('work', 'INBOX'))
  inc.tap(done('work', 'Sent'))
  inc.tap(accountDone('work'))
  await inc.flush()
  assert.equal(await readFile(file, 'utf8'), 'mailboxes +home/INBOX +work/INBOX +work/Sent\n')
  // the end-of-run write does not run again
  assert.equal(await mbnamesAfterRun(req, { counts: emptyCounts(), exitCode: 0, folders: [], errors: [], ms: 1 }), undefined)
})

test('not incremental: no writes while the run goes on', async () => {
  const { req, file } = await request(false)
  assert.equal(mbnamesIncremental(req), undefined)
  assert.equal(existsSync(file), false)
})

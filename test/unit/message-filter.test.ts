// maxage / startdate / maxsize (OfflineIMAP's names) and --since / --before decide which
// messages a copy may include.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseConfigText, accountsToSync } from '../../src/config/index.js'
import { messageFilter } from '../../src/jobs/message-filter.js'
import type { MessageMeta } from '../../src/repository/types.js'

const DAY = 86_400_000
const NOW = Date.UTC(2026, 10, 23)
const m = (daysAgo: number, size = 1000): MessageMeta => ({ uid: 1, flags: [], size, internalDate: NOW - daysAgo * DAY })

function account(options: string) {
  const cfg = parseConfigText(`[general]\naccounts = a\n[Account a]\nlocalrepository = l\nremoterepository = r\n${options}\n[Repository l]\ntype = Maildir\nlocalfolders = /tmp/x\n[Repository r]\ntype = Maildir\nlocalfolders = /tmp/y\n`, 'test.conf')
  return accountsToSync(cfg)[0]!
}

test('no filter options: every message is eligible', () => {
  assert.equal(messageFilter(account(''), { now: NOW }), undefined)
})

test('maxage keeps messages at most that many days old', () => {
  const f = messageFilter(account('maxage = 30'), { now: NOW })!
  assert.equal(f(m(10)), true)
  assert.equal(f(m(31)), false)
})

test('startdate keeps messages from that date on', () => {
  const f = messageFilter(account('startdate = 2026-11-01'), { now: NOW })!
  assert.equal(f(m(10)), true)
  assert.equal(f(m(40)), false)
})

test('maxsize leaves out larger messages', () => {
  const f = messageFilter(account('maxsize = 5000'), { now: NOW })!
  assert.equal(f(m(1, 4000)), true)
  assert.equal(f(m(1, 6000)), false)
})

test('--since and --before bound the internal date, and combine with the account options', () => {
  const f = messageFilter(account('maxsize = 5000'), { now: NOW, since: new Date(NOW - 20 * DAY), before: new Date(NOW - 5 * DAY) })!
  assert.equal(f(m(10)), true)
  assert.equal(f(m(25)), false)
  assert.equal(f(m(2)), false)
  assert.equal(f(m(10, 9000)), false)
})

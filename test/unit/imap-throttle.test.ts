// What counts as a server throttling us (each provider's own words), and the bounded back-off:
// doubling pauses or the server's suggestion, within maxthrottlewait, then an exhausted error
// that no caller waits for again.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { throttleSign, toMailsyncError } from '../../src/repository/imap/errors.js'
import { ThrottleWaits, type ThrottleReport } from '../../src/repository/imap/throttle-wait.js'
import { EXIT, MailsyncError, ThrottledError } from '../../src/errors.js'

const reply = (text: string, extra: Record<string, unknown> = {}) => Object.assign(new Error('Command failed'), { responseStatus: 'NO', responseText: text, ...extra })
const ctx = { repository: 'R', user: 'u', host: 'h', port: 993, action: 'SELECT INBOX on' }

test('throttle replies: response codes, Gmail\'s and Microsoft\'s texts; other refusals are not', () => {
  const table: [unknown, boolean, number | undefined][] = [
    [reply('slow down', { serverResponseCode: 'THROTTLED' }), true, undefined],
    [reply('over the limit', { serverResponseCode: 'LIMIT' }), true, undefined],
    [reply('mailbox locked', { serverResponseCode: 'INUSE' }), true, undefined],
    [reply('backend down', { serverResponseCode: 'UNAVAILABLE' }), true, undefined],
    // imapflow's FETCH keeps the code only in the parsed response
    [reply('Try again later', { response: { attributes: [{ section: [{ value: 'THROTTLED' }] }, { value: 'Try again later' }] } }), true, undefined],
    [reply('[ALERT] Account exceeded command or bandwidth limits. (Failure)'), true, undefined],
    [reply('Request is throttled. Suggested Backoff Time: 299961 milliseconds'), true, 299961],
    // imapflow waited part of Microsoft's suggestion already
    [reply('Request is throttled. Suggested Backoff Time: 5000 milliseconds', { code: 'ETHROTTLE', throttleReset: 5000, throttleWaited: 3000 }), true, 2000],
    [reply('[AUTHENTICATIONFAILED] Invalid credentials', { authenticationFailed: true, serverResponseCode: 'AUTHENTICATIONFAILED' }), false, undefined],
    [reply('[NONEXISTENT] no such folder', { serverResponseCode: 'NONEXISTENT' }), false, undefined],
    [reply('Message too large'), false, undefined],
  ]
  for (const [err, throttled, after] of table) {
    const sign = throttleSign(err)
    assert.equal(sign !== undefined, throttled, (err as Error & { responseText: string }).responseText)
    assert.equal(sign?.retryAfterMs, after)
  }
})

test('a throttled LOGIN is a throttle, not a refused password (which would lock the login gate)', () => {
  const err = toMailsyncError(reply('[ALERT] Account exceeded command or bandwidth limits.', { authenticationFailed: true }), { ...ctx, action: 'connecting to' })
  assert.ok(err instanceof ThrottledError)
  assert.equal(err.kind, 'throttled')
  assert.equal(err.exitCode, EXIT.throttled)
})

function waits(budgetMs: number) {
  const slept: number[] = []
  const told: ThrottleReport[] = []
  const w = new ThrottleWaits({ repository: 'R', budgetMs, onThrottle: (r) => told.push(r), sleep: async (ms) => void slept.push(ms) })
  return { w, slept, told }
}
const toErr = (e: unknown) => toMailsyncError(e, ctx)

test('back-off: doubling pauses until the command goes through; each pause told', async () => {
  const { w, slept, told } = waits(600_000)
  let tries = 0
  const got = await w.retrying('SELECT INBOX on', async () => {
    if (++tries <= 3) throw reply('slow down', { serverResponseCode: 'THROTTLED' })
    return 'ok'
  }, toErr)
  assert.equal(got, 'ok')
  assert.deepEqual(slept, [1000, 2000, 4000])
  assert.deepEqual(told.map((t) => [t.attempt, t.waitMs]), [[1, 1000], [2, 2000], [3, 4000]])
  assert.match(told[0]!.text, /\[THROTTLED\] slow down/)
})

test('back-off: the server\'s suggestion is honoured; past the budget the error stands, exhausted, and says when to try again', async () => {
  const { w, slept } = waits(10_000)
  let tries = 0
  await assert.rejects(w.retrying('SELECT INBOX on', async () => {
    tries++
    throw reply(`Request is throttled. Suggested Backoff Time: ${tries === 1 ? 4000 : 60000} milliseconds`)
  }, toErr), (e: unknown) => {
    assert.ok(e instanceof ThrottledError && e.exhausted)
    assert.match(e.message, /the server asks to wait 60 s, more than maxthrottlewait \(10 s\) allows/)
    assert.match(e.hint ?? '', /nothing was lost.*after \d{4}-\d\d-\d\d \d\d:\d\d UTC/)
    return true
  })
  assert.deepEqual(slept, [4000])
  // an exhausted error is not waited for again by an outer caller
  const outer = waits(600_000)
  await assert.rejects(outer.w.retrying('x', async () => { throw new ThrottledError('gave up', { serverText: 't', exhausted: true }) }, toErr), ThrottledError)
  assert.deepEqual(outer.slept, [])
})

test('back-off: anything but a throttle reply fails at once; maxthrottlewait = 0 never waits', async () => {
  const { w, slept } = waits(600_000)
  await assert.rejects(w.retrying('x', async () => { throw reply('[NONEXISTENT] no such folder', { serverResponseCode: 'NONEXISTENT' }) }, toErr), (e: unknown) => e instanceof MailsyncError && e.kind === 'server')
  const none = waits(0)
  await assert.rejects(none.w.retrying('x', async () => { throw reply('slow', { serverResponseCode: 'THROTTLED' }) }, toErr), (e: unknown) => e instanceof ThrottledError && e.exhausted)
  assert.deepEqual([...slept, ...none.slept], [])
})

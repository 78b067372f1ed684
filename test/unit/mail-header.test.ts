// One reading of header fields for every place that looks at one.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { headerField, headerPart, messageIdFromHeader } from '../../src/mail/header.js'
import { SeededRandom } from '../support/seeded-random.js'

test('a Message-ID is the first <...> of the field, whatever surrounds or folds it', () => {
  for (const h of ['Message-ID: <a@b>\r\n', 'message-id:\r\n  <a@b>  \r\n\r\n', 'Message-Id: <a@b> (comment)\n', 'Subject: x\nMessage-ID:\n\t<a@b>\n\nMessage-ID: <body@x>\n']) {
    assert.equal(messageIdFromHeader(Buffer.from(h)), '<a@b>', JSON.stringify(h))
  }
  assert.equal(messageIdFromHeader('Message-ID: no-brackets@x\r\n'), 'no-brackets@x')
  assert.equal(messageIdFromHeader('Subject: x\r\n\r\nMessage-ID: <only-in-body@x>\r\n'), undefined)
})

test('fields are unfolded and their bytes read as UTF-8; the header ends at the first empty line', () => {
  const msg = Buffer.concat([Buffer.from('Subject: Gr'), Buffer.from('üße', 'utf8'), Buffer.from('\r\n and more\r\n\r\nbody')])
  assert.equal(headerField(msg, 'subject'), 'Grüße and more')
  assert.equal(headerPart(msg).toString(), 'Subject: Grüße\r\n and more\r\n')
  assert.equal(headerPart(Buffer.from('\r\nbody')).length, 0)
})

test('headerField reads what a line-by-line reading of the header gives, for any header (seeded cases)', () => {
  // the plain meaning: split into lines, stop at the first empty one, a field line and the lines
  // starting with a blank after it
  const reference = (text: string, name: string): string | undefined => {
    const lines = text.split(/\r?\n/)
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!
      if (line === '') break
      const colon = line.indexOf(':')
      if (colon <= 0 || line[0] === ' ' || line[0] === '\t') continue
      if (line.slice(0, colon).replace(/[ \t]+$/, '').toLowerCase() !== name) continue
      let value = line.slice(colon + 1)
      while (i + 1 < lines.length && /^[ \t]/.test(lines[i + 1]!)) value += lines[++i]
      return Buffer.from(value.trim(), 'latin1').toString('utf8')
    }
    return undefined
  }
  const rnd = new SeededRandom(5)
  const pick = <T>(xs: readonly T[]): T => xs[rnd.int(0, xs.length - 1)]!
  const names = ['Subject', 'subject', 'SUBJECT', 'Message-ID', 'X-Subject', 'From', ' Subject', 'Sub\rject']
  const values = ['', ' a', ' <m@x>', '\t\u00e9 b ', ':x', ' a\rb']
  const breaks = ['\r\n', '\r\n', '\n', '\r', '\r\n\r\n', '\n\n']
  let found = 0
  for (let k = 0; k < 3000; k++) {
    const lines = Array.from({ length: rnd.int(1, 6) }, () =>
      rnd.chance(0.7) ? `${pick(names)}${pick(['', ' ', '\t '])}:${pick(values)}` : `${pick([' ', '\t', ''])}${pick(values)}`)
    const text = lines.map((l) => l + pick(breaks)).join('')
    for (const name of ['subject', 'message-id']) {
      const want = reference(text, name)
      assert.equal(headerField(text, name), want, `${name} of ${JSON.stringify(text)}`)
      assert.equal(headerField(Buffer.from(text, 'latin1'), name), want, `${name} of the bytes ${JSON.stringify(text)}`)
      if (want !== undefined) found++
    }
  }
  assert.ok(found > 300, `fields were found often enough to mean something (${found})`)
})

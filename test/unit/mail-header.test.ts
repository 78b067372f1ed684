// One reading of header fields for every place that looks at one.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { headerField, headerPart, messageIdFromHeader } from '../../src/mail/header.js'

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

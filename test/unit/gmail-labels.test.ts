// Gmail labels: X-GM-LABELS as the server sends it (atoms, quoted strings, literals, modified
// UTF-7), the label set a listing holds, X-GM-MSGID, and labels spelled as IMAP keywords.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { canonicalLabel, decodeLabel, normalizeLabels, parseLabelsItem, parseMsgIdItem } from '../../src/repository/gmail/labels.js'
import { keywordLabel, labelKeyword } from '../../src/repository/gmail/label-keywords.js'
import { parseFetchResponse } from '../../src/repository/imap/raw/fetch-response.js'

/** One untagged FETCH as the raw reader hands it over. */
function fetchItems(line: string | string[], literals: Buffer[] = []) {
  const text = Array.isArray(line) ? line : [line]
  const r = parseFetchResponse({ text, literals })
  assert.ok(r, 'a FETCH response')
  return r.items
}

test('X-GM-LABELS: system labels in Gmail spelling, quoted and mUTF-7 user labels decoded, sorted, once each', () => {
  const items = fetchItems('* 3 FETCH (UID 7 X-GM-MSGID 1278455344230334865 X-GM-LABELS ("\\\\Important" \\Inbox Work "My Label" Entw&APw-rfe Lists/Debian \\inbox))')
  assert.deepEqual(parseLabelsItem(items.get('X-GM-LABELS')), ['Entwürfe', 'Lists/Debian', 'My Label', 'Work', '\\Important', '\\Inbox'])
  assert.equal(parseMsgIdItem(items.get('X-GM-MSGID')), '1278455344230334865')
})

test('X-GM-LABELS as a literal and as an empty list; absent says nothing', () => {
  const items = fetchItems(['* 1 FETCH (UID 1 X-GM-LABELS ({7}', '))'], [Buffer.from('Re&AOk-')])
  assert.deepEqual(parseLabelsItem(items.get('X-GM-LABELS')), ['Reé'])
  assert.deepEqual(parseLabelsItem(fetchItems('* 1 FETCH (UID 1 X-GM-LABELS ())').get('X-GM-LABELS')), [])
  assert.equal(parseLabelsItem(fetchItems('* 1 FETCH (UID 1 FLAGS (\\Seen))').get('X-GM-LABELS')), undefined)
})

test('a label that is not valid modified UTF-7 is taken as written; unknown system labels keep their spelling', () => {
  assert.equal(decodeLabel('R&D'), 'R&D')
  assert.equal(decodeLabel('Größe'), 'Größe')
  assert.equal(canonicalLabel('\\SENT'), '\\Sent')
  assert.equal(canonicalLabel('\\Whatever'), '\\Whatever')
  assert.deepEqual(normalizeLabels(['b', '', 'a', '\\draft', 'b']), ['\\Draft', 'a', 'b'].sort())
})

test('X-GM-MSGID: decimal, without leading zeros; a malformed one is none', () => {
  assert.equal(parseMsgIdItem('0042'), '42')
  assert.equal(parseMsgIdItem('12a'), undefined)
  assert.equal(parseMsgIdItem(undefined), undefined)
})

test('labels as keywords: atoms only, documented spellings, and back again', () => {
  const cases: [string, string][] = [
    ['\\Inbox', '$Inbox'],
    ['\\Important', '$Important'],
    ['Work', 'Work'],
    ['Lists/Debian', 'Lists/Debian'],
    ['My Label', 'My&ACA-Label'],
    ['Entwürfe', 'Entw&APw-rfe'],
    ['R&D', 'R&-D'],
    ['$Money', '&ACQ-Money'],
    ['a(b)"c"', 'a&ACg-b&ACkAIg-c&ACI-'],
  ]
  for (const [label, keyword] of cases) {
    assert.equal(labelKeyword(label), keyword, label)
    assert.match(keyword, /^[^\s(){%*"\\\]]+$/, `${keyword} is an atom`)
    assert.equal(keywordLabel(keyword), label, keyword)
  }
  assert.equal(keywordLabel('bad keyword'), undefined)
  assert.equal(keywordLabel('&AB'), undefined)
})

// A folder name a hostile server sends may hold control characters (CR, LF, ESC...). The plain
// text view must still print each event as one line, and must not pass terminal escape
// sequences through: they are shown as \r, \n, \xNN.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { renderEventLine } from '../../src/cli/render-lines.js'

test('an error naming a folder with CR LF, ESC and NUL renders as one visible line', () => {
  const name = 'new\r\nline\x1b[2Jesc\x00nul'
  const line = renderEventLine({ type: 'error', account: 't', folder: name, kind: 'server', message: `folder ${name} -> ${name}: STATUS ${name} failed` }, 'normal')!
  assert.doesNotMatch(line.text, /[\x00-\x1f\x7f]/, JSON.stringify(line.text))
  assert.match(line.text, /new\\r\\nline\\x1b\[2Jesc\\x00nul/)
})

test('a warning and a folder-done line are escaped too; plain text is left alone', () => {
  const w = renderEventLine({ type: 'warning', account: 't', folder: 'a\tb', message: 'bell\x07' }, 'normal')!
  assert.equal(w.text, 'warning: t a\\tb: bell\\x07')
  const ok = renderEventLine({ type: 'error', account: 't', folder: 'Ünïcödé 📬', kind: 'data', message: 'fine' }, 'normal')!
  assert.equal(ok.text, 'error: t Ünïcödé 📬: fine (data)')
})

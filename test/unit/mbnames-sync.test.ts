// mbnames through the real CLI: after `mailsync sync` (two Maildirs, no server needed) the file
// holds `mailboxes` lines that mutt / neomutt read, and every path named is a Maildir on disk.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, statSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { runCli, sandbox } from '../e2e/cli-child.js'
import { maildirRepository, oneAccountConfig } from '../support/config-text.js'
import { makeMaildirFolder } from '../support/corpus-files.js'

/** mutt's command-line tokenizer, as far as `mailboxes` lines need it: blanks separate words,
 * "double quotes" (with \\ escapes) and 'single quotes' group, \\ escapes outside quotes, # starts a comment. */
export function muttWords(line: string): string[] {
  const words: string[] = []
  let cur = ''
  let inWord = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!
    if (ch === '#' && !inWord) break
    if (ch === ' ' || ch === '\t') {
      if (inWord) words.push(cur)
      cur = ''
      inWord = false
      continue
    }
    inWord = true
    if (ch === '\\') cur += line[++i] ?? ''
    else if (ch === '"') {
      for (i++; i < line.length && line[i] !== '"'; i++) cur += line[i] === '\\' ? line[++i] ?? '' : line[i]
      if (i >= line.length) throw new Error(`unterminated " in: ${line}`)
    } else if (ch === "'") {
      const end = line.indexOf("'", i + 1)
      if (end < 0) throw new Error(`unterminated ' in: ${line}`)
      cur += line.slice(i + 1, end)
      i = end
    } else cur += ch
  }
  if (inWord) words.push(cur)
  return words
}

test('the mutt tokenizer reads quotes, escapes and comments', () => {
  assert.deepEqual(muttWords(`mailboxes "+a/My Folder" '+b/x y' +c/d\\ e # comment`), ['mailboxes', '+a/My Folder', '+b/x y', '+c/d e'])
  assert.throws(() => muttWords('mailboxes "+a'), /unterminated/)
})

async function maildirMessage(root: string, folder: string, name: string): Promise<void> {
  const dir = join(root, folder)
  makeMaildirFolder(dir)
  await writeFile(join(dir, 'cur', `${name}:2,S`), `From: a@example.org\nMessage-ID: <${name}@t>\nSubject: ${name}\n\nbody\n`)
}

test('sync writes a mailboxes line that neomutt reads, naming Maildirs that exist', async () => {
  const box = await sandbox()
  const mail = join(box.dir, 'Mail')
  const src = join(box.dir, 'source')
  await maildirMessage(src, 'INBOX', 'm1')
  await maildirMessage(src, 'My Folder', 'm2')
  await maildirMessage(src, 'Trash', 'm3')
  const file = await box.writeConfig(oneAccountConfig({
    account: 'work',
    metadata: join(box.dir, 'state'),
    remote: maildirRepository('R', src),
    local: maildirRepository('L', join(mail, 'work'), 'sep = /\n'),
    extra: `
[mbnames]
enabled = true
filename = ${join(box.dir, 'muttrc.mailboxes')}
header = "mailboxes "
peritem = "+%(accountname)s/%(foldername)s"
sep = " "
footer = "\\n"
folderfilter = (account, folder) => folder !== 'Trash'
`,
  }))
  const r = await runCli(['sync', '-c', file, '-q'], box.env)
  assert.equal(r.code, 0, r.stderr)
  const text = await readFile(join(box.dir, 'muttrc.mailboxes'), 'utf8')
  const lines = text.split('\n').filter((l) => l.trim() !== '')
  assert.equal(lines.length, 1, text)
  const [command, ...items] = muttWords(lines[0]!)
  assert.equal(command, 'mailboxes')
  assert.deepEqual(items, ['+work/INBOX', '+work/My Folder'])
  for (const item of items) {
    const path = join(mail, item.slice(1)) // `+` is mutt's $folder, here ~/Mail
    for (const sub of ['cur', 'new', 'tmp']) assert.ok(existsSync(join(path, sub)) && statSync(join(path, sub)).isDirectory(), `${path} is a Maildir`)
  }

  const dry = await runCli(['sync', '-c', file, '-q', '--dry-run'], box.env)
  assert.equal(dry.code, 0, dry.stderr)
  assert.equal(await readFile(join(box.dir, 'muttrc.mailboxes'), 'utf8'), text, 'a dry run leaves the file alone')
})

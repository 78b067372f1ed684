// Batch files: imapsync-style positional lines and header files, quoting, host:port, row errors
// that name the line but never a password, and the 0600 rule for files holding passwords.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseBatchFile, readBatchFile, type BatchFile } from '../../src/batch/batch-file.js'
import { ConfigError, EXIT } from '../../src/errors.js'

const FILE = '/cfg/batch.csv'
const SECRET = 'Zq7-unmistakable-secret'
const parse = (text: string): BatchFile => parseBatchFile(text, FILE)

/** Assert that `fn` throws a ConfigError whose message contains every part; return it. */
function configError(fn: () => unknown, ...parts: (string | RegExp)[]): ConfigError {
  let caught: unknown
  try {
    fn()
  } catch (e) {
    caught = e
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`)
  assert.equal(caught.exitCode, EXIT.config)
  for (const p of parts) {
    if (typeof p === 'string') assert.ok(caught.message.includes(p), `"${caught.message}" should contain "${p}"`)
    else assert.match(caught.message, p)
  }
  return caught
}

test('positional semicolon file, imapsync style: trailing ";", comments and blank lines skipped', () => {
  const b = parse(
    [
      '# source; user; password; target; user; password',
      '',
      'imap.old.example;alice;pw1;imap.new.example;alice@new.example;pw2;',
      '   # indented comment',
      '   ',
      'IMAP.Old.Example;bob;;imap.new.example;bob;;',
      'imap.old.example;carol;p#3;imap.new.example;carol;p4',
      '',
    ].join('\n'),
  )
  assert.equal(b.delimiter, ';')
  assert.deepEqual(b.errors, [])
  assert.equal(b.rows.length, 3)
  assert.deepEqual(b.rows[0], {
    line: 3,
    source: { host: 'imap.old.example', user: 'alice', password: 'pw1' },
    target: { host: 'imap.new.example', user: 'alice@new.example', password: 'pw2' },
    key: 'imap.old.example:/alice -> imap.new.example:/alice@new.example',
  })
  // Empty passwords are absent, hosts keep their case but the key lower-cases them.
  assert.deepEqual(b.rows[1]!.source, { host: 'IMAP.Old.Example', user: 'bob' })
  assert.equal(b.rows[1]!.target.password, undefined)
  assert.equal(b.rows[1]!.line, 6)
  assert.equal(b.rows[1]!.key, 'imap.old.example:/bob -> imap.new.example:/bob')
  // A `#` inside a field is text, not a comment; no trailing delimiter is fine too.
  assert.equal(b.rows[2]!.source.password, 'p#3')
  assert.equal(b.rows[2]!.target.password, 'p4')
  assert.equal(b.rows[2]!.line, 7)
  assert.equal(b.hasPasswords, true)
})

test('comma file with a header in another order, with port, tls, folders and prefix columns', () => {
  const b = parse(
    [
      ' User2 , HOST2,port2,tls2, host1 ,user1,PORT1,tls1,folders,prefix',
      'alice,new.example,993,IMAPS,old.example,alice.old,143,StartTLS, INBOX | Sent |Archive/2020 ,Old/',
      'bob,new.example,,,old.example,bob,,none,,',
    ].join('\n'),
  )
  assert.equal(b.delimiter, ',')
  assert.deepEqual(b.errors, [])
  assert.equal(b.hasPasswords, false)
  assert.deepEqual(b.rows[0], {
    line: 2,
    source: { host: 'old.example', port: 143, user: 'alice.old', tls: 'starttls' },
    target: { host: 'new.example', port: 993, user: 'alice', tls: 'imaps' },
    folders: ['INBOX', 'Sent', 'Archive/2020'],
    prefix: 'Old/',
    key: 'old.example:143/alice.old -> new.example:993/alice',
  })
  // Empty folders means all folders; empty prefix, port and tls are absent.
  assert.deepEqual(b.rows[1], {
    line: 3,
    source: { host: 'old.example', user: 'bob', tls: 'none' },
    target: { host: 'new.example', user: 'bob' },
    key: 'old.example:/bob -> new.example:/bob',
  })
})

test('header file with password columns; a numeric-looking prefix stays a string', () => {
  const b = parse('host1;user1;password1;host2;user2;password2;prefix\na;u;s1;b;u;;2024\n')
  assert.equal(b.rows[0]!.source.password, 's1')
  assert.equal(b.rows[0]!.target.password, undefined)
  assert.equal(b.rows[0]!.prefix, '2024')
  assert.equal(b.hasPasswords, true)
})

test('quoted passwords keep ";", escaped quotes and spaces; unquoted ones are taken as they are', () => {
  const b = parse(
    [
      'a.example;alice;" p;a""ss ";b.example;alice;"""x""";',
      'a.example;bob;my pass word ;b.example;bob;"";',
      '"a.example" ; "carol" ;"c,1";b.example;carol;last one',
    ].join('\n'),
  )
  assert.deepEqual(b.errors, [])
  assert.equal(b.delimiter, ';')
  assert.equal(b.rows[0]!.source.password, ' p;a"ss ')
  assert.equal(b.rows[0]!.target.password, '"x"')
  assert.equal(b.rows[1]!.source.password, 'my pass word ')
  assert.equal(b.rows[1]!.target.password, undefined)
  // Quoted non-password fields lose their quotes and the spaces around them.
  assert.equal(b.rows[2]!.source.host, 'a.example')
  assert.equal(b.rows[2]!.source.user, 'carol')
  assert.equal(b.rows[2]!.source.password, 'c,1')
  assert.equal(b.rows[2]!.target.password, 'last one')
})

test('delimiter: counted outside quotes; a tie is ";"; one delimiter for the whole file', () => {
  // Two ";" inside quotes, five "," outside: a comma file.
  const c = parse('a.example,alice,"p;w;x",b.example,bob,pw\n')
  assert.equal(c.delimiter, ',')
  assert.equal(c.rows[0]!.source.password, 'p;w;x')
  // One of each: imapsync's ";" wins, so the "," is part of a field.
  const t = parse('a.example;al,ice\n')
  assert.equal(t.delimiter, ';')
  assert.match(t.errors[0]!.message, /^line 1: 2 fields, expected 6/)
  // The first data line decides; a later line in the other style is a field-count error.
  const m = parse('a;u;p;b;u;p\na,v,p,b,v,p\n')
  assert.equal(m.rows.length, 1)
  assert.deepEqual(m.errors, [{ line: 2, message: 'line 2: 1 field, expected 6 (host1;user1;password1;host2;user2;password2)' }])
})

test('host:port in the host column, [v6]:port and bare IPv6', () => {
  const b = parse(
    [
      'old.example:1143;alice;;[::1]:993;alice;',
      '[2001:db8::5];bob;;2001:db8::6;bob;',
      'host1,user1,port1,host2,user2',
    ].join('\n'),
  )
  assert.equal(b.rows.length, 2)
  assert.deepEqual(b.rows[0]!.source, { host: 'old.example', port: 1143, user: 'alice' })
  assert.deepEqual(b.rows[0]!.target, { host: '::1', port: 993, user: 'alice' })
  assert.equal(b.rows[0]!.key, 'old.example:1143/alice -> [::1]:993/alice')
  assert.deepEqual(b.rows[1]!.source, { host: '2001:db8::5', user: 'bob' })
  assert.deepEqual(b.rows[1]!.target, { host: '2001:db8::6', user: 'bob' })
  assert.equal(b.rows[1]!.key, '[2001:db8::5]:/bob -> [2001:db8::6]:/bob')
  // (The third line is data here, not a header: it is not the first line.)
  assert.equal(b.errors.length, 1)

  // A port column wins over nothing; the same port twice is fine; two different ports are an error.
  const h = parse('host1;port1;user1;host2;port2;user2\nold.example;993;a;new.example:993;993;a\nold.example;993;b;new.example:143;993;b\n')
  assert.deepEqual(h.rows[0]!.target, { host: 'new.example', port: 993, user: 'a' })
  assert.equal(h.rows.length, 1)
  assert.deepEqual(h.errors.map((e) => e.line), [3])
  assert.match(h.errors[0]!.message, /^line 3: host2 "new.example:143" names a port other than port2 "993"$/)
})

test('each kind of row error names its line, and the other rows still parse', () => {
  const b = parse(
    [
      'host1;user1;password1;host2;user2;password2;port1;tls2',
      'a.example;ok1;;b.example;ok1;;;',
      'a.example;few;;b.example;few', // 3: field count
      ';nohost;;b.example;nohost;;;', // 4: empty host1
      'a.example;;;b.example;nouser;;;', // 5: empty user1
      'a.example;space;;b .example;space;;;', // 6: host2 with whitespace
      'a.example/x;slash;;b.example;slash;;;', // 7: host1 with "/"
      'a.example;port;;b.example;port;;99999;', // 8: port out of range
      'a.example;port0;;b.example;port0;;0;', // 9: port zero
      'a.example;portx;;b.example;portx;;99x;', // 10: port not a number
      'a.example:abc;hostport;;b.example;hostport;;;', // 11: bad port in host column
      'a.example;tls;;b.example;tls;;;ssl', // 12: tls not in the list
      'a.example;quote;"unterminated;b.example;quote;;;', // 13: unterminated quote
      'A.EXAMPLE;ok1;;b.example;ok1;;;', // 14: same pair as line 2
      'a.example;ok2;;b.example;ok2;;993;STARTTLS',
    ].join('\n'),
  )
  assert.deepEqual(
    b.rows.map((r) => [r.line, r.source.user]),
    [[2, 'ok1'], [15, 'ok2']],
  )
  assert.deepEqual(b.rows[1]!.source.port, 993)
  assert.deepEqual(b.rows[1]!.target.tls, 'starttls')
  assert.deepEqual(b.errors, [
    { line: 3, message: 'line 3: 5 fields, expected 8 (host1;user1;password1;host2;user2;password2;port1;tls2)' },
    { line: 4, message: 'line 4: host1 is empty' },
    { line: 5, message: 'line 5: user1 is empty' },
    { line: 6, message: 'line 6: host2 "b .example" is not a host name: it contains whitespace' },
    { line: 7, message: 'line 7: host1 "a.example/x" is not a host name: it contains "/"' },
    { line: 8, message: 'line 8: port1 "99999" is not a port number (1 to 65535)' },
    { line: 9, message: 'line 9: port1 "0" is not a port number (1 to 65535)' },
    { line: 10, message: 'line 10: port1 "99x" is not a port number (1 to 65535)' },
    { line: 11, message: 'line 11: host1 "a.example:abc": port "abc" is not a port number (1 to 65535)' },
    { line: 12, message: 'line 12: tls2 "ssl" is not one of imaps, starttls, none' },
    { line: 13, message: 'line 13: unterminated quote in field 3 (password1)' },
    { line: 14, message: 'line 14: the same mailbox pair as line 2' },
  ])
})

test('positional field count: the message of the brief, and a non-empty 7th field is an error', () => {
  const b = parse('a;u;p;b;u;p\nh;u;p;b;u\na;u2;p;b;u2;p;extra\na;u3;p;b;u3;p;  \n')
  assert.deepEqual(b.errors, [
    { line: 2, message: 'line 2: 5 fields, expected 6 (host1;user1;password1;host2;user2;password2)' },
    { line: 3, message: 'line 3: 7 fields, expected 6 (host1;user1;password1;host2;user2;password2)' },
  ])
  assert.deepEqual(b.rows.map((r) => r.line), [1, 4])
})

test('one row can report several problems, each its own error', () => {
  const b = parse('host1,user1,host2,user2,tls1\n,u,b.example,,bogus\n')
  assert.deepEqual(b.errors.map((e) => e.message), [
    'line 2: host1 is empty',
    'line 2: tls1 "bogus" is not one of imaps, starttls, none',
    'line 2: user2 is empty',
  ])
  assert.ok(b.errors.every((e) => e.line === 2))
  assert.equal(b.rows.length, 0)
})

test('no error message contains a password', () => {
  const b = parse(
    [
      `a.example;u1;${SECRET};b.example;u1;${SECRET};`,
      `a.example;u2;${SECRET};b .example;u2;${SECRET}`, // bad host
      `a.example;u3;${SECRET}`, // too few fields
      `a.example;u4;${SECRET};b.example;u4;${SECRET};${SECRET}`, // too many
      `a.example;u5;"${SECRET};b.example;u5;${SECRET}`, // unterminated quote in a password
      `a.example;u6;"${SECRET}"x;b.example;u6;p`, // text after a closing quote
      `a.example;u1;${SECRET};b.example;u1;${SECRET};`, // duplicate of line 1
      `a.example:0;;${SECRET};;u8;"${SECRET}"`, // several problems
    ].join('\n'),
  )
  assert.equal(b.rows.length, 1)
  assert.deepEqual(b.errors.map((e) => e.line), [2, 3, 4, 5, 6, 7, 8, 8, 8])
  for (const e of b.errors) {
    assert.ok(!e.message.includes(SECRET), `leaks the password: ${e.message}`)
    assert.ok(!e.message.includes(SECRET.slice(0, 8)), `leaks part of the password: ${e.message}`)
    assert.match(e.message, new RegExp(`^line ${e.line}: `))
  }
  assert.equal(b.errors[4]!.message, 'line 6: text after the closing quote in field 3 (password1)')
})

test('header errors are ConfigErrors naming file and line: unknown column (with a suggestion), missing column', () => {
  const unknown = configError(
    () => parse('# my migration\nhost1;user1;pasword1;host2;user2\na;u;p;b;u\n'),
    `${FILE}:2: `,
    'unknown column "pasword1"',
    'did you mean `password1`?',
  )
  assert.equal(unknown.location.line, 2)
  assert.match(unknown.hint ?? '', /known columns: host1, user1, password1/)
  configError(() => parse('host1,user1,colour\n'), 'unknown column "colour"')
  const missing = configError(() => parse('user2;host1;user1;password1\na;b;c;d\n'), `${FILE}:1: `, 'missing column host2')
  assert.ok(!missing.message.includes('user2'), missing.message)
  configError(() => parse('host1;user1\n'), 'missing columns host2, user2')
  configError(() => parse('host1;user1;host2;user2;host1\n'), 'column "host1" appears twice')
  // Password columns are optional; a header with a trailing delimiter is fine.
  const ok = parse('host1;user1;host2;user2;\na;u;b;u;\n')
  assert.deepEqual(ok.rows[0]!.source, { host: 'a', user: 'u' })
})

test('an empty file is a ConfigError; so is one with only comments or only a header', () => {
  configError(() => parse(''), `${FILE}: `, 'lists no mailboxes')
  configError(() => parse('\uFEFF\r\n# nothing here\r\n   \r\n'), 'lists no mailboxes')
  configError(() => parse('host1;user1;host2;user2\n'), 'lists no mailboxes')
  // A file whose only line is bad is not empty: the row error is reported instead.
  const bad = parse('just-one-field\n')
  assert.deepEqual(bad.errors.map((e) => e.line), [1])
})

test('BOM and CRLF: the header is found and passwords get no trailing CR', () => {
  const b = parse('\uFEFFhost1;user1;password1;host2;user2;password2\r\n# c\r\n\r\na;u;pa ss;b;u;"q "\r\nc;v;x;d;v;y\r\n')
  assert.deepEqual(b.errors, [])
  assert.equal(b.rows.length, 2)
  assert.equal(b.rows[0]!.line, 4)
  assert.equal(b.rows[0]!.source.password, 'pa ss')
  assert.equal(b.rows[0]!.target.password, 'q ')
  assert.equal(b.rows[1]!.target.password, 'y')
  assert.equal(b.rows[1]!.line, 5)
  // Positional CRLF file without a trailing delimiter: the last password has no CR.
  const p = parse('\uFEFFa;u;p1;b;u;p2\r\n')
  assert.equal(p.rows[0]!.target.password, 'p2')
  assert.equal(p.rows[0]!.source.host, 'a')
})

test('readBatchFile: the 0600 rule for files with passwords, and unreadable files', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mailsync-batch-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const write = (name: string, text: string, mode: number): string => {
    const p = join(dir, name)
    writeFileSync(p, text)
    chmodSync(p, mode)
    return p
  }
  const withPasswords = `a.example;alice;${SECRET};b.example;alice;;\n`
  const withoutPasswords = 'a.example;alice;;b.example;alice;;\n'

  const open = write('open.csv', withPasswords, 0o644)
  const refused = configError(() => readBatchFile(open), open, 'holds passwords', '0600', '0644')
  assert.ok(!refused.message.includes(SECRET), refused.message)
  assert.ok(refused.hint?.includes(`chmod 600 ${open}`), refused.hint)
  assert.match(refused.hint ?? '', /leave the password columns empty/)
  assert.ok(!(refused.hint ?? '').includes(SECRET))
  configError(() => readBatchFile(write('group.csv', withPasswords, 0o640)), 'holds passwords')

  // A password on a line with an error still counts.
  configError(() => readBatchFile(write('bad-row.csv', `${withoutPasswords}a.example;bob;${SECRET};b .example;bob;;\n`, 0o644)), 'holds passwords')

  // So does a line that cannot be split into columns: it may hold one.
  const unreadable = write('unreadable.csv', `${withoutPasswords}a.example;carol;"${SECRET};b.example;carol;;\n`, 0o644)
  const maybe = configError(() => readBatchFile(unreadable), 'line 2 could not be read and may hold a password', '0600')
  assert.ok(!maybe.message.includes(SECRET) && !(maybe.hint ?? '').includes(SECRET))
  assert.equal(readBatchFile(write('unreadable-private.csv', `${withoutPasswords}a.example;carol;"${SECRET};b.example;carol;;\n`, 0o600)).errors.length, 1)

  const plain = readBatchFile(write('plain.csv', withoutPasswords, 0o644))
  assert.equal(plain.hasPasswords, false)
  assert.equal(plain.rows[0]!.key, 'a.example:/alice -> b.example:/alice')

  const privateFile = readBatchFile(write('private.csv', withPasswords, 0o600))
  assert.equal(privateFile.hasPasswords, true)
  assert.equal(privateFile.rows[0]!.source.password, SECRET)

  configError(() => readBatchFile(join(dir, 'missing.csv')), join(dir, 'missing.csv'), 'cannot read', 'ENOENT')
  configError(() => readBatchFile(dir), 'cannot read')
  // A file-level problem in a file read from disk is reported too.
  configError(() => readBatchFile(write('empty.csv', '', 0o600)), 'lists no mailboxes')
})

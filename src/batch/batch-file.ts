// Reads a migration batch file: a CSV listing mailbox pairs to migrate, in imapsync's column
// order `host1;user1;password1;host2;user2;password2` (source = 1, target = 2), or with a header
// line naming the columns in any order. Problems with single rows are collected, not thrown, so one
// bad line does not stop the others; no message ever repeats a password or a raw line.
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs'
import { ConfigError } from '../errors.js'
import { nearestName } from '../config/suggest.js'

/** How to secure the connection to one side: implicit TLS, STARTTLS, or none. */
export type BatchTls = 'imaps' | 'starttls' | 'none'

/** One end (source or target) of a mailbox pair. */
export interface BatchSide {
  /** Host name or address, as given (an IPv6 address without its brackets). */
  host: string
  /** From the port column, or split off a `host:port` host column; undefined when neither gives one. */
  port?: number
  user: string
  /** Undefined when the password column is absent or empty. */
  password?: string
  /** Lower-cased value of the tls column; undefined when absent or empty. */
  tls?: BatchTls
}

/** A side as shown (and kept in the ledger): `user@host[:port]`, an IPv6 host in brackets; never its password. */
export function sideLabel(s: Pick<BatchSide, 'host' | 'port' | 'user'>): string {
  return `${s.user}@${s.host.includes(':') ? `[${s.host}]` : s.host}${s.port ? `:${s.port}` : ''}`
}

/** One mailbox pair to migrate. */
export interface BatchRow {
  /** 1-based line number in the file. */
  line: number
  source: BatchSide
  target: BatchSide
  /** Folders to migrate (the `folders` column split at `|`, each trimmed); undefined means all folders. */
  folders?: string[]
  /** Prefix for the target's folder names (the `prefix` column); undefined when empty. */
  prefix?: string
  /** Stable identity of the mailbox pair, without any password: `host1:port1/user1 -> host2:port2/user2` where a missing port is written as the empty string, e.g. `a.example:/alice -> b.example:993/alice`. Lower-case the hosts. */
  key: string
}

/** A line that could not be used. `message` starts `line N: ` and never holds a password. */
export interface BatchRowError {
  line: number
  message: string
}

/** A parsed batch file. */
export interface BatchFile {
  /** The usable rows, in file order. */
  rows: BatchRow[]
  /** One entry per problem found on a line; such lines are not in `rows`. */
  errors: BatchRowError[]
  /** Whether some row in `rows` has a password. */
  hasPasswords: boolean
  /** The delimiter used throughout the file. */
  delimiter: ',' | ';'
}

const KNOWN_COLUMNS = [
  'host1', 'user1', 'password1', 'host2', 'user2', 'password2',
  'port1', 'port2', 'tls1', 'tls2', 'folders', 'prefix',
] as const
type Column = (typeof KNOWN_COLUMNS)[number]

/** imapsync's order, used when there is no header line. */
const POSITIONAL: readonly Column[] = ['host1', 'user1', 'password1', 'host2', 'user2', 'password2']
const REQUIRED: readonly Column[] = ['host1', 'user1', 'host2', 'user2']
const TLS_VALUES: readonly BatchTls[] = ['imaps', 'starttls', 'none']

/** One field of a line: its text (unquoted and unescaped, untrimmed) and whether it was quoted. */
interface Field {
  text: string
  quoted: boolean
}

type SplitResult = { fields: Field[] } | { badField: number; problem: string }

/**
 * Split one line (without its line end) into fields. A field is quoted when its first non-space
 * character is `"`; inside, `""` is a quote and the delimiter is plain text. Quoted fields do not
 * span lines. A `"` later in an unquoted field is taken literally.
 */
function splitFields(line: string, delimiter: string): SplitResult {
  const fields: Field[] = []
  let i = 0
  for (;;) {
    let j = i
    while (line[j] === ' ' || line[j] === '\t') j++
    if (line[j] === '"') {
      let text = ''
      let k = j + 1
      for (;;) {
        if (k >= line.length) return { badField: fields.length, problem: 'unterminated quote' }
        if (line[k] === '"') {
          if (line[k + 1] === '"') {
            text += '"'
            k += 2
            continue
          }
          k++
          break
        }
        text += line[k]
        k++
      }
      while (line[k] === ' ' || line[k] === '\t') k++
      fields.push({ text, quoted: true })
      if (k >= line.length) return { fields }
      if (line[k] !== delimiter) return { badField: fields.length - 1, problem: 'text after the closing quote' }
      i = k + 1
    } else {
      const next = line.indexOf(delimiter, i)
      if (next < 0) {
        fields.push({ text: line.slice(i), quoted: false })
        return { fields }
      }
      fields.push({ text: line.slice(i, next), quoted: false })
      i = next + 1
    }
  }
}

/** Whichever of `;` and `,` occurs more often outside double quotes; a tie is `;` (imapsync's). */
function chooseDelimiter(line: string): ',' | ';' {
  let semicolons = 0
  let commas = 0
  let quoted = false
  for (const c of line) {
    if (c === '"') quoted = !quoted
    else if (!quoted && c === ';') semicolons++
    else if (!quoted && c === ',') commas++
  }
  return commas > semicolons ? ',' : ';'
}

/** A value for a message: JSON-quoted and cut short. Never used on passwords. */
function show(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)
}

function isSkipped(line: string): boolean {
  const t = line.trim()
  return t === '' || t.startsWith('#')
}

/** Split `host:port`, `[v6]:port` or `[v6]`; a bare IPv6 address (two or more colons) is only a host. */
function splitHostPort(value: string): { host: string; port?: string } {
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(value)
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] }
  const colon = value.indexOf(':')
  if (colon >= 0 && value.indexOf(':', colon + 1) < 0) return { host: value.slice(0, colon), port: value.slice(colon + 1) }
  return { host: value }
}

function parsePort(text: string): number | undefined {
  if (!/^[0-9]{1,5}$/.test(text)) return undefined
  const n = Number(text)
  return n >= 1 && n <= 65535 ? n : undefined
}

/** The password in a field: a quoted field exactly; an unquoted one as it is (blank means none). */
function passwordOf(field: Field | undefined): string | undefined {
  if (!field) return undefined
  if (field.quoted) return field.text === '' ? undefined : field.text
  return field.text.trim() === '' ? undefined : field.text
}

function hostForKey(host: string): string {
  const h = host.toLowerCase()
  return h.includes(':') ? `[${h}]` : h
}

function sideKey(side: BatchSide): string {
  return `${hostForKey(side.host)}:${side.port ?? ''}/${side.user}`
}

/** What the parser found, plus what the mode check needs to know beyond `hasPasswords`. */
interface Parsed {
  batch: BatchFile
  /** A line that could not be split into its columns, in a file with password columns: it may hold one. */
  unreadableLine?: number
  /** A line with an error whose password column is not empty. */
  passwordInErrorLine?: number
}

function parse(text: string, file: string): Parsed {
  if (text.startsWith('\uFEFF')) text = text.slice(1)
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))

  const first = lines.findIndex((l) => !isSkipped(l))
  const delimiter = first < 0 ? ';' : chooseDelimiter(lines[first]!)
  let columns: readonly Column[] = POSITIONAL
  let dataFrom = first < 0 ? lines.length : first

  if (first >= 0) {
    const header = readHeader(lines[first]!, delimiter, file, first + 1)
    if (header) {
      columns = header
      dataFrom = first + 1
    }
  }

  const index = new Map<Column, number>(columns.map((c, i) => [c, i]))
  const hasPasswordColumns = index.has('password1') || index.has('password2')
  const expected = `${columns.length} (${columns.join(delimiter)})`
  const rows: BatchRow[] = []
  const errors: BatchRowError[] = []
  const seen = new Map<string, number>()
  const result: Parsed = { batch: { rows, errors, hasPasswords: false, delimiter } }

  for (let n = dataFrom; n < lines.length; n++) {
    const line = lines[n]!
    if (isSkipped(line)) continue
    const lineNo = n + 1
    const fail = (message: string) => errors.push({ line: lineNo, message: `line ${lineNo}: ${message}` })

    const split = splitFields(line, delimiter)
    if ('problem' in split) {
      const column = columns[split.badField]
      fail(`${split.problem} in field ${split.badField + 1}${column ? ` (${column})` : ''}`)
      if (hasPasswordColumns) result.unreadableLine ??= lineNo
      continue
    }
    let fields = split.fields
    // imapsync files often end each line with the delimiter: allow one empty field more.
    if (fields.length === columns.length + 1 && fields[fields.length - 1]!.text.trim() === '') fields = fields.slice(0, -1)
    if (fields.length !== columns.length) {
      fail(`${fields.length} field${fields.length === 1 ? '' : 's'}, expected ${expected}`)
      if (hasPasswordColumns) result.unreadableLine ??= lineNo
      continue
    }

    const field = (c: Column): Field | undefined => {
      const i = index.get(c)
      return i === undefined ? undefined : fields[i]
    }
    const value = (c: Column): string => field(c)?.text.trim() ?? ''
    const problems: string[] = []
    const source = readSide(1, field, value, problems)
    const target = readSide(2, field, value, problems)

    if (problems.length > 0) {
      for (const p of problems) fail(p)
      if (source.password !== undefined || target.password !== undefined) result.passwordInErrorLine ??= lineNo
      continue
    }

    const row: BatchRow = { line: lineNo, source, target, key: `${sideKey(source)} -> ${sideKey(target)}` }
    const folders = value('folders').split('|').map((f) => f.trim()).filter((f) => f !== '')
    if (folders.length > 0) row.folders = folders
    const prefix = value('prefix')
    if (prefix !== '') row.prefix = prefix

    const earlier = seen.get(row.key)
    if (earlier !== undefined) {
      fail(`the same mailbox pair as line ${earlier}`)
      if (source.password !== undefined || target.password !== undefined) result.passwordInErrorLine ??= lineNo
      continue
    }
    seen.set(row.key, lineNo)
    rows.push(row)
  }

  result.batch.hasPasswords = rows.some((r) => r.source.password !== undefined || r.target.password !== undefined)
  if (rows.length === 0 && errors.length === 0) {
    throw new ConfigError('the batch file lists no mailboxes', { file }, {
      hint: `give one mailbox pair per line: host1${delimiter}user1${delimiter}password1${delimiter}host2${delimiter}user2${delimiter}password2`,
    })
  }
  return result
}

/** The columns named by `line` if it is a header (its fields include host1 and user1), else undefined. */
function readHeader(line: string, delimiter: string, file: string, lineNo: number): Column[] | undefined {
  const split = splitFields(line, delimiter)
  if ('problem' in split) {
    // Only a header if it looks like one; otherwise the data line reports the problem itself.
    const looseNames = line.split(delimiter).map((f) => f.trim().replace(/^"|"$/g, '').toLowerCase())
    if (looseNames.includes('host1') && looseNames.includes('user1')) {
      throw new ConfigError(`header: ${split.problem} in column ${split.badField + 1}`, { file, line: lineNo })
    }
    return undefined
  }
  const names = split.fields.map((f) => f.text.trim().toLowerCase())
  if (!names.includes('host1') || !names.includes('user1')) return undefined

  // A trailing delimiter leaves an empty last name; allow it as data lines allow it.
  if (names.length > 1 && names[names.length - 1] === '') names.pop()
  const where = { file, line: lineNo }
  const columns: Column[] = []
  for (const [i, name] of names.entries()) {
    if (name === '') throw new ConfigError(`header: column ${i + 1} has no name`, where, { hint: `known columns: ${KNOWN_COLUMNS.join(', ')}` })
    if (!(KNOWN_COLUMNS as readonly string[]).includes(name)) {
      const near = nearestName(name, KNOWN_COLUMNS)
      throw new ConfigError(`header: unknown column ${show(name)}${near ? ` (did you mean \`${near}\`?)` : ''}`, where, {
        hint: `known columns: ${KNOWN_COLUMNS.join(', ')}`,
      })
    }
    const column = name as Column
    if (columns.includes(column)) throw new ConfigError(`header: column ${show(name)} appears twice`, where)
    columns.push(column)
  }
  const missing = REQUIRED.filter((c) => !columns.includes(c))
  if (missing.length > 0) {
    throw new ConfigError(`header: missing column${missing.length === 1 ? '' : 's'} ${missing.join(', ')}`, where, {
      hint: 'a header must name host1, user1, host2 and user2',
    })
  }
  return columns
}

/** Read and check one side's columns; problems (without `line N: `) go to `problems`. */
function readSide(
  n: 1 | 2,
  field: (c: Column) => Field | undefined,
  value: (c: Column) => string,
  problems: string[],
): BatchSide {
  const hostColumn = `host${n}` as Column
  const userColumn = `user${n}` as Column
  const portColumn = `port${n}` as Column
  const tlsColumn = `tls${n}` as Column
  const side: BatchSide = { host: '', user: value(userColumn) }

  const hostValue = value(hostColumn)
  if (hostValue === '') {
    problems.push(`${hostColumn} is empty`)
  } else {
    const { host, port } = splitHostPort(hostValue)
    side.host = host
    if (host === '') problems.push(`${hostColumn} ${show(hostValue)} has no host name`)
    else if (/\s/.test(host)) problems.push(`${hostColumn} ${show(hostValue)} is not a host name: it contains whitespace`)
    else if (/[/[\]]/.test(host)) problems.push(`${hostColumn} ${show(hostValue)} is not a host name: it contains "${/[/[\]]/.exec(host)![0]}"`)

    const portValue = value(portColumn)
    if (portValue !== '') {
      const p = parsePort(portValue)
      if (p === undefined) problems.push(`${portColumn} ${show(portValue)} is not a port number (1 to 65535)`)
      else side.port = p
      if (port !== undefined && p !== undefined && parsePort(port) !== p) {
        problems.push(`${hostColumn} ${show(hostValue)} names a port other than ${portColumn} ${show(portValue)}`)
      }
    } else if (port !== undefined) {
      const p = parsePort(port)
      if (p === undefined) problems.push(`${hostColumn} ${show(hostValue)}: port ${show(port)} is not a port number (1 to 65535)`)
      else side.port = p
    }
  }

  if (side.user === '') problems.push(`${userColumn} is empty`)

  const password = passwordOf(field(`password${n}` as Column))
  if (password !== undefined) side.password = password

  const tlsValue = value(tlsColumn)
  if (tlsValue !== '') {
    const tls = tlsValue.toLowerCase()
    if ((TLS_VALUES as readonly string[]).includes(tls)) side.tls = tls as BatchTls
    else problems.push(`${tlsColumn} ${show(tlsValue)} is not one of ${TLS_VALUES.join(', ')}`)
  }
  return side
}

/**
 * Parse text; `file` is only for messages. Throws ConfigError only for file-level problems (bad header, no rows and no errors at all i.e. an empty file). Row problems go to `errors` and do not stop the other rows.
 *
 * Details: lines are split at LF (a CR before it is dropped; a leading BOM is ignored); blank lines
 * and lines starting with `#` are skipped; quoted fields do not span lines. Non-password fields are
 * trimmed (quoted or not); a password is a quoted field's exact text, or an unquoted field as it is,
 * where a blank one means no password. A header may end with one empty name (a trailing delimiter).
 * In the key, a host containing `:` (IPv6) is written in brackets.
 */
export function parseBatchFile(text: string, file: string): BatchFile {
  return parse(text, file).batch
}

/** Read and parse; when any row holds a password and the file's mode lets group or others read it ((mode & 0o077) !== 0), throw ConfigError saying the file holds passwords and must be mode 0600 (hint: `chmod 600 FILE`, or leave the password columns empty and give passwords another way). A missing/unreadable file is a ConfigError too.
 *
 * Lines with errors count for the mode check too: one whose password column is not empty, and one
 * that could not be split into columns (it may hold a password) in a file that has password columns.
 */
export function readBatchFile(path: string): BatchFile {
  let text: string
  let mode: number
  let fd: number | undefined
  try {
    fd = openSync(path, 'r')
    mode = fstatSync(fd).mode
    text = readFileSync(fd, 'utf8')
  } catch (err) {
    const code = (err as { code?: string }).code
    throw new ConfigError(`cannot read the batch file${code ? ` (${code})` : ''}`, { file: path }, { cause: err })
  } finally {
    if (fd !== undefined) closeSync(fd)
  }

  const parsed = parse(text, path)
  if ((mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(4, '0')
    const hint = `chmod 600 ${path}, or leave the password columns empty and give passwords another way`
    if (parsed.batch.hasPasswords || parsed.passwordInErrorLine !== undefined) {
      throw new ConfigError(`the batch file holds passwords, so it must be mode 0600, but group or others may read it (mode ${octal})`, { file: path }, { hint })
    }
    if (parsed.unreadableLine !== undefined) {
      throw new ConfigError(
        `line ${parsed.unreadableLine} could not be read and may hold a password, so the batch file must be mode 0600, but group or others may read it (mode ${octal})`,
        { file: path },
        { hint: `fix line ${parsed.unreadableLine}, or ${hint}` },
      )
    }
  }
  return parsed.batch
}

// A small scripted IMAP4rev1 server on 127.0.0.1 for what Dovecot will not do: folder names such
// as `../x` or with control characters, a flag named `../x`, a lying RFC822.SIZE, unasked or
// duplicated FETCH responses, UIDVALIDITY changing between SELECTs, a 1 MB line, BYE in the middle
// of a literal. A mailbox model (folders, messages with UIDs, flags and bodies, UIDVALIDITY)
// answers the commands mailsync sends (LOGIN / AUTHENTICATE PLAIN, CAPABILITY, LIST, LSUB,
// STATUS, SELECT / EXAMINE, UID SEARCH, UID FETCH, NOOP, CLOSE / UNSELECT, LOGOUT); a scenario
// misbehaves through `hooks`. No extensions are advertised unless the script asks.
import { createServer, type Server, type Socket, type AddressInfo } from 'node:net'

export interface HostileMessage {
  uid: number
  flags: string[]
  body: Buffer
  internalDate?: string
  /** RFC822.SIZE as told to the client (default: the real length). */
  reportedSize?: number
}

export interface HostileFolder {
  name: string
  uidValidity: number
  messages: HostileMessage[]
}

/** What a hook sees of one command. */
export interface CommandContext {
  tag: string
  /** Upper-case command name; `UID FETCH`, `UID SEARCH`, ... for UID commands. */
  command: string
  /** The rest of the line after the command. */
  args: string
  /** The folder selected, if any. */
  selected?: HostileFolder
  /** How many SELECT/EXAMINE this server has answered (all connections), this one included. */
  selects: number
  write(data: string | Buffer): void
  /** Close the connection now. */
  destroy(): void
}

export interface HostileScript {
  folders: HostileFolder[]
  separator?: string
  /** Capabilities after login (default `IMAP4rev1`). */
  capabilities?: string
  hooks?: {
    /** The greeting of connection `n` (1, 2, ...) instead of `* OK`; a BYE greeting closes the connection after it. */
    greeting?(n: number): string | undefined
    /** Return true when the hook answered the command itself. */
    command?(ctx: CommandContext): boolean | Promise<boolean>
    /** Change the fetch responses of one message (default: the standard one). */
    fetchResponse?(ctx: CommandContext, msg: HostileMessage, standard: Buffer): Buffer
  }
}

export interface HostileServer {
  port: number
  script: HostileScript
  /** Every command line received, in order (LOGIN/AUTHENTICATE payloads kept: test secrets only). */
  commands: string[]
  close(): Promise<void>
}

/** An IMAP string: quoted when it can be, else a literal. */
export function imapString(s: string | Buffer): Buffer {
  const b = Buffer.isBuffer(s) ? s : Buffer.from(s, 'utf8')
  if (b.some((c) => c < 0x20 || c > 0x7e)) return Buffer.concat([Buffer.from(`{${b.length}}\r\n`), b])
  return Buffer.from(`"${b.toString('latin1').replace(/[\\"]/g, (c) => '\\' + c)}"`, 'latin1')
}

/** The standard FETCH response of `msg` (sequence number `seq`) for the data items `items`. */
export function fetchResponse(seq: number, msg: HostileMessage, items: string): Buffer {
  const parts: Buffer[] = []
  const u = items.toUpperCase()
  const add = (s: string | Buffer) => parts.push(Buffer.isBuffer(s) ? s : Buffer.from(s, 'latin1'))
  add(`UID ${msg.uid}`)
  if (/\bFLAGS\b/.test(u)) add(`FLAGS (${msg.flags.join(' ')})`)
  if (/RFC822\.SIZE/.test(u)) add(`RFC822.SIZE ${msg.reportedSize ?? msg.body.length}`)
  if (/INTERNALDATE/.test(u)) add(`INTERNALDATE "${msg.internalDate ?? '01-Jan-2024 10:00:00 +0000'}"`)
  for (const m of u.matchAll(/BODY(?:\.PEEK)?\[([^\]]*)\](?:<(\d+)\.(\d+)>)?/g)) {
    const section = m[1]!
    let data = msg.body
    if (section.startsWith('HEADER')) {
      const end = data.indexOf('\r\n\r\n')
      data = end < 0 ? data : data.subarray(0, end + 4)
      if (section.startsWith('HEADER.FIELDS')) {
        const wanted = [...section.matchAll(/[A-Z0-9-]+/g)].map((x) => x[0]).filter((x) => x !== 'HEADER.FIELDS' && x !== 'HEADER' && x !== 'FIELDS')
        const lines = data.toString('latin1').split('\r\n').filter((l) => wanted.some((w) => l.toUpperCase().startsWith(w + ':')))
        data = Buffer.from(lines.map((l) => l + '\r\n').join('') + '\r\n', 'latin1')
      }
    }
    let label = `BODY[${section}]`
    if (m[2] !== undefined) {
      const start = Number(m[2])
      data = data.subarray(start, start + Number(m[3]))
      label += `<${start}>`
    }
    add(Buffer.concat([Buffer.from(label + ' '), Buffer.from(`{${data.length}}\r\n`), data]))
  }
  const out: Buffer[] = [Buffer.from(`* ${seq} FETCH (`)]
  parts.forEach((p, i) => out.push(i ? Buffer.concat([Buffer.from(' '), p]) : p))
  out.push(Buffer.from(')\r\n'))
  return Buffer.concat(out)
}

/** UIDs of `folder` in the UID set `set` (`1:*`, `3,5:7`, `*`). */
export function uidsInSet(folder: HostileFolder, set: string): number[] {
  const max = folder.messages.reduce((m, x) => Math.max(m, x.uid), 0)
  const want = new Set<number>()
  for (const part of set.split(',')) {
    const [a, b] = part.split(':').map((x) => (x === '*' ? max : Number(x))) as [number, number | undefined]
    const lo = Math.min(a, b ?? a)
    const hi = Math.max(a, b ?? a)
    for (const m of folder.messages) if (m.uid >= lo && m.uid <= hi) want.add(m.uid)
  }
  return [...want].sort((x, y) => x - y)
}

function unquote(s: string): string {
  const t = s.trim()
  // a literal: the line reader joined `{n}` and its n bytes
  const lit = /^\{(\d+)\+?\}/.exec(t)
  if (lit) return t.slice(lit[0].length, lit[0].length + Number(lit[1]))
  if (t.startsWith('"')) return t.slice(1, t.lastIndexOf('"')).replace(/\\(.)/g, '$1')
  return t
}

export async function startHostileImap(script: HostileScript): Promise<HostileServer> {
  const commands: string[] = []
  const sockets = new Set<Socket>()
  let selects = 0
  let connections = 0
  const server: Server = createServer((sock) => {
    const custom = script.hooks?.greeting?.(++connections)
    if (custom !== undefined) {
      sock.on('error', () => undefined)
      sock.end(`${custom}\r\n`)
      return
    }
    sockets.add(sock)
    sock.on('close', () => sockets.delete(sock))
    sock.on('error', () => undefined)
    let buf = Buffer.alloc(0)
    let pendingLiteral = 0
    let line: Buffer[] = []
    let selected: HostileFolder | undefined
    let awaitingSasl: string | undefined
    let busy: Promise<unknown> = Promise.resolve()
    const write = (d: string | Buffer) => {
      if (!sock.destroyed) sock.write(d)
    }
    const caps = () => script.capabilities ?? 'IMAP4rev1'
    write(`* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hostile test server ready\r\n`)
    const folder = (name: string) => script.folders.find((f) => f.name === name)

    const handle = async (full: string) => {
      if (awaitingSasl) {
        const t = awaitingSasl
        awaitingSasl = undefined
        return write(`${t} OK [CAPABILITY ${caps()}] logged in\r\n`)
      }
      commands.push(full)
      const m = /^(\S+) (UID \S+|\S+) ?(.*)$/s.exec(full)
      if (!m) return write(`* BAD what?\r\n`)
      const [, tag, cmdRaw, args] = m as unknown as [string, string, string, string]
      const command = cmdRaw.toUpperCase()
      const ctx: CommandContext = { tag, command, args, selected, selects, write, destroy: () => sock.destroy() }
      if (command === 'SELECT' || command === 'EXAMINE') ctx.selects = ++selects
      if (await script.hooks?.command?.(ctx)) return
      const ok = (text = `${command} done`) => write(`${tag} OK ${text}\r\n`)
      switch (command) {
        case 'CAPABILITY':
          write(`* CAPABILITY ${caps()}\r\n`)
          return ok()
        case 'LOGIN':
          return ok(`[CAPABILITY ${caps()}] logged in`)
        case 'AUTHENTICATE':
          if (!args.includes(' ')) {
            // no initial response: ask for it, the next line is the payload
            awaitingSasl = tag
            return write('+ \r\n')
          }
          return ok(`[CAPABILITY ${caps()}] logged in`)
        case 'NOOP':
        case 'CHECK':
          return ok()
        case 'LOGOUT':
          write(`* BYE bye\r\n`)
          ok()
          return void sock.end()
        case 'LIST':
        case 'LSUB': {
          if (/^"" ""$/.test(args.trim())) {
            write(`* LIST (\\Noselect) "${script.separator ?? '/'}" ""\r\n`)
            return ok()
          }
          for (const f of script.folders) write(Buffer.concat([Buffer.from(`* ${command} (\\HasNoChildren) "${script.separator ?? '/'}" `), imapString(f.name), Buffer.from('\r\n')]))
          return ok()
        }
        case 'STATUS': {
          const nameEnd = args.lastIndexOf(' (')
          const f = folder(unquote(args.slice(0, nameEnd)))
          if (!f) return write(`${tag} NO [NONEXISTENT] no such folder\r\n`)
          const next = f.messages.reduce((x, y) => Math.max(x, y.uid), 0) + 1
          write(Buffer.concat([Buffer.from('* STATUS '), imapString(f.name), Buffer.from(` (MESSAGES ${f.messages.length} UIDNEXT ${next} UIDVALIDITY ${f.uidValidity})\r\n`)]))
          return ok()
        }
        case 'SELECT':
        case 'EXAMINE': {
          const f = folder(unquote(args))
          if (!f) return write(`${tag} NO [NONEXISTENT] no such folder\r\n`)
          selected = f
          const next = f.messages.reduce((x, y) => Math.max(x, y.uid), 0) + 1
          write(`* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] ok\r\n`)
          write(`* ${f.messages.length} EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY ${f.uidValidity}] uids\r\n* OK [UIDNEXT ${next}] next\r\n`)
          return ok(command === 'SELECT' ? '[READ-WRITE] selected' : '[READ-ONLY] examined')
        }
        case 'CLOSE':
        case 'UNSELECT':
          selected = undefined
          return ok()
        case 'UID SEARCH': {
          if (!selected) return write(`${tag} BAD nothing selected\r\n`)
          const uidSet = /UID (\S+)/i.exec(args)?.[1]
          const uids = uidSet ? uidsInSet(selected, uidSet) : selected.messages.map((x) => x.uid)
          write(`* SEARCH${uids.map((u) => ' ' + u).join('')}\r\n`)
          return ok()
        }
        case 'UID FETCH': {
          if (!selected) return write(`${tag} BAD nothing selected\r\n`)
          const sp = args.indexOf(' ')
          const items = args.slice(sp + 1)
          for (const uid of uidsInSet(selected, args.slice(0, sp))) {
            const seq = selected.messages.findIndex((x) => x.uid === uid) + 1
            const msg = selected.messages[seq - 1]!
            const std = fetchResponse(seq, msg, items)
            write(script.hooks?.fetchResponse ? script.hooks.fetchResponse(ctx, msg, std) : std)
          }
          return ok()
        }
        case 'UID STORE':
        case 'UID EXPUNGE':
          return write(`${tag} NO read-only test server\r\n`)
        default:
          return write(`${tag} BAD unknown command ${command}\r\n`)
      }
    }

    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk])
      for (;;) {
        if (pendingLiteral > 0) {
          if (buf.length < pendingLiteral) return
          line.push(buf.subarray(0, pendingLiteral))
          buf = buf.subarray(pendingLiteral)
          pendingLiteral = 0
          continue
        }
        const nl = buf.indexOf('\r\n')
        if (nl < 0) return
        const part = buf.subarray(0, nl)
        buf = buf.subarray(nl + 2)
        line.push(part)
        const lit = /\{(\d+)(\+?)\}$/.exec(part.toString('latin1'))
        if (lit) {
          pendingLiteral = Number(lit[1])
          if (!lit[2]) write('+ go ahead\r\n')
          if (pendingLiteral > 0) continue
        }
        const full = Buffer.concat(line).toString('utf8')
        line = []
        busy = busy.then(() => handle(full)).catch(() => void sock.destroy())
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    script,
    commands,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy()
      server.close(() => resolve())
    }),
  }
}

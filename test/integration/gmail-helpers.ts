// What the Gmail integration tests share: a config for the fake Gmail (no TLS, loopback), the
// real binary, and a Maildir or IMAP store read back as folder -> messages (subject, flags).
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FakeGmail } from '../support/fake-gmail/index.js'
import type { Repository } from '../../src/repository/types.js'
import { MaildirRepository } from '../../src/repository/maildir/maildir-repository.js'
import { startCli } from '../support/cli-process.js'

/** `[Repository NAME]` for the fake Gmail; `extra`: more option lines. */
export function gmailRepository(name: string, g: FakeGmail, extra = '', user = g.user): string {
  return `[Repository ${name}]\ntype = Gmail\nremotehost = ${g.host}\nremoteport = ${g.port}\nssl = no\nstarttls = no\nremoteuser = ${user}\nremotepass = ${g.password}\nmaxconnections = 3\nmaxthrottlewait = 30\n${extra}`
}

/** A new directory: `prefix` below the system's temporary directory, or below an absolute path given. */
export function tempDir(prefix: string): string {
  return mkdtempSync(prefix.startsWith('/') ? prefix : join(tmpdir(), prefix))
}

export function writeConfig(dir: string, text: string): string {
  const file = join(dir, 'mailsync.conf')
  writeFileSync(file, text, { mode: 0o600 })
  return file
}

export interface Run {
  status: number | null
  stdout: string
  stderr: string
  events: Record<string, any>[]
}

/** The binary as a child (never spawnSync: the fake Gmail runs in this process and must answer). */
export async function mailsync(args: string[], json = true): Promise<Run> {
  const p = startCli(json ? [...args, '--json'] : args, { ...process.env, NO_COLOR: '1' })
  const end = await p.ended
  return { status: end.code, stdout: end.stdout, stderr: end.stderr, events: p.events }
}

/** The run's end counts (the `done` event). */
export function counts(r: Run): Record<string, number> {
  const done = r.events.findLast((e) => e.type === 'run-done')
  return (done?.counts ?? {}) as Record<string, number>
}

/** A message's Subject header. */
export function subjectOf(raw: Buffer): string {
  const m = /^Subject: (.*)$/im.exec(raw.toString('utf8'))
  return m ? m[1]!.trim() : '?'
}

/** Folder -> sorted subjects of what a repository holds (selectable folders, empty ones too). */
export async function subjects(repo: Repository): Promise<Record<string, string[]>> {
  const all = await contents(repo)
  return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, v.map((b) => subjectOf(b)).sort()]))
}

/** Folder -> the bytes of every message it holds. */
export async function contents(repo: Repository): Promise<Record<string, Buffer[]>> {
  await repo.open()
  const out: Record<string, Buffer[]> = {}
  try {
    for (const f of await repo.listFolders()) {
      if (!f.selectable) continue
      const s = await repo.openFolder(f.name, { readOnly: true })
      try {
        const { messages } = await s.list()
        const got: Buffer[] = []
        for await (const b of s.fetch(messages.map((m) => m.uid))) {
          const chunks: Buffer[] = []
          if (Buffer.isBuffer(b.content)) chunks.push(b.content)
          else for await (const c of b.content) chunks.push(c as Buffer)
          got.push(Buffer.concat(chunks))
        }
        out[f.name] = got
      } finally {
        await s.close()
      }
    }
  } finally {
    await repo.close()
  }
  return out
}

export function maildir(root: string, labels = false): MaildirRepository {
  return new MaildirRepository({ name: 'check', root, createRoot: false, labels })
}

/** Subject -> labels of the messages in one folder of a labels-keeping repository. */
export async function labelsBySubject(repo: Repository, folder: string): Promise<Record<string, string[]>> {
  await repo.open()
  try {
    const s = await repo.openFolder(folder, { readOnly: true })
    try {
      const { messages } = await s.list()
      const labels = new Map(messages.map((m) => [m.uid, m.labels ?? []]))
      const out: Record<string, string[]> = {}
      for await (const b of s.fetch(messages.map((m) => m.uid))) {
        const chunks: Buffer[] = []
        if (Buffer.isBuffer(b.content)) chunks.push(b.content)
        else for await (const c of b.content) chunks.push(c as Buffer)
        out[subjectOf(Buffer.concat(chunks))] = labels.get(b.uid)!
      }
      return out
    } finally {
      await s.close()
    }
  } finally {
    await repo.close()
  }
}

/** A small message with a unique Message-ID, CRLF line ends as IMAP carries them. */
export function message(subject: string, id = subject.toLowerCase().replace(/\W+/g, '-')): string {
  return `From: a@example.org\r\nTo: b@example.org\r\nSubject: ${subject}\r\nMessage-ID: <${id}@example.org>\r\nDate: Mon, 7 Dec 2026 10:00:00 +0000\r\n\r\nBody of ${subject}\r\n`
}

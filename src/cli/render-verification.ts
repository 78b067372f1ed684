// The table a migration ends with: per folder, what the source and target hold and what
// happened to each message; then every message that failed or did not verify.
import type { JobResult } from '../jobs/run-job.js'
import { formatTable } from './format.js'

export function renderVerification(result: JobResult): string {
  const head = ['source folder', 'target folder', 'source', 'target', 'copied', 'adopted', 'skipped', 'failed', 'verified']
  const rows = result.folders.map((f) => [
    f.folderA, f.folderB, num(f.messagesA), num(f.messagesB),
    String(f.counts.copiedAtoB), String(f.counts.adopted), String(f.counts.skipped),
    String(f.counts.failed + (f.error ? 1 : 0)), String(f.counts.verified),
  ])
  const t = result.counts
  rows.push(['total', `${result.folders.length} folders`, sum(result.folders.map((f) => f.messagesA)), sum(result.folders.map((f) => f.messagesB)),
    String(t.copiedAtoB), String(t.adopted), String(t.skipped), String(t.failed), String(t.verified)])
  const out = [formatTable(head, rows, 2)]
  const problems = result.folders.flatMap((f) => f.problems.map((p) => ({ folder: f.folderA, ...p })))
  const errors = result.folders.filter((f) => f.error)
  if (problems.length || errors.length) {
    out.push('', 'not copied or not verified:')
    for (const p of problems) out.push(`  ${p.folder} UID ${p.uid} ${p.messageId ?? '(no Message-ID)'} "${p.subject ?? ''}": ${p.reason}`)
    for (const f of errors) out.push(`  ${f.folderA}: ${f.error!.message}`)
  }
  return out.join('\n')
}

function num(n: number | undefined): string {
  return n === undefined ? '-' : String(n)
}

function sum(ns: (number | undefined)[]): string {
  return ns.some((n) => n === undefined) ? '-' : String(ns.reduce<number>((a, n) => a + (n ?? 0), 0))
}

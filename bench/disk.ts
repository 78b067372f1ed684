// Where the Maildir targets (and the test Dovecots' stores) live: a tmpfs mounted for the run,
// so tool-versus-tool ratios are not drowned by the ext4 disk's 2-10x run-to-run variation,
// or a plain directory on the root file system (`--disk ext4`), which is what users see.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'

export interface BenchDisk {
  root: string
  kind: 'tmpfs' | 'ext4'
  release(): void
}

export function prepareDisk(kind: 'tmpfs' | 'ext4', base: string): BenchDisk {
  mkdirSync(base, { recursive: true })
  const root = mkdtempSync(join(base, 'run-'))
  if (kind === 'tmpfs') execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=12g,mode=755', 'mailsync-bench', root])
  execFileSync('chmod', ['755', root])
  return {
    root,
    kind,
    release: () => {
      if (kind === 'tmpfs') {
        try { execFileSync('umount', [root]) } catch { /* still busy: leave it */ }
      }
      rmSync(root, { recursive: true, force: true })
    },
  }
}

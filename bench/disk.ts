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
      if (kind === 'tmpfs' && !unmount(root)) {
        process.stderr.write(`[bench] ${root} is still busy: left mounted (umount it by hand)\n`)
        return
      }
      rmSync(root, { recursive: true, force: true })
    },
  }
}

/** umount, retried for a few seconds: a stopped Dovecot's last processes can hold the store a moment longer. */
function unmount(root: string): boolean {
  for (let i = 0; i < 20; i++) {
    try {
      execFileSync('umount', [root], { stdio: 'ignore' })
      return true
    } catch {
      execFileSync('sleep', ['0.25'])
    }
  }
  return false
}

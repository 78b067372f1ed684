// A small real file system for tests that fill a disk: a tmpfs of a given size mounted on a
// directory, which a test can grow (space freed), make read-only, and unmount. Mounting needs
// root (CAP_SYS_ADMIN); without it the test fails and says so: nothing here fakes a full disk.
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'

export interface SmallFs {
  readonly dir: string
  /** Remount with a new size in bytes (a full file system gets space again). */
  resize(bytes: number): void
  /** Remount read-only (true) or read-write (false). */
  readOnly(on: boolean): void
  unmount(): void
}

function mount(args: string[]): void {
  execFileSync('mount', args, { stdio: ['ignore', 'ignore', 'pipe'] })
}

function reason(e: unknown): string {
  const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim()
  return stderr || (e instanceof Error ? e.message : String(e))
}

/** Mounts a tmpfs of `bytes` on `dir` (created if missing). */
export function mountSmallFs(dir: string, bytes: number): SmallFs {
  mkdirSync(dir, { recursive: true })
  try {
    mount(['-t', 'tmpfs', '-o', `size=${bytes},mode=0700`, 'tmpfs', dir])
  } catch (e) {
    throw new Error(
      `this test fills a real small file system and could not mount one: \`mount -t tmpfs -o size=${bytes} tmpfs ${dir}\` failed (${reason(e)}). ` +
      'Run the tests as root, or in a container allowed to mount (CAP_SYS_ADMIN)',
    )
  }
  let mounted = true
  return {
    dir,
    resize(n) {
      mount(['-o', `remount,size=${n}`, dir])
    },
    readOnly(on) {
      mount(['-o', on ? 'remount,ro' : 'remount,rw', dir])
    },
    unmount() {
      if (!mounted) return
      mounted = false
      try {
        execFileSync('umount', [dir], { stdio: 'ignore' })
      } catch {
        execFileSync('umount', ['-l', dir], { stdio: 'ignore' })
      }
    },
  }
}

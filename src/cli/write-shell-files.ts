// Writes the man page and the shell completion scripts (run by `npm run build` after
// write-manifest.js): dist/man/mailsync.1 and dist/completion/{mailsync.bash,_mailsync}, rendered
// from oclif.manifest.json by shell-files.ts. Generated, not committed; shipped in the package
// (package.json "files" and "man": a global install puts the page under PREFIX/share/man/man1).
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { COMPLETION_FILES, MAN_PAGE, renderBashCompletion, renderManPage, renderZshCompletion, type Manifest, type PackageInfo } from './shell-files.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const manifest = JSON.parse(await readFile(join(root, 'oclif.manifest.json'), 'utf8')) as Manifest
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as PackageInfo
await mkdir(join(root, 'dist', 'man'), { recursive: true })
await mkdir(join(root, 'dist', 'completion'), { recursive: true })
const files: [string, string][] = [
  [join('dist', 'man', MAN_PAGE), renderManPage(manifest, pkg)],
  [join('dist', 'completion', COMPLETION_FILES.bash), renderBashCompletion(manifest)],
  [join('dist', 'completion', COMPLETION_FILES.zsh), renderZshCompletion(manifest)],
]
for (const [rel, text] of files) await writeFile(join(root, rel), text)
process.stdout.write(`${files.map(([rel]) => rel).join(', ')}: ${Object.keys(manifest.commands).sort().join(', ')}\n`)

// The man page and the bash/zsh completion scripts `npm run build` renders from the command
// manifest: every command and flag is in them, and the bash script completes for real in bash.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  COMPLETION_FILES, MAN_PAGE, flagSpellings, globalFlags, ownFlags, renderBashCompletion, renderManPage, renderZshCompletion, splitExitCodes, visibleCommands,
  type Manifest, type PackageInfo,
} from '../../src/cli/shell-files.js'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as Manifest
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageInfo & { man: string[]; files: string[] }
const MAN = join(ROOT, 'dist', 'man', MAN_PAGE)
const BASH = join(ROOT, 'dist', 'completion', COMPLETION_FILES.bash)
const ZSH = join(ROOT, 'dist', 'completion', COMPLETION_FILES.zsh)

const has = (program: string) => spawnSync('sh', ['-c', `command -v ${program}`]).status === 0

/** Roff source as the words a reader sees (font changes and escapes gone). */
function manText(source: string): string {
  return source.replace(/\\f[BIRP]/g, '').replace(/\\-/g, '-').replace(/\\&/g, '').replace(/\\e/g, '\\')
}

test('the build wrote the man page and both completion scripts from the manifest, and the package ships them', () => {
  assert.equal(readFileSync(MAN, 'utf8'), renderManPage(manifest, pkg))
  assert.equal(readFileSync(BASH, 'utf8'), renderBashCompletion(manifest))
  assert.equal(readFileSync(ZSH, 'utf8'), renderZshCompletion(manifest))
  // an array: npm 11 links no man page given as a plain string
  assert.deepEqual(pkg.man, [`./dist/man/${MAN_PAGE}`], 'npm links "man" into PREFIX/share/man/man1 on a global install')
  for (const dir of ['dist/man', 'dist/completion', 'dist/help.json']) assert.ok(pkg.files.includes(dir), `package.json files has ${dir}`)
})

test('the man page has every command, its arguments and flags, the global flags and the exit codes', () => {
  const text = manText(readFileSync(MAN, 'utf8'))
  const sections = text.split(/^\.S[HS] /m)
  const commands = visibleCommands(manifest)
  assert.ok(commands.length >= 6)
  for (const c of commands) {
    const section = sections.find((s) => s.startsWith(`"mailsync ${c.id} `))
    assert.ok(section, `a section for ${c.id}`)
    assert.match(text, new RegExp(`^mailsync ${c.id} \\[FLAGS\\]`, 'm'), `${c.id} in the synopsis`)
    if (c.summary) assert.ok(section.includes(c.summary), `${c.id}: its summary`)
    for (const a of Object.values(c.args)) assert.ok(section.includes(a.name.toUpperCase()), `${c.id}: argument ${a.name}`)
    for (const f of ownFlags(c)) {
      const long = f.allowNo ? `--[no-]${f.name}` : `--${f.name}`
      assert.ok(section.includes(long), `${c.id}: ${long}`)
      if (f.char) assert.ok(section.includes(`-${f.char}, ${long}`), `${c.id}: -${f.char}`)
    }
    for (const e of c.examples ?? []) {
      const command = (typeof e === 'string' ? e : e.command).replace('<%= config.bin %>', 'mailsync').replace('<%= command.id %>', c.id)
      assert.ok(section.includes(`$ ${command}`), `${c.id}: example ${command}`)
    }
  }
  const global = sections.find((s) => s.startsWith('GLOBAL FLAGS'))!
  assert.ok(global)
  const globals = globalFlags(manifest)
  assert.deepEqual(globals.map((f) => f.name).sort(), ['config', 'debug', 'debug-types', 'json', 'logfile', 'quiet', 'verbose'])
  for (const f of globals) assert.ok(global.includes(f.char ? `-${f.char}, --${f.name}` : `--${f.name}`), f.name)
  const exit = sections.find((s) => s.startsWith('EXIT STATUS'))!
  const codes = splitExitCodes(manifest.commands.backup!.description!).exitCodes
  assert.ok(codes.length >= 10)
  for (const [code, meaning] of codes) assert.match(exit, new RegExp(`^\\.B ${code}\\n${meaning.replace(/[().]/g, '\\$&')}$`, 'm'))
})

test('groff reads the man page without a warning', () => {
  assert.ok(has('groff'), 'groff is installed (npm test installs it: scripts/setup.mjs)')
  const r = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-z', MAN], { encoding: 'utf8' })
  assert.equal(r.status, 0)
  assert.equal(r.stderr, '')
})

/** What the bash completion offers for a command line whose last word is being typed. */
function bashComplete(...words: string[]): string[] {
  const script = `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMPREPLY=(); _mailsync; printf '%s\\n' "\${COMPREPLY[@]}"`
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script, 'bash', BASH, ...words], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stderr, '')
  return r.stdout.split('\n').filter(Boolean)
}

test('bash: `mailsync ba` completes to backup and batch; commands, flags, flag values and argument choices', () => {
  assert.deepEqual(bashComplete('mailsync', 'ba'), ['backup', 'batch'])
  assert.deepEqual(bashComplete('mailsync', 'batch', ''), ['status', 'enqueue'])
  assert.deepEqual(bashComplete('mailsync', ''), [...visibleCommands(manifest).map((c) => c.id), 'help'])
  assert.deepEqual(bashComplete('mailsync', 'help', 're'), ['restore'])
  assert.deepEqual(bashComplete('mailsync', 'backup', '--mi'), ['--mirror'])
  assert.deepEqual(bashComplete('mailsync', 'backup', 'work', '--dr'), ['--dry-run'], 'after an argument too')
  assert.deepEqual(bashComplete('mailsync', 'migrate', '--no-'), ['--no-automap', '--no-verify'])
  assert.deepEqual(bashComplete('mailsync', 'sync', '--debug-types', ''), ['imap', 'maildir', 'sync', 'all'])
  assert.deepEqual(bashComplete('mailsync', 'sync', '--debug-types', '=', 'ma'), ['maildir'], '--debug-types=ma')
  assert.deepEqual(bashComplete('mailsync', 'info', '-d', 's'), ['sync'])
  assert.deepEqual(bashComplete('mailsync', 'completion', ''), ['bash', 'zsh'])
  assert.deepEqual(bashComplete('mailsync', '--ver'), ['--version'])
  for (const c of visibleCommands(manifest)) {
    const offered = bashComplete('mailsync', c.id, '-')
    for (const f of Object.values(c.flags)) for (const spelling of flagSpellings(f)) assert.ok(offered.includes(spelling), `${c.id}: ${spelling}`)
  }
})

test('zsh: the script parses, registers itself when sourced, and hands _arguments every flag', () => {
  assert.ok(has('zsh'), 'zsh is installed (npm test installs it: scripts/setup.mjs)')
  assert.equal(spawnSync('zsh', ['-n', ZSH]).status, 0, 'syntax')
  const stubs = 'compdef() { print -r -- "compdef $*" }; _describe() { print -r -- "describe: ${(P)${@[-1]}}" }; _arguments() { print -rl -- "arguments:" "$@" }'
  const run = (words: string) => spawnSync('zsh', ['-f', '-c', `${stubs}; source ${ZSH}; words=(${words}); CURRENT=\${#words}; _mailsync`], { encoding: 'utf8' })
  const first = run("mailsync ''")
  assert.equal(first.status, 0, first.stderr)
  assert.match(first.stdout, /^compdef _mailsync mailsync$/m)
  assert.match(first.stdout, /^describe: auth:Sign in with OAuth2 .* backup:One-way backup/m)
  const backup = run("mailsync backup ''")
  assert.equal(backup.status, 0, backup.stderr)
  for (const f of Object.values(manifest.commands.backup!.flags)) assert.match(backup.stdout, new RegExp(`--${f.name}\\[`), f.name)
  assert.match(run("mailsync completion ''").stdout, /^1:shell:\(bash zsh\)$/m)
})

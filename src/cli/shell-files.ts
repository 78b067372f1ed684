// The man page mailsync.1 and the bash and zsh completion scripts, rendered from oclif.manifest.json
// (the same command, flag and argument descriptions `--help` prints), so none of them can drift
// from the commands. Pure: write-shell-files.ts writes them at build time.

export const SHELLS = ['bash', 'zsh'] as const
export type Shell = (typeof SHELLS)[number]
/** File names under dist/completion/ (zsh wants the function's name, _mailsync, as file name). */
export const COMPLETION_FILES: Record<Shell, string> = { bash: 'mailsync.bash', zsh: '_mailsync' }
export const MAN_PAGE = 'mailsync.1'

export interface ManifestFlag {
  name: string
  type: 'boolean' | 'option'
  char?: string
  summary?: string
  description?: string
  helpGroup?: string
  helpValue?: string
  options?: string[]
  multiple?: boolean
  allowNo?: boolean
  hidden?: boolean
}

export interface ManifestArg {
  name: string
  description?: string
  required?: boolean
  options?: string[]
}

type Example = string | { description?: string; command: string }

export interface ManifestCommand {
  id: string
  summary?: string
  description?: string
  hidden?: boolean
  args: Record<string, ManifestArg>
  flags: Record<string, ManifestFlag>
  examples?: Example[]
}

export interface Manifest {
  version: string
  commands: Record<string, ManifestCommand>
}

export interface PackageInfo {
  name: string
  version: string
  description: string
}

const GLOBAL = 'GLOBAL'

/** The commands a user sees, by id. */
export function visibleCommands(m: Manifest): ManifestCommand[] {
  return Object.values(m.commands)
    .filter((c) => !c.hidden)
    .sort((a, b) => (a.id < b.id ? -1 : 1))
}

function visibleFlags(c: ManifestCommand): ManifestFlag[] {
  return Object.values(c.flags).filter((f) => !f.hidden)
}

/** Flags every command has (oclif's baseFlags, help group GLOBAL), from the first command that has them. */
export function globalFlags(m: Manifest): ManifestFlag[] {
  const seen = new Map<string, ManifestFlag>()
  for (const c of visibleCommands(m)) for (const f of visibleFlags(c)) if (f.helpGroup === GLOBAL && !seen.has(f.name)) seen.set(f.name, f)
  return [...seen.values()]
}

export function ownFlags(c: ManifestCommand): ManifestFlag[] {
  return visibleFlags(c).filter((f) => f.helpGroup !== GLOBAL)
}

/** Every spelling of a flag on the command line: --name, --no-name, -c. */
export function flagSpellings(f: ManifestFlag): string[] {
  return [`--${f.name}`, ...(f.allowNo ? [`--no-${f.name}`] : []), ...(f.char ? [`-${f.char}`] : [])]
}

function flagText(f: ManifestFlag): string {
  return (f.summary ?? f.description ?? '').trim()
}

function valueName(f: ManifestFlag): string {
  return f.helpValue ?? (f.options ? f.options.join('|') : 'VALUE')
}

/** The first sentence (or line) of a text: what a completion menu has room for. */
function firstSentence(text: string): string {
  const line = text.split('\n')[0]!.trim()
  const m = /^(.*?[.;])(\s|$)/.exec(line)
  return (m ? m[1]! : line).replace(/[.;]$/, '')
}

/** A command description without the exit-code table every command repeats, and that table. */
export function splitExitCodes(description: string): { text: string; exitCodes: [string, string][] } {
  const at = description.indexOf('\n\nExit codes:\n')
  if (at < 0) return { text: description.trim(), exitCodes: [] }
  const exitCodes = description
    .slice(at + '\n\nExit codes:\n'.length)
    .split('\n')
    .flatMap((l): [string, string][] => {
      const m = /^(\d+)\s+(.*)$/.exec(l.trim())
      return m ? [[m[1]!, m[2]!]] : []
    })
  return { text: description.slice(0, at).trim(), exitCodes }
}

function exampleText(e: Example, id: string, bin: string): { description?: string; command: string } {
  const raw = typeof e === 'string' ? { command: e } : e
  const command = raw.command.replace(/<%=\s*config\.bin\s*%>/g, bin).replace(/<%=\s*command\.id\s*%>/g, id)
  return { description: raw.description, command }
}

function usage(c: ManifestCommand, bin: string): string {
  const args = Object.values(c.args).map((a) => (a.required ? a.name.toUpperCase() : `[${a.name.toUpperCase()}]`))
  return [bin, c.id, '[FLAGS]', ...args].join(' ')
}

// ---- man page (roff, man macros) ----

/** Text as roff: backslashes and hyphens escaped, no line taken for a request. */
function roff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .split('\n')
    .map((l) => (/^[.']/.test(l) ? `\\&${l}` : l))
    .join('\n')
}

function roffParagraphs(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .flatMap((p, i) => [...(i > 0 ? ['.PP'] : []), roff(p)])
}

function roffFlag(f: ManifestFlag): string[] {
  const names = [...(f.char ? [`\\fB\\-${f.char}\\fR`] : []), `\\fB\\-\\-${f.allowNo ? '[no\\-]' : ''}${roff(f.name)}\\fR`]
  const value = f.type === 'option' ? ` \\fI${roff(valueName(f))}\\fR` : ''
  const text = flagText(f) + (f.multiple && !/repeatable/.test(flagText(f)) ? ' May be given more than once.' : '') + (f.options && f.helpValue ? ` One of: ${f.options.join(', ')}.` : '')
  return ['.TP', names.join(', ') + value, roff(text)]
}

export function renderManPage(m: Manifest, pkg: PackageInfo): string {
  const bin = pkg.name
  const commands = visibleCommands(m)
  const lines: string[] = [
    `.\\" Generated by \`npm run build\` (src/cli/shell-files.ts) from oclif.manifest.json: edit the commands, not this file.`,
    `.TH ${bin.toUpperCase()} 1 "" "${bin} ${pkg.version}" "User Commands"`,
    // flag names and paths read badly hyphenated or stretched: no hyphenation, left-aligned
    '.nh',
    '.ad l',
    '.SH NAME',
    `${bin} \\- ${roff(pkg.description.replace(/\.$/, ''))}`,
    '.SH SYNOPSIS',
    ...commands.flatMap((c) => [`\\fB${bin}\\fR ${roff(usage(c, bin).slice(bin.length + 1))}`, '.br']),
    `\\fB${bin}\\fR \\-\\-help | \\-\\-version | help \\fICOMMAND\\fR`,
    '.SH DESCRIPTION',
    roff(pkg.description),
    `Each command is described below; \\fB${bin} \\fICOMMAND\\fB \\-\\-help\\fR prints the same text.`,
    '.SH COMMANDS',
  ]
  let exitCodes: [string, string][] = []
  for (const c of commands) {
    const { text, exitCodes: codes } = splitExitCodes(c.description ?? '')
    if (codes.length > exitCodes.length) exitCodes = codes
    lines.push(`.SS "${roff(usage(c, bin))}"`)
    if (c.summary) lines.push(roff(c.summary.replace(/\.?$/, '.')), '.PP')
    if (text) lines.push(...roffParagraphs(text))
    const args = Object.values(c.args)
    if (args.length) {
      lines.push('.PP', 'Arguments:')
      for (const a of args) lines.push('.TP', `\\fI${roff(a.name.toUpperCase())}\\fR`, roff((a.description ?? '') + (a.options ? ` One of: ${a.options.join(', ')}.` : '')))
    }
    const own = ownFlags(c)
    const hasGlobals = visibleFlags(c).some((f) => f.helpGroup === GLOBAL)
    if (own.length) {
      lines.push('.PP', `Flags${hasGlobals ? ' (and the global flags, below)' : ''}:`)
      for (const f of own) lines.push(...roffFlag(f))
    } else if (hasGlobals) {
      lines.push('.PP', 'Flags: the global flags, below.')
    }
    const examples = (c.examples ?? []).map((e) => exampleText(e, c.id, bin))
    if (examples.length) {
      lines.push('.PP', 'Examples:')
      for (const e of examples) {
        if (e.description) lines.push('.PP', '.RS', roff(`${e.description}:`), '.RE')
        lines.push('.PP', '.RS', '.nf', roff(`$ ${e.command}`), '.fi', '.RE')
      }
    }
  }
  const globals = globalFlags(m)
  if (globals.length) {
    lines.push('.SH GLOBAL FLAGS', `The commands ${commands.filter((c) => visibleFlags(c).some((f) => f.helpGroup === GLOBAL)).map((c) => roff(c.id)).join(', ')} take these flags:`)
    for (const f of globals) lines.push(...roffFlag(f))
  }
  if (exitCodes.length) {
    lines.push('.SH EXIT STATUS')
    for (const [code, meaning] of exitCodes) lines.push('.TP', `.B ${code}`, roff(meaning))
  }
  lines.push(
    '.SH SHELL COMPLETION',
    `\\fB${bin} completion bash\\fR and \\fB${bin} completion zsh\\fR print completion scripts for commands, flags and flag values; see the \\fBcompletion\\fR command above.`,
    '.SH SEE ALSO',
    '\\fBofflineimap\\fR(1), \\fBmbsync\\fR(1)',
  )
  return lines.join('\n') + '\n'
}

// ---- bash ----

function bashWords(words: string[]): string {
  return words.join(' ')
}

/** A bash completion function for `mailsync`: commands, each command's flags, flag values and argument choices. */
export function renderBashCompletion(m: Manifest, bin = 'mailsync'): string {
  const commands = visibleCommands(m)
  const fn = `_${bin.replace(/[^A-Za-z0-9_]/g, '_')}`
  const cases = commands.map((c) => {
    const flags = visibleFlags(c)
    const valued = flags.filter((f) => f.type === 'option')
    const valueCases = valued.map((f) => {
      const pattern = [`--${f.name}`, ...(f.char ? [`-${f.char}`] : [])].join('|')
      const action = f.options ? `COMPREPLY=($(compgen -W "${bashWords(f.options)}" -- "$cur"))` : /^(FILE|DIR|PATH)$/.test(f.helpValue ?? '') ? 'COMPREPLY=($(compgen -f -- "$cur"))' : 'COMPREPLY=()'
      return `        ${pattern}) ${action}; return ;;`
    })
    const choices = Object.values(c.args).flatMap((a) => a.options ?? [])
    return [
      `    ${c.id})`,
      ...(valueCases.length ? ['      case "$prev" in', ...valueCases, '      esac'] : []),
      `      flags="${bashWords([...flags.flatMap(flagSpellings), '--help'])}"`,
      `      choices="${bashWords(choices)}"`,
      '      ;;',
    ].join('\n')
  })
  return `# bash completion for ${bin}. Generated by \`npm run build\` (src/cli/shell-files.ts) from
# oclif.manifest.json. Load it with: source <(${bin} completion bash)
${fn}() {
  local cur prev cmd i flags choices
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev=""
  (( COMP_CWORD > 0 )) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  # --flag=value: bash splits at '=' (COMP_WORDBREAKS)
  if [[ "$cur" == "=" ]]; then
    cur=""
  elif [[ "$prev" == "=" ]] && (( COMP_CWORD > 1 )); then
    prev="\${COMP_WORDS[COMP_CWORD-2]}"
  fi
  cmd=""
  for (( i = 1; i < COMP_CWORD; i++ )); do
    case "\${COMP_WORDS[i]}" in
      -*|=) ;;
      *) cmd="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  if [[ -z "$cmd" ]]; then
    if [[ "$cur" == -* ]]; then
      COMPREPLY=($(compgen -W "--help --version" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "${bashWords([...commands.map((c) => c.id), 'help'])}" -- "$cur"))
    fi
    return
  fi
  flags=""
  choices=""
  case "$cmd" in
    help)
      COMPREPLY=($(compgen -W "${bashWords(commands.map((c) => c.id))}" -- "$cur"))
      return
      ;;
${cases.join('\n')}
    *) return ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  elif [[ -n "$choices" ]]; then
    COMPREPLY=($(compgen -W "$choices" -- "$cur"))
  else
    COMPREPLY=()
  fi
}
# -o default: file names where nothing else applies (Maildir paths, config files)
complete -o default -F ${fn} ${bin}
`
}

// ---- zsh ----

/** Text inside a single-quoted zsh word, as an _arguments [description]: ' and \ [ ] quoted. */
function zshDescription(text: string): string {
  // brackets and backslashes escaped for _arguments first, then the single quotes for the shell
  return firstSentence(text).replace(/([\\[\]])/g, '\\$1').replace(/'/g, `'\\''`)
}

function zshFlagSpecs(f: ManifestFlag): string[] {
  const desc = zshDescription(flagText(f))
  const star = f.multiple ? '*' : ''
  const value = f.type !== 'option' ? '' : f.options ? `:${f.name}:(${f.options.join(' ')})` : /^(FILE|DIR|PATH)$/.test(f.helpValue ?? '') ? `:${(f.helpValue ?? '').toLowerCase()}:_files` : `:${(f.helpValue ?? f.name).toLowerCase()}: `
  const names = [`--${f.name}`, ...(f.char ? [`-${f.char}`] : [])]
  const exclusive = star || names.length === 1 ? '' : `(${names.join(' ')})`
  const specs = names.length === 1 ? [`'${star}${names[0]}[${desc}]${value}'`] : [`'${exclusive}${star}'{${names.join(',')}}'[${desc}]${value}'`]
  if (f.allowNo) specs.push(`'--no-${f.name}[${zshDescription(`Not --${f.name}`)}]'`)
  return specs
}

/** A zsh completion function: works from $fpath (file _mailsync) and when sourced. */
export function renderZshCompletion(m: Manifest, bin = 'mailsync'): string {
  const commands = visibleCommands(m)
  const fn = `_${bin.replace(/[^A-Za-z0-9_]/g, '_')}`
  const describe = commands.map((c) => `    '${c.id}:${firstSentence(c.summary ?? '').replace(/'/g, `'\\''`)}'`)
  const cases = commands.map((c) => {
    const args = Object.values(c.args).map((a, i) => {
      const action = a.options ? `(${a.options.join(' ')})` : ' '
      return `'${i + 1}:${a.required ? '' : ':'}${a.name}:${action}'`
    })
    const specs = [...visibleFlags(c).flatMap(zshFlagSpecs), "'(- *)--help[Show help]'", ...args]
    return [`    ${c.id})`, `      _arguments -s -S \\`, ...specs.map((s, i) => `        ${s}${i < specs.length - 1 ? ' \\' : ''}`), '      ;;'].join('\n')
  })
  return `#compdef ${bin}
# zsh completion for ${bin}. Generated by \`npm run build\` (src/cli/shell-files.ts) from
# oclif.manifest.json. Put this file, named ${fn}, in a directory of $fpath, or in ~/.zshrc after
# compinit: source <(${bin} completion zsh)
${fn}() {
  local -a commands
  commands=(
${describe.join('\n')}
    'help:Show the help of a command'
  )
  if (( CURRENT == 2 )); then
    _describe -t commands '${bin} command' commands
    _arguments '--help[Show help]' '--version[Show the version]'
    return
  fi
  local cmd="\${words[2]}"
  shift words
  (( CURRENT-- ))
  case "$cmd" in
    help)
      _describe -t commands '${bin} command' commands
      ;;
${cases.join('\n')}
  esac
}
if [[ "\${funcstack[1]}" == "${fn}" ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${bin}
fi
`
}

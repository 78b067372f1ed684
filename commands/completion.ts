// `mailsync completion bash|zsh`: prints the shell completion script `npm run build` generated
// from the command manifest (src/cli/shell-files.ts), as shipped in the package's
// dist/completion/. Reads nothing else and changes nothing.
import { Args, Command } from '@oclif/core'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { COMPLETION_FILES, SHELLS, type Shell } from '../src/cli/shell-files.js'
import { MailsyncError } from '../src/errors.js'

export default class CompletionCommand extends Command {
  static override summary = 'Print the shell completion script for bash or zsh'
  static override description = `Prints a script that completes mailsync's commands, flags and flag values in bash or zsh. Load it from your shell's start-up file: for bash, add \`source <(mailsync completion bash)\` to ~/.bashrc; for zsh, add \`source <(mailsync completion zsh)\` to ~/.zshrc after compinit, or save it as _mailsync in a directory of your $fpath. The same scripts are installed with the package, under dist/completion/.`
  static override args = {
    shell: Args.string({ description: 'The shell to complete for.', options: [...SHELLS], required: true }),
  }
  static override examples = [
    { description: 'Complete mailsync in every new bash', command: `echo 'source <(<%= config.bin %> <%= command.id %> bash)' >> ~/.bashrc` },
    { description: 'Install the zsh completion function', command: '<%= config.bin %> <%= command.id %> zsh > ~/.zfunc/_mailsync' },
  ]

  async run(): Promise<void> {
    const { args } = await this.parse(CompletionCommand)
    const file = join(this.config.root, 'dist', 'completion', COMPLETION_FILES[args.shell as Shell])
    let script: string
    try {
      script = await readFile(file, 'utf8')
    } catch (error) {
      throw new MailsyncError('disk', `cannot read the ${args.shell} completion script ${file}: ${(error as Error).message}`, { hint: 'a checkout makes it with `npm run build`', cause: error })
    }
    process.stdout.write(script)
  }
}

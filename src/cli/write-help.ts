// Renders `mailsync --help` and every `mailsync COMMAND --help` once, at build time, into
// dist/help.json (generated, not committed). bin/run.js prints from it without loading oclif,
// which keeps `--help` inside the start-up budget. The text is oclif's own rendering of the
// real command classes, so it cannot drift from what oclif would print.
import { Config, Help } from '@oclif/core'
import { writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

class CapturingHelp extends Help {
  out: string[] = []
  protected override log(...args: string[]): void {
    this.out.push(args.join(' '))
  }
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
// Rendered for an 80-column terminal without colour, as oclif does when not on a terminal.
process.env.OCLIF_COLUMNS = '80'
const config = await Config.load(root)
async function render(argv: string[]): Promise<string> {
  const help = new CapturingHelp(config, { stripAnsi: true })
  await help.showHelp(argv)
  return help.out.join('\n') + '\n'
}
const pages: Record<string, string> = { '': await render([]) }
for (const id of config.commandIDs) pages[id] = await render([id])
await writeFile(join(root, 'dist', 'help.json'), JSON.stringify({ version: config.version, userAgent: config.userAgent, pages }) + '\n')
process.stdout.write(`dist/help.json: ${Object.keys(pages).filter(Boolean).sort().join(', ')}\n`)

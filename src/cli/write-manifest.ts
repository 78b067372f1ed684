// Writes oclif.manifest.json (run after tsc by `npm run build`): oclif then knows every command's
// flags, args and help text without importing the command modules, which keeps startup fast.
// The file is generated (gitignored); delete it and oclif falls back to loading the commands.
import { Plugin } from '@oclif/core'
import { writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const plugin = new Plugin({ root, isRoot: true, type: 'core', ignoreManifest: true, errorOnManifestCreate: true })
await plugin.load()
const commands = Object.keys(plugin.manifest.commands)
if (commands.length === 0) throw new Error(`no commands found under ${root}; build first`)
await writeFile(join(root, 'oclif.manifest.json'), JSON.stringify(plugin.manifest, null, 2) + '\n')
process.stdout.write(`oclif.manifest.json: ${commands.sort().join(', ')}\n`)

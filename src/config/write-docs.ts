// Writes docs/config.md from the schema: `node dist/src/config/write-docs.js [OUTPUT]`.
import { writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { renderConfigDocs } from './docs.js'

// dist/src/config/write-docs.js -> the repository root is three levels up.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const output = process.argv[2] ?? join(root, 'docs', 'config.md')
await writeFile(output, renderConfigDocs())
console.log(`wrote ${output}`)

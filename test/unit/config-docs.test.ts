// docs/config.md is generated from the schema; the committed file must be up to date.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { OPTIONS, renderConfigDocs } from '../../src/config/index.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

test('committed docs/config.md equals what write-docs generates (run `npm run docs` after schema changes)', async () => {
  const committed = await readFile(join(root, 'docs', 'config.md'), 'utf8')
  assert.equal(committed, renderConfigDocs())
})

test('every schema option is documented with its description', () => {
  const docs = renderConfigDocs()
  for (const o of OPTIONS) {
    assert.ok(docs.includes(`| \`${o.name}\``), o.name)
    assert.ok(docs.includes(o.description.replace(/\|/g, '\\|')), o.name)
  }
})

test('secret options are exactly the passwords, tokens and client secrets', () => {
  const secret = OPTIONS.filter((o) => 'secret' in o && o.secret).map((o) => o.name).sort()
  assert.deepEqual(secret, ['oauth2_access_token', 'oauth2_client_secret', 'oauth2_refresh_token', 'remotepass'])
})

// Opens a URL in the user's browser with xdg-open, where there is one on PATH; never waits for
// it and never fails (the URL is printed anyway, for machines without a browser).
import { spawn } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

function onPath(program: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue
    const file = join(dir, program)
    try {
      accessSync(file, constants.X_OK)
      return file
    } catch {
      // not here
    }
  }
  return undefined
}

/** True when a browser was asked to open the URL. */
export function openBrowser(url: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const opener = onPath('xdg-open', env)
  if (!opener) return false
  try {
    const child = spawn(opener, [url], { stdio: 'ignore', detached: true, env })
    child.on('error', () => undefined)
    child.unref()
    return true
  } catch {
    return false
  }
}

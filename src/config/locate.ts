// Finding and reading the config file: an explicit path (--config FILE), else
// $XDG_CONFIG_HOME/mailsync/config (~/.config/mailsync/config), else ~/.mailsyncrc.
import { readFile, stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { ConfigError } from '../errors.js'
import { emptyConfig, parseConfigText } from './build.js'
import { isSecretOption } from './schema.js'
import { warn } from './settings.js'
import type { LoadedConfig } from './types.js'
import { expandHome } from './values.js'

export interface LoadConfigOptions {
  /** An explicit file (from --config); only this one is read, and it must exist. */
  path?: string
  env?: Record<string, string | undefined>
  home?: string
  /** Without an explicit path: fail when no file is found (default true); else defaults only. */
  required?: boolean
}

/** The places looked at, in order, when no explicit path is given. */
export function configSearchPaths(env: Record<string, string | undefined>, home: string): string[] {
  const xdg = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config')
  return [join(xdg, 'mailsync', 'config'), join(home, '.mailsyncrc')]
}

export async function loadConfig(opts: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const env = opts.env ?? process.env
  const home = opts.home ?? env.HOME ?? homedir()
  const candidates = opts.path ? [resolve(expandHome(opts.path, home))] : configSearchPaths(env, home)
  const searched: string[] = []
  for (const file of candidates) {
    searched.push(file)
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code === 'ENOENT' || code === 'ENOTDIR') continue
      throw new ConfigError(`cannot read the config file: ${(e as Error).message}`, { file }, { cause: e })
    }
    const config = parseConfigText(text, file, { env, home, searched })
    await warnIfReadableByOthers(config, file)
    return config
  }
  if (opts.path) {
    throw new ConfigError(`config file not found`, { file: candidates[0] }, { hint: 'check the path given with --config' })
  }
  if (opts.required ?? true) {
    throw new ConfigError(`no config file found; looked in ${searched.join(', ')}`, {}, {
      hint: `create ${searched[0]} (offlineimaprc syntax), pass --config FILE, or name repositories by URL`,
    })
  }
  return emptyConfig({ env, home, searched })
}

/** A file holding a password or token should not be readable by other users. */
async function warnIfReadableByOthers(config: LoadedConfig, file: string): Promise<void> {
  const hasSecret = [...config.repositories.values()].some((r) =>
    Object.entries(r.settings).some(([name, s]) => s.source === 'file' && isSecretOption('repository', name)),
  )
  if (!hasSecret) return
  const mode = (await stat(file)).mode
  if (mode & 0o077) warn({ home: config.home, env: config.env, warnings: config.warnings }, `holds a password or token but is readable by others (mode ${(mode & 0o777).toString(8)}); run chmod 600`, { file })
}

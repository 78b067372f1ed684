// `mailsync info` as text: a pure function of InfoData.
import type { InfoData, InfoSetting } from './info-data.js'
import { renderAccountsLive, renderRepositoryLive } from './render-info-live.js'

function settingLines(settings: InfoSetting[]): string[] {
  const width = Math.max(0, ...settings.map((s) => s.option.length))
  const valueWidth = Math.min(48, Math.max(0, ...settings.map((s) => s.value.length)))
  return settings.map((s) => {
    const value = s.value === '' ? '(none)' : s.value.replace(/\s*\n\s*/g, ' ')
    return `  ${s.option.padEnd(width)} = ${value.padEnd(valueWidth)}  (${s.where})`.trimEnd()
  })
}

export function renderInfo(data: InfoData): string {
  const out: string[] = [`mailsync ${data.version}`]
  if (data.config.file) out.push(`config file: ${data.config.file}`)
  else out.push(`config file: none (looked in ${data.config.searched.join(', ')})`)
  if (data.target.kind === 'all' || data.target.kind === 'account') {
    out.push('', '[general]', ...settingLines(data.general))
  }
  if (data.target.kind === 'all' && data.accounts.length === 0) out.push('', 'accounts: none')
  for (const a of data.accounts) {
    out.push('', `[Account ${a.name}]  local: ${a.local}  remote: ${a.remote}`, ...settingLines(a.settings))
  }
  if (data.target.kind === 'all' && data.repositories.length === 0) out.push('', 'repositories: none')
  for (const r of data.repositories) {
    const kind = r.fromUrl ? `${r.type}, from a URL` : r.declaredType.toLowerCase() === r.type.toLowerCase() ? r.type : `${r.type}, declared ${r.declaredType}`
    out.push('', `[Repository ${r.name}]  (${kind})`)
    if (r.preset) out.push(`  preset: ${r.preset.why}; it gave: ${r.preset.settings.join(', ') || 'nothing (every one of its settings is set)'}`)
    out.push(...settingLines(r.settings))
    if (r.credentials) out.push(`  login name from: ${r.credentials.user ?? 'nothing set'}`, `  password from:   ${r.credentials.secret ?? 'nothing set (you would be asked on a terminal)'}`)
    const live = data.live?.repositories.find((x) => x.name === r.name)
    if (live) out.push(...renderRepositoryLive(live, data.live!.offline))
  }
  if (data.live) out.push(...renderAccountsLive(data.live))
  return out.join('\n')
}

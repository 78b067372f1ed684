// The Gmail layout in words, for `mailsync info`: which folder is the store, which are views.
import type { GmailLayout } from './special-folders.js'
import type { LabelMode } from './label-mode.js'
import { folderRole } from './folder-views.js'

export function describeLayout(layout: GmailLayout, mode: LabelMode): string[] {
  const out = [`Gmail layout: ${mode}${mode === 'store' ? ' (labels kept as labels)' : ' (labels as a folder server keeps them)'}`]
  const own = [layout.trash, layout.spam].filter((f) => !!f).map((f) => `${f!.name} (${f!.specialUse ?? 'trashfolder/spamfolder'})`)
  if (mode === 'store') out.push(`store: ${layout.allMail.name} (\\All, every message once, with its labels)`)
  else if (mode === 'keywords') out.push(`store: ${layout.allMail.name} (\\All, every message once, labels as keywords)`)
  else out.push(`${layout.allMail.name} (\\All): the messages without a label folder${mode === 'first' ? ' (no first label)' : ' (archived)'}`)
  if (own.length) out.push(`folders of their own: ${own.join(', ')}`)
  for (const v of layout.views) {
    const role = folderRole(layout, mode, v.folder.name)
    out.push(`${role.kind === 'view' ? 'folder' : 'view, not synced'}: ${v.folder.name} = label ${v.label}`)
  }
  for (const f of layout.virtual) out.push(`Gmail view, not synced: ${f.name} (${f.specialUse})`)
  return out
}

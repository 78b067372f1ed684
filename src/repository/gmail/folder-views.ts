// The folders a Gmail account offers in each label mode, and what each one holds.
//   store:    All Mail, Trash, Spam are folders; label folders are listed as views, not synced.
//   folders:  every label folder holds the messages with its label; All Mail only the archived
//             ones (no label that has a folder), so nothing is missed and no folder holds a
//             message twice.
//   first:    each message once, in the folder of its first label (label-priority.ts), else All Mail.
//   keywords: All Mail holds every message once, its labels as keywords (label-keywords.ts).
// Trash and Spam are folders of their own in every mode: their messages are not in All Mail.
// Starred (\Flagged) and Important are Gmail's views, never folders here: a star is the \Flagged
// flag, and Important would copy half the mailbox once more.
import type { FolderInfo } from '../types.js'
import type { GmailLayout } from './special-folders.js'
import type { LabelMode } from './label-mode.js'
import type { ViewDefinition } from './view-session.js'
import { firstLabel } from './label-priority.js'

/** The folder list the engine sees: folders that are no message folder in this mode are not selectable. */
export function offeredFolders(layout: GmailLayout, mode: LabelMode): FolderInfo[] {
  const own = [layout.allMail, layout.trash, layout.spam].filter((f): f is FolderInfo => !!f)
  const views = layout.views.map((v) => v.folder)
  const asViews = mode === 'folders' || mode === 'first'
  const out = [
    ...own,
    ...views.map((f) => (asViews ? f : { ...f, selectable: false })),
    ...layout.virtual.map((f) => ({ ...f, selectable: false })),
    ...layout.parents,
  ]
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/** What the folder `name` is in this mode: one of Gmail's own folders, a view, or not offered. */
export type FolderRole = { kind: 'own'; folder: FolderInfo } | { kind: 'view'; view: ViewDefinition } | { kind: 'none'; why: string }

export function folderRole(layout: GmailLayout, mode: LabelMode, name: string): FolderRole {
  const labelled = new Set(layout.views.map((v) => v.label))
  const shown = (labels: readonly string[]) => labels.filter((l) => labelled.has(l))
  const trash = layout.trash?.name
  if (name === layout.allMail.name) {
    if (mode === 'store') return { kind: 'own', folder: layout.allMail }
    if (mode === 'keywords') return { kind: 'view', view: { name, member: () => true, keywords: true, ...(trash ? { trash } : {}) } }
    // folders and first: the archived messages (first: also those whose labels have no folder)
    return { kind: 'view', view: { name, member: (ls) => shown(ls).length === 0, ...(trash ? { trash } : {}) } }
  }
  for (const f of [layout.trash, layout.spam]) if (f && f.name === name) return { kind: 'own', folder: f }
  const view = layout.views.find((v) => v.folder.name === name)
  if (!view) {
    const other = [...layout.virtual, ...layout.parents].find((f) => f.name === name)
    return { kind: 'none', why: other ? `${name} is one of Gmail's views, not a folder of its own` : `${name} is not a folder of the account` }
  }
  if (mode === 'folders') return { kind: 'view', view: { name, label: view.label, member: (ls) => ls.includes(view.label) } }
  if (mode === 'first') return { kind: 'view', view: { name, label: view.label, member: (ls) => firstLabel(shown(ls)) === view.label } }
  return { kind: 'none', why: `${name} shows the label ${view.label}: in the ${mode} layout labels are ${mode === 'store' ? 'synced as labels of All Mail' : 'keywords in All Mail'}, the folder is not synced` }
}

// migrate --labels first: the one folder a message goes to, like imapsync's --gmail1.
// Priority: \Inbox, then \Sent, then \Draft, then user labels in name order (UTF-16 code unit
// order of the UTF-8 name, the order the listing sorts them in); a message with none of these
// (archived, or only \Important / \Starred) goes to All Mail. \Important and \Starred are
// Gmail's views, not folders a user filed mail in, so they never decide.

const SYSTEM_PRIORITY = ['\\Inbox', '\\Sent', '\\Draft'] as const

/** Labels that never choose a folder (Gmail's automatic views). */
export const VIEW_ONLY_LABELS: ReadonlySet<string> = new Set(['\\Important', '\\Starred', '\\Spam', '\\Trash'])

/** The label that decides the message's folder, or undefined: it goes to All Mail. */
export function firstLabel(labels: readonly string[]): string | undefined {
  for (const s of SYSTEM_PRIORITY) if (labels.includes(s)) return s
  const user = labels.filter((l) => !l.startsWith('\\')).sort()
  return user[0]
}

/** Labels that make a folder of their own in migrate --labels folders (every label but the views). */
export function folderLabels(labels: readonly string[]): string[] {
  return labels.filter((l) => !l.startsWith('\\') || (SYSTEM_PRIORITY as readonly string[]).includes(l))
}

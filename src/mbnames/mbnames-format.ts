// The mbnames file (OfflineIMAP's [mbnames]): a list of local folders for mutt / neomutt, e.g.
// `mailboxes "+work/INBOX" "+work/Sent"`. Pure: settings and folder names in, text out.

export interface MbnamesSettings {
  filename: string
  header: string
  /** One item; `%(accountname)s` and `%(foldername)s` are replaced. */
  peritem: string
  sep: string
  footer: string
  /** (account, folder) => keep it in the list. */
  folderfilter: (account: string, folder: string) => boolean
}

export interface MbnamesEntry {
  account: string
  /** The local folder name (as the local repository spells it). */
  folder: string
}

/** Replaces the two OfflineIMAP placeholders; any other `%(...)s` is left as written. */
export function formatItem(peritem: string, e: MbnamesEntry): string {
  return peritem.replace(/%\((accountname|foldername)\)s/g, (_, key: string) => (key === 'accountname' ? e.account : e.folder))
}

/** Accounts in name order, each account's folders in name order (as OfflineIMAP sorts them). */
export function renderMbnames(s: MbnamesSettings, entries: readonly MbnamesEntry[]): string {
  const seen = new Set<string>()
  const kept = entries
    .filter((e) => s.folderfilter(e.account, e.folder))
    .filter((e) => {
      const key = `${e.account}\0${e.folder}`
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
    .sort((x, y) => (x.account === y.account ? cmp(x.folder, y.folder) : cmp(x.account, y.account)))
  return s.header + kept.map((e) => formatItem(s.peritem, e)).join(s.sep) + s.footer
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

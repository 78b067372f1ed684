// Which label layout each Gmail side of a run uses (docs/gmail.md). sync, backup and restore:
// the repository's labelmode (the store layout unless set). migrate:
//   Gmail -> Gmail: the store layout on both sides, so labels travel exactly;
//   Gmail -> a folder server: --labels MODE, else a labelmode set in the config, else folders;
//   a folder server -> Gmail: the target in the folders layout: each source folder is a label,
//   and a message in several folders is uploaded once.
import type { AccountConfig, RepositoryConfig } from '../config/index.js'
import { isGmailType } from '../config/build.js'
import { MailsyncError } from '../errors.js'
import type { LabelMode } from '../repository/gmail/label-mode.js'

export interface SideModes {
  /** The remote side (migrate: the source). */
  remote?: LabelMode
  local?: LabelMode
}

export function gmailLabelModes(policy: string, account: AccountConfig, requested: LabelMode | undefined): SideModes {
  const remoteGmail = isGmailType(account.remote.declaredType)
  const localGmail = isGmailType(account.local.declaredType)
  if (policy !== 'migrate') {
    if (requested) throw new MailsyncError('usage', '--labels is a migrate option')
    return {}
  }
  if (requested && !(remoteGmail && !localGmail)) {
    throw new MailsyncError('usage', `--labels ${requested} lays out a Gmail source for a folder server, and ${remoteGmail ? 'the target is Gmail too (labels are kept as labels)' : 'the source is no Gmail repository (type = Gmail)'}`, {
      hint: 'leave --labels out',
    })
  }
  if (remoteGmail && localGmail) return { remote: 'store', local: 'store' }
  if (remoteGmail) return { remote: requested ?? configured(account.remote) ?? 'folders' }
  if (localGmail) return { local: 'folders' }
  return {}
}

/** A labelmode the config sets (not the default, which is the store layout of sync and backup). */
function configured(repo: RepositoryConfig): LabelMode | undefined {
  const s = repo.settings.labelmode
  return s && s.source !== 'default' ? (s.value as LabelMode) : undefined
}

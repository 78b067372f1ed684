// A policy says which way messages, flags and deletions may travel between side A (the remote /
// source side) and side B (the local / target side). The subcommands are policies; there is one
// engine.

export interface Policy {
  name: 'sync' | 'backup' | 'restore' | 'migrate'
  copyAtoB: boolean
  copyBtoA: boolean
  flagsAtoB: boolean
  flagsBtoA: boolean
  /** A message expunged on A is deleted on B. */
  deleteAtoB: boolean
  /** A message deleted on B is expunged on A. */
  deleteBtoA: boolean
  /** Folders missing on B are created there / missing on A are created there. */
  createOnB: boolean
  createOnA: boolean
  /**
   * Labels (Repository.labels) travel A -> B / B -> A, where both repositories keep them: always
   * for backup, restore and migrate (the way flags go); for sync only with `synclabels = yes`.
   */
  labelsAtoB: boolean
  labelsBtoA: boolean
}

export interface PolicyOptions {
  /** OfflineIMAP's `sync_deletes` (sync only), for both sides. */
  syncDeletes?: boolean
  /** `sync_deletes` said of one repository: deletions made on the other side reach this one. */
  syncDeletesA?: boolean
  syncDeletesB?: boolean
  /** backup: propagate server deletions. */
  mirror?: boolean
  /** migrate: delete from the target what is gone from the source. */
  delete?: boolean
  readOnlyA?: boolean
  readOnlyB?: boolean
  createFoldersA?: boolean
  createFoldersB?: boolean
  /** sync: the account's `synclabels` (labels travel both ways). One-way policies carry labels anyway. */
  syncLabels?: boolean
}

export function makePolicy(name: Policy['name'], o: PolicyOptions = {}): Policy {
  let p: Policy
  switch (name) {
    case 'sync': {
      const del = o.syncDeletes !== false
      p = {
        name, copyAtoB: true, copyBtoA: true, flagsAtoB: true, flagsBtoA: true,
        deleteAtoB: del && o.syncDeletesB !== false, deleteBtoA: del && o.syncDeletesA !== false, createOnB: true, createOnA: true, labelsAtoB: false, labelsBtoA: false,
      }
      break
    }
    case 'backup':
    case 'migrate': {
      const del = name === 'backup' ? o.mirror === true : o.delete === true
      p = { name, copyAtoB: true, copyBtoA: false, flagsAtoB: true, flagsBtoA: false, deleteAtoB: del, deleteBtoA: false, createOnB: true, createOnA: false, labelsAtoB: false, labelsBtoA: false }
      break
    }
    case 'restore':
      // Restore runs B (the backup) -> A (the server).
      p = { name, copyAtoB: false, copyBtoA: true, flagsAtoB: false, flagsBtoA: true, deleteAtoB: false, deleteBtoA: false, createOnB: false, createOnA: true, labelsAtoB: false, labelsBtoA: false }
      break
  }
  // labels go where flags go; a sync moves them only when asked to (OfflineIMAP's synclabels)
  const labels = name !== 'sync' || o.syncLabels === true
  p.labelsAtoB = labels && p.flagsAtoB
  p.labelsBtoA = labels && p.flagsBtoA
  if (o.createFoldersA === false) p.createOnA = false
  if (o.createFoldersB === false) p.createOnB = false
  if (o.readOnlyA) Object.assign(p, { copyBtoA: false, flagsBtoA: false, deleteBtoA: false, createOnA: false, labelsBtoA: false })
  if (o.readOnlyB) Object.assign(p, { copyAtoB: false, flagsAtoB: false, deleteAtoB: false, createOnB: false, labelsAtoB: false })
  return p
}

/** True when nothing may be written to side B / side A under this policy. */
export function writesB(p: Policy): boolean {
  return p.copyAtoB || p.flagsAtoB || p.deleteAtoB || p.createOnB || p.labelsAtoB
}
export function writesA(p: Policy): boolean {
  return p.copyBtoA || p.flagsBtoA || p.deleteBtoA || p.createOnA || p.labelsBtoA
}

// How a Gmail account is shown to the engine: the store layout (labels kept as labels) or one of
// the label views a folder server can take (migrate --labels).
export const LABEL_MODES = ['store', 'folders', 'first', 'keywords'] as const
export type LabelMode = (typeof LABEL_MODES)[number]

export function isLabelMode(s: string): s is LabelMode {
  return (LABEL_MODES as readonly string[]).includes(s)
}

// The shape of a command handler: which session state it needs, and what it does.
import type { ParsedCommand } from '../parse.js'
import type { Session } from '../session.js'

export interface Handler {
  /** 'any': before login too; 'auth': logged in; 'selected': a folder selected. */
  state: 'any' | 'auth' | 'selected'
  run(s: Session, cmd: ParsedCommand): void
}

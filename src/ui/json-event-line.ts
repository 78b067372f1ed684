// One engine event as one line of JSON (docs/json-events.md). Big integers (mod-sequences), should
// an event ever carry one, become decimal strings instead of making JSON.stringify throw.
import type { EngineEvent } from '../engine/events.js'

export function jsonEventLine(e: EngineEvent): string {
  return JSON.stringify(e, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
}

// Notices a suspend/resume (or a process frozen for a while): a tick every few seconds compares
// how far the wall clock moved with how far the monotonic clock and the timer moved. After a
// jump, connections held open are likely dead (the server or a NAT dropped them meanwhile) and
// mail may have come in: the watcher re-opens its push connections and does a full round.
import { performance } from 'node:perf_hooks'

export const TICK_MS = 5_000
/** A tick late by more than this, or a wall clock that moved this much more than the monotonic one. */
export const JUMP_MS = 20_000

export interface Clocks {
  wall(): number
  mono(): number
}

const REAL: Clocks = { wall: () => Date.now(), mono: () => performance.now() }

/** How far (ms) the clocks moved apart or the tick came late since the last tick; pure, for tests. */
export function jumpBetween(prev: { wall: number; mono: number }, now: { wall: number; mono: number }, tickMs: number): number {
  const wall = now.wall - prev.wall
  const mono = now.mono - prev.mono
  return Math.max(Math.abs(wall - mono), mono - tickMs, wall - tickMs)
}

/** Calls `onJump(ms)` after each jump; returns the function that stops watching. */
export function watchClock(onJump: (ms: number) => void, clocks: Clocks = REAL, tickMs = TICK_MS): () => void {
  let prev = { wall: clocks.wall(), mono: clocks.mono() }
  const timer = setInterval(() => {
    const now = { wall: clocks.wall(), mono: clocks.mono() }
    const jump = jumpBetween(prev, now, tickMs)
    prev = now
    if (jump > JUMP_MS) onJump(jump)
  }, tickMs)
  timer.unref()
  return () => clearInterval(timer)
}

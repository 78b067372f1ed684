// Sequence sets (RFC 3501 section 9, `1:4,7,9:*`) over the numbers of a folder: message sequence
// numbers or UIDs. `*` is the largest number in use; a range is the same read either way round,
// so `5:*` in a folder whose largest UID is 3 still names UID 3.
import { BadCommand } from './parse.js'

/** The members of `present` (ascending) named by `set`, ascending, each once. */
export function resolveSet(set: string, present: number[]): number[] {
  if (!/^(\d+|\*)(:(\d+|\*))?(,(\d+|\*)(:(\d+|\*))?)*$/.test(set)) throw new BadCommand(`bad sequence set ${set}`)
  const max = present.length ? present[present.length - 1]! : 0
  const ranges = set.split(',').map((part) => {
    const [a, b] = part.split(':').map((x) => (x === '*' ? max : Number(x))) as [number, number | undefined]
    return [Math.min(a, b ?? a), Math.max(a, b ?? a)] as const
  })
  return present.filter((n) => ranges.some(([lo, hi]) => n >= lo && n <= hi))
}

/** `1,2,3,7` -> `1:3,7` (COPYUID, APPENDUID). */
export function compactSet(nums: number[]): string {
  const out: string[] = []
  for (let i = 0; i < nums.length; ) {
    let j = i
    while (j + 1 < nums.length && nums[j + 1] === nums[j]! + 1) j++
    out.push(i === j ? `${nums[i]}` : `${nums[i]}:${nums[j]}`)
    i = j + 1
  }
  return out.join(',')
}

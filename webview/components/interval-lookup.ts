// Fast lookups in a stored interval set (soft-mask runs, N runs, high-surprisal regions):
// intervals are sorted by start and do not overlap, so a binary search finds the ones in a
// window or under a position. Pure.
import type { IntervalSet } from '../../protocol/notebook-output';

/** Index of the first interval whose end is after `position` (intervals.length when none). */
function firstEndingAfter(set: IntervalSet, position: number): number {
  let lo = 0,
    hi = set.starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (set.ends[mid] <= position) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Indices of the intervals overlapping [start, end). */
export function intervalsIn(set: IntervalSet, start: number, end: number): number[] {
  const out: number[] = [];
  for (let i = firstEndingAfter(set, start); i < set.starts.length && set.starts[i] < end; i++) out.push(i);
  return out;
}

/** Index of the interval holding `position`, or -1. */
export function intervalAt(set: IntervalSet, position: number): number {
  const i = firstEndingAfter(set, position);
  return i < set.starts.length && set.starts[i] <= position ? i : -1;
}

/** Checks that a set is sorted, non-overlapping and well-formed; names the first bad interval. */
export function checkIntervals(set: IntervalSet): void {
  const n = set.starts.length;
  if (set.ends.length !== n) throw new RangeError(`${set.kind} intervals: ${n} starts but ${set.ends.length} ends`);
  for (let i = 0; i < n; i++) {
    if (!(set.ends[i] > set.starts[i]))
      throw new RangeError(`${set.kind} interval ${i}: end ${set.ends[i]} is not after start ${set.starts[i]}`);
    if (i > 0 && set.starts[i] < set.ends[i - 1])
      throw new RangeError(
        `${set.kind} interval ${i}: starts at ${set.starts[i]}, before the previous one ends (${set.ends[i - 1]})`,
      );
  }
}

// Runs of marked bases in a stretch of sequence: soft-masked (lowercase) and N runs, as the
// pane draws them and as stats counts them.
import { isLowercase } from './nucleotides';

/** A half-open interval [start, end) of positions in a record. */
export interface Run {
  readonly start: number;
  readonly end: number;
}

export function isN(b: number): boolean {
  return b === 78 || b === 110;
}

/** The maximal runs of bases satisfying `test`; `offset` is the record position of bases[0]. */
export function runsWhere(bases: Uint8Array, offset: number, test: (b: number) => boolean): Run[] {
  const runs: Run[] = [];
  let start = -1;
  for (let i = 0; i <= bases.length; i++) {
    const inside = i < bases.length && test(bases[i]);
    if (inside && start < 0) start = i;
    else if (!inside && start >= 0) {
      runs.push({ start: offset + start, end: offset + i });
      start = -1;
    }
  }
  return runs;
}

export function softMaskedRuns(bases: Uint8Array, offset: number): Run[] {
  return runsWhere(bases, offset, isLowercase);
}

export function nRuns(bases: Uint8Array, offset: number): Run[] {
  return runsWhere(bases, offset, isN);
}

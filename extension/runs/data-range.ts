// A part of each data file, given as percentages of its length: "0%-80%" trains on the first
// four fifths, "80%-100%" evaluates on the rest. Positions are over the file's sequence content
// (all records in order for FASTA, all samples for WAV), so two ranges that do not overlap as
// percentages never share a position.

export interface DataRange { startPct: number; endPct: number }

export const FULL_RANGE: DataRange = { startPct: 0, endPct: 100 };

export function parseRange(text: string, what = '--range'): DataRange {
  const m = /^\s*(\d+(?:\.\d+)?)%?\s*-\s*(\d+(?:\.\d+)?)%?\s*$/.exec(text);
  if (!m) throw new Error(`${what} "${text}" is not START%-END% (e.g. 0%-80%)`);
  const startPct = Number(m[1]), endPct = Number(m[2]);
  if (!(startPct >= 0 && endPct <= 100 && startPct < endPct)) throw new Error(`${what} "${text}" must satisfy 0 <= START < END <= 100`);
  return { startPct, endPct };
}

export function rangeText(r: DataRange): string {
  return `${r.startPct}%-${r.endPct}%`;
}

/** [start, end) positions of the range in a file of `total` positions. */
export function rangeBounds(r: DataRange, total: number): [number, number] {
  return [Math.floor((total * r.startPct) / 100), Math.floor((total * r.endPct) / 100)];
}

// Min / max / mean of a per-position track over any range, fast enough to redraw a whole
// genome at every wheel step: a segment tree over blocks of BLOCK positions, so a query costs
// O(log n + BLOCK) and the tree holds n / BLOCK * 2 nodes. NaN marks a position not computed
// yet (tracks arrive in chunks) and is skipped; a range with no value reports count 0.

export const BLOCK = 16;

export interface Summary {
  min: number;
  max: number;
  sum: number;
  count: number;
}

export function emptySummary(): Summary {
  return { min: Infinity, max: -Infinity, sum: 0, count: 0 };
}

function mergeInto(acc: Summary, min: number, max: number, sum: number, count: number): void {
  if (count === 0) return;
  if (min < acc.min) acc.min = min;
  if (max > acc.max) acc.max = max;
  acc.sum += sum;
  acc.count += count;
}

export class RangeSummary {
  private readonly leaves: number; // power of two >= number of blocks
  private readonly min: Float32Array;
  private readonly max: Float32Array;
  private readonly sum: Float64Array;
  private readonly count: Uint32Array;

  constructor(readonly values: Float32Array) {
    const blocks = Math.max(1, Math.ceil(values.length / BLOCK));
    let leaves = 1;
    while (leaves < blocks) leaves *= 2;
    this.leaves = leaves;
    this.min = new Float32Array(2 * leaves).fill(Infinity);
    this.max = new Float32Array(2 * leaves).fill(-Infinity);
    this.sum = new Float64Array(2 * leaves);
    this.count = new Uint32Array(2 * leaves);
    this.refresh(0, values.length);
  }

  /** Recomputes the summaries after `values[start, end)` changed (a streamed chunk landed). */
  refresh(start: number, end: number): void {
    const lo = Math.max(0, Math.floor(start / BLOCK));
    const hi = Math.min(Math.ceil(this.values.length / BLOCK), Math.ceil(end / BLOCK));
    for (let b = lo; b < hi; b++) {
      const acc = this.scan(b * BLOCK, Math.min(this.values.length, (b + 1) * BLOCK));
      const node = this.leaves + b;
      this.min[node] = acc.min;
      this.max[node] = acc.max;
      this.sum[node] = acc.sum;
      this.count[node] = acc.count;
    }
    for (let l = (this.leaves + lo) >> 1, h = (this.leaves + hi - 1) >> 1; l >= 1 && hi > lo; l >>= 1, h >>= 1) {
      for (let node = l; node <= h; node++) {
        const a = 2 * node,
          b = a + 1;
        this.min[node] = Math.min(this.min[a], this.min[b]);
        this.max[node] = Math.max(this.max[a], this.max[b]);
        this.sum[node] = this.sum[a] + this.sum[b];
        this.count[node] = this.count[a] + this.count[b];
      }
    }
  }

  /** Summary of the finite values in [start, end) (clamped to the track). */
  query(start: number, end: number): Summary {
    const s = Math.max(0, Math.floor(start)),
      e = Math.min(this.values.length, Math.ceil(end));
    if (e <= s) return emptySummary();
    const firstFull = Math.ceil(s / BLOCK),
      lastFull = Math.floor(e / BLOCK); // whole blocks [firstFull, lastFull)
    if (firstFull >= lastFull) return this.scan(s, e);
    const acc = this.scan(s, firstFull * BLOCK);
    const tail = this.scan(lastFull * BLOCK, e);
    mergeInto(acc, tail.min, tail.max, tail.sum, tail.count);
    for (let l = firstFull + this.leaves, r = lastFull + this.leaves; l < r; l >>= 1, r >>= 1) {
      if (l & 1) {
        mergeInto(acc, this.min[l], this.max[l], this.sum[l], this.count[l]);
        l++;
      }
      if (r & 1) {
        r--;
        mergeInto(acc, this.min[r], this.max[r], this.sum[r], this.count[r]);
      }
    }
    return acc;
  }

  /**
   * One summary per pixel column: `bins` equal slices of [start, end). Each slice covers at
   * least one whole position so that zoomed-in views repeat a value rather than skip it.
   */
  bins(start: number, end: number, bins: number): Summary[] {
    const out: Summary[] = [];
    const width = (end - start) / bins;
    for (let i = 0; i < bins; i++) {
      const a = Math.floor(start + i * width);
      const b = Math.max(a + 1, Math.floor(start + (i + 1) * width));
      out.push(this.query(a, b));
    }
    return out;
  }

  private scan(start: number, end: number): Summary {
    const acc = emptySummary();
    for (let i = start; i < end; i++) {
      const v = this.values[i];
      if (v !== v) continue; // NaN: not computed yet
      if (v < acc.min) acc.min = v;
      if (v > acc.max) acc.max = v;
      acc.sum += v;
      acc.count++;
    }
    return acc;
  }
}

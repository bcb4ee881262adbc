// The per-position numbers of a track, made small enough to store: GC % in windows, bin means of
// long tracks (NaN positions skipped), mean bits over a track, and the reverse strand's scores
// moved to forward coordinates. Pure.

/** GC % of each window of `window` bases: (G+C)/(A+C+G+T)*100, NaN where a window has no A, C, G or T. */
export function gcWindows(bases: Uint8Array, window: number): Float32Array {
  const out = new Float32Array(Math.ceil(bases.length / window));
  for (let w = 0; w < out.length; w++) {
    let gc = 0,
      acgt = 0;
    const end = Math.min(bases.length, (w + 1) * window);
    for (let i = w * window; i < end; i++) {
      const b = bases[i] | 0x20; // lowercase: soft-masked bases count as bases
      if (b === 0x67 || b === 0x63) {
        gc++;
        acgt++;
      } else if (b === 0x61 || b === 0x74 || b === 0x75) acgt++;
    }
    out[w] = acgt === 0 ? Number.NaN : (100 * gc) / acgt;
  }
  return out;
}

/** Positions per value so that a track of `length` positions has at most `maxValues` values. */
export function binSizeFor(length: number, maxValues: number): number {
  return Math.max(1, Math.ceil(length / maxValues));
}

/**
 * Means of consecutive bins of `binSize` values, per row of a row-major [rows, length] array;
 * NaN values are skipped (a bin of only NaN is NaN). binSize 1 returns a copy.
 */
export function binMeans(values: Float32Array, rows: number, length: number, binSize: number): Float32Array {
  if (values.length !== rows * length)
    throw new RangeError(`binMeans: ${values.length} values, expected ${rows}x${length}`);
  const bins = Math.ceil(length / binSize);
  const out = new Float32Array(rows * bins);
  for (let r = 0; r < rows; r++) {
    for (let b = 0; b < bins; b++) {
      let sum = 0,
        n = 0;
      const end = Math.min(length, (b + 1) * binSize);
      for (let i = b * binSize; i < end; i++) {
        const v = values[r * length + i];
        if (!Number.isNaN(v)) {
          sum += v;
          n++;
        }
      }
      out[r * bins + b] = n === 0 ? Number.NaN : sum / n;
    }
  }
  return out;
}

/** Mean of the finite values; null when there are none. */
export function finiteMean(values: ArrayLike<number>): number | null {
  let sum = 0,
    n = 0;
  for (let i = 0; i < values.length; i++)
    if (Number.isFinite(values[i])) {
      sum += values[i];
      n++;
    }
  return n === 0 ? null : sum / n;
}

/** Scores of the reverse complement (index j = forward position length-1-j) in forward order. */
export function reverseToForward(values: Float32Array): Float32Array {
  return values.slice().reverse();
}

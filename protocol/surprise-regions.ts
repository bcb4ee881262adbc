// Regions where the model is surprised: the per-position surprisal (bits) smoothed by a
// centred moving mean, positions above a threshold joined into runs, runs closer than
// `mergeGap` merged, runs shorter than `minLength` dropped. Used for the DNA BED export and
// for the unusual-audio regions under the waveform. NaN (not computed) positions are skipped.
// The host stores audio regions and the renderer derives missing ones by the same rule, so both
// sides share this file.
import type { IntervalSet, TrackDescriptor } from './notebook-output';

export interface SurpriseRegion {
  start: number; // first position, 0-based
  end: number; // one past the last position
  meanBits: number; // mean raw surprisal over the region
  peakBits: number; // largest raw surprisal in the region
}

export interface RegionOptions {
  /** Smoothing window in positions (odd or even; centred, clipped at the ends). */
  window: number;
  /** Smoothed surprisal above this many bits is high. */
  thresholdBits: number;
  /** Runs separated by fewer than this many positions are merged. */
  mergeGap: number;
  /** Runs shorter than this (after merging) are dropped. */
  minLength: number;
}

/** Mean and standard deviation of the finite values (the default threshold is mean + 2 sd). */
export function meanAndSd(values: ArrayLike<number>): { mean: number; sd: number; count: number } {
  let n = 0,
    mean = 0,
    m2 = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    n++;
    const d = v - mean;
    mean += d / n;
    m2 += d * (v - mean);
  }
  return { mean: n ? mean : NaN, sd: n > 1 ? Math.sqrt(m2 / (n - 1)) : 0, count: n };
}

/** Centred moving mean over `window` positions, finite values only; NaN where none. */
export function movingMean(values: ArrayLike<number>, window: number): Float32Array {
  if (!(window >= 1) || !Number.isInteger(window))
    throw new RangeError(`smoothing window must be a positive integer, got ${window}`);
  const n = values.length,
    out = new Float32Array(n);
  const before = Math.floor((window - 1) / 2),
    after = window - 1 - before;
  // Prefix sums of value and of "is finite", in float64 so long tracks do not drift.
  const sum = new Float64Array(n + 1),
    cnt = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const v = values[i],
      ok = Number.isFinite(v);
    sum[i + 1] = sum[i] + (ok ? v : 0);
    cnt[i + 1] = cnt[i] + (ok ? 1 : 0);
  }
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, i - before),
      b = Math.min(n, i + after + 1);
    const c = cnt[b] - cnt[a];
    out[i] = c ? (sum[b] - sum[a]) / c : NaN;
  }
  return out;
}

export function findSurpriseRegions(values: ArrayLike<number>, options: RegionOptions): SurpriseRegion[] {
  const { thresholdBits, mergeGap, minLength } = options;
  if (!Number.isFinite(thresholdBits)) throw new RangeError(`threshold must be a number of bits, got ${thresholdBits}`);
  const smooth = movingMean(values, options.window);
  const runs: [number, number][] = [];
  for (let i = 0; i < smooth.length; i++) {
    if (!(smooth[i] > thresholdBits)) continue;
    let j = i;
    while (j < smooth.length && smooth[j] > thresholdBits) j++;
    const last = runs[runs.length - 1];
    if (last && i - last[1] < mergeGap) last[1] = j;
    else runs.push([i, j]);
    i = j;
  }
  const regions: SurpriseRegion[] = [];
  for (const [start, end] of runs) {
    if (end - start < minLength) continue;
    let sum = 0,
      count = 0,
      peak = -Infinity;
    for (let i = start; i < end; i++) {
      const v = values[i];
      if (!Number.isFinite(v)) continue;
      sum += v;
      count++;
      if (v > peak) peak = v;
    }
    regions.push({ start, end, meanBits: count ? sum / count : NaN, peakBits: peak });
  }
  return regions;
}

/** Smoothing and joining of surprising stretches: DNA in bases; audio scaled to the sample rate (10 ms, 50 ms, 20 ms). */
export const DNA_REGIONS = { window: 25, mergeGap: 25, minLength: 10 } as const;
export function audioRegions(sampleRate: number): { window: number; mergeGap: number; minLength: number } {
  return {
    window: Math.max(1, Math.round(sampleRate / 100)),
    mergeGap: Math.round(sampleRate / 20),
    minLength: Math.round(sampleRate / 50),
  };
}

/**
 * The stretches where the model is most surprised, for outputs that do not carry them: smoothed
 * surprisal above the smoothed track's mean + 2 sd (see surprise-regions.ts), in record positions.
 * `track` holds the descriptor's values (row 0 is read); `shape` is in track bins.
 */
export function highSurprisal(
  descriptor: TrackDescriptor,
  track: Float32Array,
  record: number,
  kind: 'high-surprisal' | 'unusual-audio',
  shape: { window: number; mergeGap: number; minLength: number },
): IntervalSet {
  const { start, binSize, length } = descriptor;
  const values = track.subarray(0, length);
  const { mean, sd } = meanAndSd(movingMean(values, shape.window));
  const regions = Number.isFinite(mean) ? findSurpriseRegions(values, { ...shape, thresholdBits: mean + 2 * sd }) : [];
  return {
    record,
    kind,
    starts: regions.map((r) => start + r.start * binSize),
    ends: regions.map((r) => start + r.end * binSize),
    scores: regions.map((r) => r.meanBits),
  };
}

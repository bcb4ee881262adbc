// Training windows. The data's range is split by position: the last `valFraction` of each
// file's range is validation, the rest training, and no window crosses the cut, so validation
// never sees a training position. Windows lie inside runs of scored tokens (for DNA: N runs and
// other non-ACGT stretches are skipped), are drawn uniformly over all valid starts, and for DNA
// are reverse-complemented with probability 1/2.
import type { Rng } from '../../../kernels/train/rng';
import { DnaTokenizer, type DnaTokenizerJson } from '../datasets/dna-tokenizer';
import type { Segment, TokenData } from './token-data';

/** A stretch of scored tokens. */
export interface Run {
  tokens: Uint8Array;
  file: string;
  record: string;
  start: number;
}

/** Splits each file's segments at the position where its last `valFraction` begins. */
export function splitTrainVal(segments: readonly Segment[], valFraction: number): { train: Segment[]; val: Segment[] } {
  if (!(valFraction > 0 && valFraction < 1))
    throw new Error(`validation fraction must be in (0, 1), got ${valFraction}`);
  const train: Segment[] = [],
    val: Segment[] = [];
  const files = [...new Set(segments.map((s) => s.file))];
  for (const file of files) {
    const own = segments.filter((s) => s.file === file);
    const total = own.reduce((a, s) => a + s.tokens.length, 0);
    const cut = Math.floor(total * (1 - valFraction));
    let offset = 0;
    for (const s of own) {
      const len = s.tokens.length,
        here = Math.min(len, Math.max(0, cut - offset));
      if (here > 0) train.push({ ...s, tokens: s.tokens.subarray(0, here) });
      if (here < len) val.push({ ...s, start: s.start + here, tokens: s.tokens.subarray(here) });
      offset += len;
    }
  }
  return { train, val };
}

/** Maximal runs of scored tokens at least `minLength` long. */
export function scoredRuns(segments: readonly Segment[], scored: Uint8Array, minLength: number): Run[] {
  const runs: Run[] = [];
  for (const s of segments) {
    let begin = -1;
    for (let i = 0; i <= s.tokens.length; i++) {
      const ok = i < s.tokens.length && scored[s.tokens[i]] === 1;
      if (ok && begin < 0) begin = i;
      else if (!ok && begin >= 0) {
        if (i - begin >= minLength)
          runs.push({ tokens: s.tokens.subarray(begin, i), file: s.file, record: s.record, start: s.start + begin });
        begin = -1;
      }
    }
  }
  return runs;
}

export class WindowSampler {
  private readonly cumulative: Float64Array; // valid starts before each run
  readonly starts: number;

  /** `complement[id]` is the id of the complementary base, for reverse-complement augmentation; absent for audio. */
  constructor(
    private readonly runs: readonly Run[],
    readonly length: number,
    private readonly complement: Int32Array | undefined,
  ) {
    this.cumulative = new Float64Array(runs.length + 1);
    for (let i = 0; i < runs.length; i++)
      this.cumulative[i + 1] = this.cumulative[i] + Math.max(0, runs[i].tokens.length - length);
    this.starts = this.cumulative[runs.length];
    if (this.starts <= 0)
      throw new Error(
        `no training window of ${length + 1} tokens fits in the data (longest clean stretch: ${Math.max(0, ...runs.map((r) => r.tokens.length))})`,
      );
  }

  /** Fills ids and targets [b, length] with b random windows (targets = ids shifted by one). */
  fill(rng: Rng, b: number, ids: Int32Array, targets: Int32Array): void {
    const l = this.length;
    for (let row = 0; row < b; row++) {
      const pick = rng.uniform() * this.starts;
      let lo = 0,
        hi = this.runs.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.cumulative[mid + 1] <= pick) lo = mid + 1;
        else hi = mid;
      }
      const start = Math.floor(pick - this.cumulative[lo]);
      const w = this.runs[lo].tokens.subarray(start, start + l + 1);
      const flip = this.complement !== undefined && rng.uniform() < 0.5;
      for (let t = 0; t <= l; t++) {
        const id = flip ? (this.complement as Int32Array)[w[l - t]] : w[t];
        if (t < l) ids[row * l + t] = id;
        if (t > 0) targets[row * l + t - 1] = id;
      }
    }
  }
}

/** Up to `max` non-overlapping windows of length+1 tokens spread evenly over the runs (deterministic). */
export function evenWindows(runs: readonly Run[], length: number, max: number): Uint8Array[] {
  const all: Uint8Array[] = [];
  for (const r of runs)
    for (let s = 0; s + length + 1 <= r.tokens.length; s += length + 1) all.push(r.tokens.subarray(s, s + length + 1));
  if (all.length <= max) return all;
  return Array.from({ length: max }, (_, i) => all[Math.floor((i * all.length) / max)]);
}

/** complement[id]: the id of the complementary base (N to N; specials to themselves). */
export function complementTable(tokenizer: DnaTokenizerJson): Int32Array {
  const t = DnaTokenizer.fromJSON(tokenizer);
  const v = t.vocabSize;
  const rc = t.reverseComplement(Int32Array.from({ length: v }, (_, i) => i));
  return Int32Array.from({ length: v }, (_, id) => rc[v - 1 - id]);
}

/** What a run trains and validates on: the scored runs of each split, and for DNA the complement table. */
export interface TrainingRuns {
  train: Run[];
  val: Run[];
  complement: Int32Array | undefined;
}

/** The runs a session samples windows of `length` + 1 tokens from, with the last `valFraction` of each file held out. */
export function trainingRuns(data: TokenData, length: number, valFraction: number): TrainingRuns {
  const { train, val } = splitTrainVal(data.segments, valFraction);
  return {
    train: scoredRuns(train, data.scored, length + 1),
    val: scoredRuns(val, data.scored, length + 1),
    complement: data.kind === 'dna' ? complementTable(data.tokenizer as DnaTokenizerJson) : undefined,
  };
}

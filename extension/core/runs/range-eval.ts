// Held-out evaluation over exactly a range of each data file: bits per token (per base for DNA,
// per sample for audio) of every position whose token is a scored one (A, C, G, T; every audio
// sample). Positions holding other tokens (N, ambiguity codes, gaps) are excluded and counted;
// so is the first position of each segment, which has nothing before it to be predicted from.
// A model and the Markov baseline go through this same function with their own scorer.
import type { Segment, TokenData } from './token-data';

/** Bits of each position of `tokens` given the positions before it in the same segment (NaN where there is nothing to predict from). */
export type SegmentScorer = (tokens: Uint8Array) => Promise<Float64Array | Float32Array>;

export interface FileScore {
  path: string;
  positions: number;
  scored: number;
  excluded: number;
  segmentStarts: number;
  bits: number;
  bitsPerToken: number;
}

export interface RangeScore {
  files: FileScore[];
  positions: number;
  scored: number;
  excluded: number;
  bits: number;
  bitsPerToken: number;
}

export async function evaluateSegments(data: TokenData, scorer: SegmentScorer): Promise<RangeScore> {
  const byFile = new Map<string, FileScore>();
  for (const seg of data.segments) {
    const f = byFile.get(seg.file) ?? {
      path: seg.file,
      positions: 0,
      scored: 0,
      excluded: 0,
      segmentStarts: 0,
      bits: 0,
      bitsPerToken: NaN,
    };
    byFile.set(seg.file, f);
    await scoreSegment(seg, data.scored, scorer, f);
  }
  const files = [...byFile.values()];
  for (const f of files) f.bitsPerToken = f.bits / f.scored;
  const sum = (k: 'positions' | 'scored' | 'excluded' | 'bits') => files.reduce((a, f) => a + f[k], 0);
  return {
    files,
    positions: sum('positions'),
    scored: sum('scored'),
    excluded: sum('excluded'),
    bits: sum('bits'),
    bitsPerToken: sum('bits') / sum('scored'),
  };
}

async function scoreSegment(seg: Segment, scored: Uint8Array, scorer: SegmentScorer, f: FileScore): Promise<void> {
  const bits = await scorer(seg.tokens);
  if (bits.length !== seg.tokens.length)
    throw new Error(`scorer returned ${bits.length} values for ${seg.tokens.length} tokens`);
  f.positions += seg.tokens.length;
  for (let i = 1; i < seg.tokens.length; i++) {
    if (scored[seg.tokens[i]] !== 1) {
      f.excluded++;
      continue;
    }
    const b = bits[i];
    if (!Number.isFinite(b)) throw new Error(`${seg.file} ${seg.record}: no score at position ${seg.start + i}`);
    f.bits += b;
    f.scored++;
  }
  if (seg.tokens.length > 0) {
    if (scored[seg.tokens[0]] === 1) f.segmentStarts++;
    else f.excluded++;
  }
}

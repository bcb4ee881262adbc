// Choosing the next token from a row of logits: greedy (temperature 0), or sampling from
// softmax(logits / temperature) restricted to the top k, drawing from the caller's uniform RNG.

export interface SamplingOptions {
  /** 0 = greedy argmax. */
  temperature: number;
  /** Keep only the k most likely tokens (all when absent or 0). */
  topK?: number;
}

/** Index of the largest value (the first one on ties). */
export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

export function checkSampling(o: SamplingOptions): void {
  if (!(o.temperature >= 0 && Number.isFinite(o.temperature)))
    throw new RangeError(`temperature ${o.temperature} must be a finite number >= 0`);
  if (o.topK !== undefined && !(Number.isInteger(o.topK) && o.topK >= 0))
    throw new RangeError(`top-k ${o.topK} must be a non-negative integer`);
}

/** Picks a token from one row of logits [v]. */
export function sampleToken(row: ArrayLike<number>, o: SamplingOptions, rng: () => number): number {
  checkSampling(o);
  if (o.temperature === 0) return argmax(row);
  const order = Array.from({ length: row.length }, (_, i) => i).sort((a, b) => row[b] - row[a] || a - b);
  const kept = o.topK ? order.slice(0, o.topK) : order;
  const max = row[kept[0]];
  const weights = kept.map((i) => Math.exp((row[i] - max) / o.temperature));
  let u = rng() * weights.reduce((a, w) => a + w, 0);
  for (let j = 0; j < kept.length; j++) {
    u -= weights[j];
    if (u < 0) return kept[j];
  }
  return kept[kept.length - 1];
}

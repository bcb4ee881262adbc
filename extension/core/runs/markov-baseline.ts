// Order-k Markov baseline: P(x_t | previous k tokens) from counts over the training range with
// the Krichevsky-Trofimov estimator ((count + 1/2) / (context count + A/2), A = alphabet size),
// scored by the same held-out evaluation as a trained model (range-eval.ts), so `seqlab eval`
// and bench/markov.ts put a model's figure next to the best order k on exactly the same positions.
// Contexts never reach across a non-scored token (N) or a record boundary; where fewer than k
// tokens precede, the longest available order is used. For DNA the counts can also include the
// reverse complement of the training data, as the model's augmentation does. Counts are kept as
// sorted exact integer keys (context*A + symbol), so A^(k+1) must stay below 2^53: k <= 12 for
// DNA, k <= 5 for 256-level audio.
import { DnaTokenizer } from '../datasets/dna-tokenizer';
import { evaluateSegments, type RangeScore } from './range-eval';
import type { DataKind, TokenData } from './token-data';
import { scoredRuns } from './window-sampler';

/** Sorted unique keys and their counts. */
interface CountTable {
  keys: Float64Array;
  counts: Uint32Array;
}

function countKeys(keys: Float64Array): CountTable {
  keys.sort();
  let u = 0;
  const outKeys = new Float64Array(keys.length),
    counts = new Uint32Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    if (u > 0 && outKeys[u - 1] === keys[i]) counts[u - 1]++;
    else {
      outKeys[u] = keys[i];
      counts[u] = 1;
      u++;
    }
  }
  return { keys: outKeys.slice(0, u), counts: counts.slice(0, u) };
}

function lookup(t: CountTable, key: number): number {
  let lo = 0,
    hi = t.keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1,
      k = t.keys[mid];
    if (k === key) return t.counts[mid];
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}

export class MarkovModel {
  private readonly symbolOf: Int32Array; // token id -> 0..A-1, or -1 when not scored
  readonly alphabet: number;
  private readonly tables = new Map<number, { joint: CountTable; context: CountTable }>();

  /** `sequences`: training runs of scored tokens (each a separate context). */
  constructor(
    readonly k: number,
    scored: Uint8Array,
    private readonly sequences: readonly Uint8Array[],
  ) {
    this.symbolOf = new Int32Array(scored.length).fill(-1);
    let a = 0;
    for (let id = 0; id < scored.length; id++) if (scored[id] === 1) this.symbolOf[id] = a++;
    this.alphabet = a;
    if (a ** (k + 1) > 2 ** 53)
      throw new Error(
        `order ${k} with ${a} symbols needs keys beyond 2^53; the largest order here is ${Math.floor(53 / Math.log2(a)) - 1}`,
      );
  }

  /** Counts of order j, built on first use (only order k is needed except near run starts). */
  private table(j: number): { joint: CountTable; context: CountTable } {
    const have = this.tables.get(j);
    if (have) return have;
    const A = this.alphabet;
    let n = 0;
    for (const s of this.sequences) n += Math.max(0, s.length - j);
    const joint = new Float64Array(n),
      context = new Float64Array(n);
    let at = 0;
    for (const s of this.sequences) {
      for (let i = j; i < s.length; i++) {
        let ctx = 0;
        for (let q = i - j; q < i; q++) ctx = ctx * A + this.symbolOf[s[q]];
        context[at] = ctx;
        joint[at++] = ctx * A + this.symbolOf[s[i]];
      }
    }
    const t = { joint: countKeys(joint), context: countKeys(context) };
    this.tables.set(j, t);
    return t;
  }

  /** Bits of each token given up to k scored tokens before it; NaN for unscored tokens and the first. */
  readonly score = async (tokens: Uint8Array): Promise<Float64Array> => {
    const A = this.alphabet,
      out = new Float64Array(tokens.length).fill(NaN);
    let runStart = 0;
    for (let i = 0; i < tokens.length; i++) {
      const sym = this.symbolOf[tokens[i]];
      if (sym < 0) {
        runStart = i + 1;
        continue;
      }
      if (i === 0) continue;
      const j = Math.min(this.k, i - runStart);
      let ctx = 0;
      for (let q = i - j; q < i; q++) ctx = ctx * A + this.symbolOf[tokens[q]];
      const t = this.table(j);
      const p = (lookup(t.joint, ctx * A + sym) + 0.5) / (lookup(t.context, ctx) + A / 2);
      out[i] = -Math.log2(p);
    }
    return out;
  };
}

/** Training sequences for the counts: scored runs of the training range, plus their reverse complements for DNA. */
export function markovSequences(train: TokenData, withReverseComplement: boolean): Uint8Array[] {
  const runs = scoredRuns(train.segments, train.scored, 1).map((r) => r.tokens);
  if (!withReverseComplement || train.kind !== 'dna') return runs;
  const tok = DnaTokenizer.fromJSON(train.tokenizer);
  return [...runs, ...runs.map((r) => Uint8Array.from(tok.reverseComplement(Int32Array.from(r))))];
}

/** Orders tried when none are given: DNA up to 12 (longer contexts only memorize a genome's training part); audio's 256 symbols leave too few counts beyond 3. */
export function defaultMarkovOrders(kind: DataKind): number[] {
  return Array.from({ length: kind === 'dna' ? 12 : 3 }, (_, i) => i + 1);
}

export interface MarkovOrderScore {
  k: number;
  score: RangeScore;
}

/** Scores `test` with order-k models counted on `train` for each of `orders`; `rc` adds the reverse complement (DNA). */
export async function markovSweep(
  train: TokenData,
  test: TokenData,
  orders: number[],
  rc: boolean,
  onOrder?: (k: number, s: RangeScore) => void,
): Promise<MarkovOrderScore[]> {
  const seqs = markovSequences(train, rc);
  const out: MarkovOrderScore[] = [];
  for (const k of orders) {
    const score = await evaluateSegments(test, new MarkovModel(k, train.scored, seqs).score);
    onOrder?.(k, score);
    out.push({ k, score });
  }
  return out;
}

/** The order with the fewest bits per token. */
export function bestMarkov(results: readonly MarkovOrderScore[]): MarkovOrderScore {
  if (results.length === 0) throw new Error('no Markov orders were scored');
  return results.reduce((a, b) => (b.score.bitsPerToken < a.score.bitsPerToken ? b : a));
}

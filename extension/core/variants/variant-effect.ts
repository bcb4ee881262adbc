// Zero-shot variant effect of a causal DNA model: the log-likelihood ratio, in bits, of the
// sequence with the ALT allele against the sequence with the REF allele.
//
// The window of a variant whose REF starts at 0-based position p and spans m bases holds up to W
// reference bases on each side: left = [p - W, p), right = [p + m, p + m + W), clipped at the
// chromosome's ends. The ref window is left + REF + right, the alt window left + ALT + right, so
// for an indel the two differ in length by |ALT| - |REF| and share both flanks exactly.
//
//   LLR = log2 P(alt window) - log2 P(ref window)
//
// under the model reading the window left to right. The bases of `left` and their predictions are
// the same in both (a causal model does not see what comes later), so the difference is the sum
// over the allele's own bases and the right flank, each given all before it:
//
//   LLR = log2 P(ALT + right | left) - log2 P(REF + right | left)
//
// which is what is computed: `left` once, its state shared by the REF and every ALT (branch-scorer.ts).
// The right flank is where the change shows up for a causal model: the bases after it are predicted
// from a different history. The same is done on the reverse complement, whose window reads
// rc(right) + rc(allele) + rc(left), so there the context is rc(right) and the flank rc(left); the
// reported LLR is the mean of the two strands. Negative: the model finds the alternate less
// likely. A variant at a chromosome's first base has no context on the forward strand: its first
// base has nothing to be predicted from and is left out of both sums there.
import type { Backend } from '../../../kernels/backend';
import type { MambaModel } from '../../../kernels/model/weights';
import type { DnaTokenizer } from '../datasets/dna-tokenizer';
import { branchLogProbs, type BranchCase } from './branch-scorer';
import type { ReferenceContig, ReferenceGenome } from './reference';

export const DEFAULT_WINDOW = 256;

/** The bases of one variant's window: REF, its ALTs, and the reference on each side. */
export interface VariantWindow {
  readonly left: Uint8Array;
  readonly ref: Uint8Array;
  readonly alts: readonly Uint8Array[];
  readonly right: Uint8Array;
}

export interface AlleleLlr {
  readonly forward: number;
  readonly reverse: number;
  /** The mean of the two strands. */
  readonly mean: number;
}

/**
 * The reference bases of a variant's window on `contig`: `refBases` are the bases REF covers
 * (for the caller's REF check), `left` and `right` the flanks of up to `window` bases each.
 */
export async function readFlanks(
  reference: ReferenceGenome,
  contig: ReferenceContig,
  start: number,
  refLength: number,
  window: number,
): Promise<{ left: Uint8Array; refBases: Uint8Array; right: Uint8Array }> {
  const from = Math.max(0, start - window),
    end = start + refLength,
    to = Math.min(contig.length, end + window);
  const bases = await reference.bases(contig.index, from, to);
  return {
    left: bases.subarray(0, start - from),
    refBases: bases.subarray(start - from, end - from),
    right: bases.subarray(end - from),
  };
}

export class VariantEffectScorer {
  constructor(
    private readonly backend: Backend,
    private readonly model: MambaModel,
    private readonly tokenizer: DnaTokenizer,
    private readonly batchTokens?: number,
  ) {}

  /** The LLR of each ALT of each window, on both strands. */
  async score(windows: readonly VariantWindow[], signal?: AbortSignal): Promise<AlleleLlr[][]> {
    const tok = this.tokenizer;
    const cases: BranchCase[] = [];
    for (const w of windows) {
      const left = tok.encode(w.left),
        right = tok.encode(w.right);
      const alleles = [w.ref, ...w.alts].map((a) => tok.encode(a));
      cases.push({ context: left, branches: alleles, flank: right });
      cases.push({
        context: tok.reverseComplement(right),
        branches: alleles.map((a) => tok.reverseComplement(a)),
        flank: tok.reverseComplement(left),
      });
    }
    const logProbs = await branchLogProbs(this.backend, this.model, cases, {
      batchTokens: this.batchTokens,
      signal,
    });
    return windows.map((w, i) => {
      const fwd = logProbs[2 * i],
        rev = logProbs[2 * i + 1];
      return w.alts.map((_, j) => {
        const forward = fwd[j + 1] - fwd[0],
          reverse = rev[j + 1] - rev[0];
        return { forward, reverse, mean: (forward + reverse) / 2 };
      });
    });
  }
}

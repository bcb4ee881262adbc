// The batched, shared-prefix variant scoring against the slow reference: every context + branch +
// flank scored on its own with the plain forward, summed from the branch's first base. On an
// awkward random model (untied head, conv kernel 3, state 5, 11-token vocabulary) with random
// cases of awkward lengths (no context, one token, branches of different lengths, no flank), in
// batches small enough to split and large enough to mix; then the trained sample model's LLRs on
// the real S. aureus genome (SNVs, MNVs, insertions, deletions, complex changes, windows clipped
// at both ends of the chromosome), forward and reverse complement, against full windows.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Backend } from '../../kernels/backend';
import { CpuBackend } from '../../kernels/cpu-backend';
import { mambaForward } from '../../kernels/model/forward';
import { type MambaModel, uploadMambaModel } from '../../kernels/model/weights';
import { Rng } from '../../kernels/train/rng';
import { DnaTokenizer } from '../../extension/core/datasets/dna-tokenizer';
import { loadModelDir } from '../../extension/core/models/load-model';
import { branchLogProbs, type BranchCase } from '../../extension/core/variants/branch-scorer';
import { ReferenceGenome } from '../../extension/core/variants/reference';
import { readFlanks, VariantEffectScorer, type VariantWindow } from '../../extension/core/variants/variant-effect';
import { REPO_ROOT } from '../support/hf-fixture';
import { ODD_CONFIG, writeOddModel } from '../support/odd-model';
import { REAL, realFile } from '../support/real-data';
import { assertClose } from '../support/tolerance';

/** Float32 sums of a few hundred surprisals, computed in batches of other shapes than the reference's. */
const LLR_TOLERANCE = { rtol: 1e-5, atol: 1e-4 };

/** log2 P(tokens[from..]) given the tokens before, by one plain forward over the whole sequence. */
async function slowLogProb(backend: Backend, model: MambaModel, seq: Int32Array, from: number): Promise<number> {
  const L = seq.length;
  if (L < 2) return 0;
  const targets = new Int32Array(L);
  targets.set(seq.subarray(1));
  const ids = backend.uploadIds(seq, [1, L]),
    tg = backend.uploadIds(targets, [1, L]);
  const r = mambaForward(backend, model, ids, { targets: tg });
  const bits = await backend.read(r.surprisal!);
  [ids, tg, r.logits, r.surprisal!].forEach((t) => backend.free(t));
  let sum = 0;
  for (let t = Math.max(0, from - 1); t + 1 < L; t++) sum += bits[t];
  return -sum;
}

const concat = (...parts: Int32Array[]): Int32Array => {
  const out = new Int32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

test('branch scores equal the plain forward over each whole sequence (odd random model, awkward lengths)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-branch-'));
  await writeOddModel(dir);
  const loaded = await loadModelDir(dir);
  const backend = new CpuBackend();
  const model = uploadMambaModel(backend, ODD_CONFIG, loaded.params);
  const rng = new Rng(Date.now() % 100000);
  const tokens = (n: number) => Int32Array.from({ length: n }, () => 1 + (rng.nextU32() % (ODD_CONFIG.vocabSize - 1)));
  const pick = <T>(xs: readonly T[]): T => xs[rng.nextU32() % xs.length];
  const cases: BranchCase[] = Array.from({ length: 23 }, () => ({
    context: tokens(pick([0, 1, 2, 3, 17, 64, 64])),
    branches: Array.from({ length: 1 + (rng.nextU32() % 4) }, () => tokens(pick([1, 1, 2, 3, 5]))),
    flank: tokens(pick([0, 1, 7, 40])),
  }));
  const want: number[] = [];
  for (const c of cases)
    for (const b of c.branches)
      want.push(await slowLogProb(backend, model, concat(c.context, b, c.flank), c.context.length));
  for (const batchTokens of [60, 1 << 14]) {
    const got = (await branchLogProbs(backend, model, cases, { batchTokens })).flatMap((x) => [...x]);
    const r = assertClose(got, want, LLR_TOLERANCE, `branch log2 P, batches of ${batchTokens} tokens`);
    console.log(
      `batches of ${batchTokens} tokens: max abs err ${r.maxAbs.toExponential(2)} bits, mean ${r.meanAbs.toExponential(2)}`,
    );
  }
  const aborted = new AbortController();
  aborted.abort();
  await assert.rejects(branchLogProbs(backend, model, cases, { signal: aborted.signal }), { name: 'AbortError' });
  backend.dispose();
});

test('variant LLRs of the sample model on S. aureus equal log2 P(alt window) - log2 P(ref window) on each strand', async () => {
  const loaded = await loadModelDir(join(REPO_ROOT, 'samples', 'models', 'dna-saureus'));
  const backend = new CpuBackend();
  const model = uploadMambaModel(backend, loaded.config, loaded.params);
  const tok = DnaTokenizer.default();
  const reference = await ReferenceGenome.open(realFile(REAL.saureusNctc8325));
  const contig = reference.contig('NC_007795.1')!;
  assert.equal(contig.match, 'accession');
  const rng = new Rng(Date.now() % 100000);
  const W = 48;
  const randomAllele = (n: number) =>
    Buffer.from(Array.from({ length: n }, () => 'ACGT'.charCodeAt(rng.nextU32() % 4)));
  // [start, REF length, ALT lengths]: SNV, MNV, deletion, insertion, complex, clipped at both ends.
  const shapes: [number, number, number[]][] = [
    [1 + (rng.nextU32() % 2_000_000), 1, [1, 1, 1]],
    [1 + (rng.nextU32() % 2_000_000), 3, [3]],
    [1 + (rng.nextU32() % 2_000_000), 4, [1]],
    [1 + (rng.nextU32() % 2_000_000), 1, [6, 2]],
    [1 + (rng.nextU32() % 2_000_000), 2, [5]],
    [0, 1, [1]],
    [5, 2, [1, 4]],
    [contig.length - 1, 1, [3]],
    [contig.length - 10, 2, [2]],
  ];
  const windows: VariantWindow[] = [];
  for (const [start, m, alts] of shapes) {
    const f = await readFlanks(reference, contig, start, m, W);
    windows.push({ left: f.left, ref: f.refBases, alts: alts.map(randomAllele), right: f.right });
  }
  const got = await new VariantEffectScorer(backend, model, tok, 500).score(windows);
  const want: number[] = [],
    flat: number[] = [];
  for (const [i, w] of windows.entries()) {
    const [left, ref, right] = [w.left, w.ref, w.right].map((b) => tok.encode(b));
    const rc = (x: Int32Array) => tok.reverseComplement(x);
    const refFwd = await slowLogProb(backend, model, concat(left, ref, right), left.length);
    const refRev = await slowLogProb(backend, model, concat(rc(right), rc(ref), rc(left)), right.length);
    for (const [j, altBases] of w.alts.entries()) {
      const alt = tok.encode(altBases);
      const fwd = (await slowLogProb(backend, model, concat(left, alt, right), left.length)) - refFwd;
      const rev = (await slowLogProb(backend, model, concat(rc(right), rc(alt), rc(left)), right.length)) - refRev;
      want.push(fwd, rev, (fwd + rev) / 2);
      flat.push(got[i][j].forward, got[i][j].reverse, got[i][j].mean);
    }
  }
  const r = assertClose(flat, want, LLR_TOLERANCE, 'LLR (forward, reverse, mean) vs full windows');
  console.log(`sample model LLRs: max abs err ${r.maxAbs.toExponential(2)} bits, mean ${r.meanAbs.toExponential(2)}`);
  // A real change moves the likelihood: not every LLR is zero.
  assert.ok(want.some((x) => Math.abs(x) > 0.1));
  await reference.close();
  backend.dispose();
});

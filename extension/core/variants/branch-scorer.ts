// log2 P(branch + flank | context) for several branches that share a context: the context runs
// once through the model, its recurrent state is copied to one row per branch, and the branches
// run as rows of one forward from there. Many cases batch together: cases with contexts of the
// same length share the context forward, and all their branches share the branch forward
// (rows padded at the end, which a causal model never looks back at). Equal, up to float32
// rounding, to scoring each context + branch + flank on its own with the plain forward and
// summing from the branch's first token.
import type { Backend } from '../../../kernels/backend';
import type { MambaConfig } from '../../../kernels/model/config';
import { mambaForward } from '../../../kernels/model/forward';
import { freeMambaState, type MambaState, readMambaState, zeroMambaState } from '../../../kernels/model/state';
import type { MambaModel } from '../../../kernels/model/weights';

export interface BranchCase {
  /** Tokens before the branch point. */
  readonly context: Int32Array;
  /** The alternatives at the branch point (each may be of any length). */
  readonly branches: readonly Int32Array[];
  /** Tokens after the branch, the same after each. */
  readonly flank: Int32Array;
}

export interface BranchScoreOptions {
  /** Most tokens (rows x length) in one forward; at least one case always runs. */
  batchTokens?: number;
  signal?: AbortSignal;
}

/**
 * Tokens per forward: on the CPU few enough that Ctrl-C is answered within a second or two (its
 * speed hardly depends on the batch); on a GPU about 256 MiB of float32 activations (a dozen
 * [tokens, d_in] tensors alive at once).
 */
export function defaultBatchTokens(backend: Backend, config: MambaConfig): number {
  const byMemory = Math.max(1024, Math.min(1 << 17, Math.floor((1 << 26) / (12 * config.intermediateSize))));
  return backend.name === 'cpu' ? Math.min(byMemory, 1 << 14) : byMemory;
}

/**
 * For each case, log2 P(branch + flank | context) of each branch (bits, negative). With an empty
 * context the branch's first token has nothing to be predicted from and is left out.
 */
export async function branchLogProbs(
  backend: Backend,
  model: MambaModel,
  cases: readonly BranchCase[],
  options: BranchScoreOptions = {},
): Promise<Float64Array[]> {
  const budget = options.batchTokens ?? defaultBatchTokens(backend, model.config);
  const out: Float64Array[] = new Array(cases.length);
  const byContext = new Map<number, number[]>();
  cases.forEach((c, i) => {
    const group = byContext.get(c.context.length);
    if (group) group.push(i);
    else byContext.set(c.context.length, [i]);
  });
  for (const [contextLength, indices] of byContext) {
    for (let i = 0; i < indices.length;) {
      // Greedy: add cases while the branch forward (rows x longest row) stays within the budget.
      let rows = 0,
        longest = 0,
        j = i;
      for (; j < indices.length; j++) {
        const c = cases[indices[j]];
        const r = rows + c.branches.length,
          l = Math.max(longest, rowLength(c));
        if (j > i && r * l > budget) break;
        rows = r;
        longest = l;
      }
      // Let a signal handler (Ctrl-C) run between forwards, then honour it.
      await new Promise((resolve) => setImmediate(resolve));
      options.signal?.throwIfAborted();
      const batch = indices.slice(i, j);
      const scores = await scoreBatch(
        backend,
        model,
        batch.map((k) => cases[k]),
        contextLength,
      );
      batch.forEach((k, b) => (out[k] = scores[b]));
      i = j;
    }
  }
  return out;
}

/** Tokens in each branch's row: the context's last token (when there is one), the longest branch, the flank. */
function rowLength(c: BranchCase): number {
  return Math.min(1, c.context.length) + Math.max(...c.branches.map((b) => b.length)) + c.flank.length;
}

async function scoreBatch(
  backend: Backend,
  model: MambaModel,
  cases: readonly BranchCase[],
  contextLength: number,
): Promise<Float64Array[]> {
  // The context's last token starts each branch row, so the row's first logits predict the branch.
  const prefix = contextLength - 1;
  const owners: number[] = [],
    rows: Int32Array[] = [];
  cases.forEach((c, g) => {
    for (const branch of c.branches) {
      const lead = c.context.subarray(Math.max(0, prefix));
      const row = new Int32Array(lead.length + branch.length + c.flank.length);
      row.set(lead);
      row.set(branch, lead.length);
      row.set(c.flank, lead.length + branch.length);
      rows.push(row);
      owners.push(g);
    }
  });
  const state =
    prefix > 0
      ? await branchState(backend, model, cases, prefix, owners)
      : zeroMambaState(backend, model.config, rows.length);
  const L = Math.max(...rows.map((r) => r.length)),
    B = rows.length;
  const ids = new Int32Array(B * L),
    targets = new Int32Array(B * L);
  rows.forEach((r, b) => {
    ids.set(r, b * L);
    targets.set(r.subarray(1), b * L);
  });
  const idsT = backend.uploadIds(ids, [B, L]),
    targetsT = backend.uploadIds(targets, [B, L]);
  let surprisal: Float32Array;
  try {
    const r = mambaForward(backend, model, idsT, { state, targets: targetsT });
    backend.free(r.logits);
    surprisal = await backend.read(r.surprisal!);
    backend.free(r.surprisal!);
  } finally {
    backend.free(idsT);
    backend.free(targetsT);
    freeMambaState(backend, state);
  }
  const out = cases.map((c) => new Float64Array(c.branches.length));
  const next = new Array<number>(cases.length).fill(0);
  rows.forEach((r, b) => {
    let bits = 0;
    for (let t = 0; t + 1 < r.length; t++) bits += surprisal[b * L + t];
    const g = owners[b];
    out[g][next[g]++] = -bits;
  });
  return out;
}

/** The state after each case's first `prefix` context tokens, copied to one row per branch (`owners[row]` = its case). */
async function branchState(
  backend: Backend,
  model: MambaModel,
  cases: readonly BranchCase[],
  prefix: number,
  owners: readonly number[],
): Promise<MambaState> {
  const G = cases.length;
  const ids = new Int32Array(G * prefix);
  cases.forEach((c, g) => ids.set(c.context.subarray(0, prefix), g * prefix));
  const idsT = backend.uploadIds(ids, [G, prefix]);
  const r = mambaForward(backend, model, idsT, { returnState: true });
  backend.free(idsT);
  backend.free(r.logits);
  const shared = r.state!;
  const convShapes = shared.conv.map((t) => t.shape),
    ssmShapes = shared.ssm.map((t) => t.shape);
  const host = await readMambaState(backend, shared);
  freeMambaState(backend, shared);
  const spread = (per: Float32Array[], shapes: (readonly number[])[]) =>
    per.map((data, layer) => {
      const size = data.length / G;
      const rowsData = new Float32Array(owners.length * size);
      owners.forEach((g, b) => rowsData.set(data.subarray(g * size, (g + 1) * size), b * size));
      return backend.upload(rowsData, [owners.length, ...shapes[layer].slice(1)]);
    });
  return { conv: spread(host.conv, convShapes), ssm: spread(host.ssm, ssmShapes) };
}

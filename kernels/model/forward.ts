// The MambaForCausalLM forward pass over any Backend: embedding -> N residual Mamba blocks ->
// norm_f -> lm_head. Optionally starts from a recurrent state and returns the state after the
// last token (step and stream are this function with the state carried), and returns what the
// UI and a backward pass need: per-position surprisal, per-layer mean Δ, layer outputs, and
// every block's intermediates.
import type { Backend, ScanVariant, Tensor } from '../backend';
import { CpuBackend } from '../cpu-backend';
import { cpuForward } from './cpu-forward';
import type { MambaState } from './state';
import type { MambaModel } from './weights';

export interface ForwardOptions {
  /**
   * Selective scan algorithm. Default: the chunked parallel scan on WebGPU, the sequential one on
   * the CPU, where chunking adds work without adding parallelism (b 1, l 4096, d_in 1536, n 16:
   * 0.73 s sequential vs 1.45 s chunked).
   */
  scan?: ScanVariant;
  /** State before the first token (zeros when absent); left as it is. */
  state?: MambaState;
  /** Return the state after the last token. */
  returnState?: boolean;
  /** Token ids [b, l] int32 to score: surprisal[b, t] = -log2 p(targets[b, t] | logits[b, t]). */
  targets?: Tensor;
  /** Return each layer's mean over channels of Δ, [b, l] (the selection track). */
  meanDelta?: boolean;
  /** Return each layer's output [b, l, d] (residual + mixer). */
  hiddenStates?: boolean;
  /** Return every block's intermediates (for a backward pass); nothing is freed then. */
  activations?: boolean;
  /**
   * Run op by op through the backend even on the CPU, where inference otherwise takes the fused
   * forward (cpu-forward.ts; `scan` does not apply there): the reference that path is tested against.
   */
  ops?: boolean;
}

/** One block's intermediates, named after the design's equations. */
export interface LayerActivations {
  input: Tensor; // [b, l, d]  residual stream into the block
  normed: Tensor; // [b, l, d]
  xz: Tensor; // [b, l, 2c] in_proj output
  x: Tensor; // [b, l, c]  conv input
  z: Tensor; // [b, l, c]  gate input
  u: Tensor; // [b, l, c]  silu(conv1d(x))
  xDbl: Tensor; // [b, l, r + 2n] x_proj output
  dt: Tensor; // [b, l, r]
  B: Tensor; // [b, l, n]
  C: Tensor; // [b, l, n]
  delta: Tensor; // [b, l, c]  softplus(dt_proj(dt))
  y: Tensor; // [b, l, c]  scan output, before the gate
  gated: Tensor; // [b, l, c]
  mixerOut: Tensor; // [b, l, d] out_proj output
}

export interface ForwardResult {
  logits: Tensor; // [b, l, v]
  state?: MambaState;
  surprisal?: Tensor; // [b, l] bits
  meanDelta?: Tensor[]; // per layer [b, l]
  hiddenStates?: Tensor[]; // per layer [b, l, d]
  activations?: LayerActivations[];
  /** The input of norm_f [b, l, d] (kept only with `activations`). */
  finalHidden?: Tensor;
}

/** Runs the model on ids [b, l] int32. Tensors the caller did not ask for are freed. */
export function mambaForward(
  backend: Backend,
  model: MambaModel,
  ids: Tensor,
  options: ForwardOptions = {},
): ForwardResult {
  if (backend instanceof CpuBackend && !options.ops && !options.activations && !options.hiddenStates)
    return cpuForward(backend, model, ids, options);
  const { config: cfg, params } = model;
  const { intermediateSize: c, stateSize: n, timeStepRank: r, layerNormEpsilon: eps } = cfg;
  const keepAll = options.activations === true;
  const defaultScan: ScanVariant = backend.name === 'webgpu' ? 'chunked' : 'sequential';
  const drop = (...ts: Tensor[]): void => {
    if (!keepAll) for (const t of ts) backend.free(t);
  };
  const result: ForwardResult = { logits: undefined as unknown as Tensor };
  const convStates: Tensor[] = [],
    ssmStates: Tensor[] = [];
  const meanDelta: Tensor[] = [],
    hiddenStates: Tensor[] = [],
    activations: LayerActivations[] = [];

  let x = backend.embedding(params.embedding, ids);
  params.layers.forEach((p, i) => {
    const normed = backend.rmsNorm(x, p.norm, eps);
    const xz = backend.linear(normed, p.inProj, p.inProjBias, 'none');
    const xs = backend.sliceLast(xz, 0, c);
    const z = backend.sliceLast(xz, c, c);
    const conv = backend.conv1d(xs, p.convWeight, p.convBias, options.state?.conv[i], 'silu');
    const u = conv.y;
    const xDbl = backend.linear(u, p.xProj, undefined, 'none');
    const dt = backend.sliceLast(xDbl, 0, r);
    const B = backend.sliceLast(xDbl, r, n);
    const C = backend.sliceLast(xDbl, r + n, n);
    const delta = backend.linear(dt, p.dtProjWeight, p.dtProjBias, 'softplus');
    const scan = backend.selectiveScan(
      { u, delta, aLog: p.aLog, B, C, D: p.D, h0: options.state?.ssm[i] },
      options.scan ?? defaultScan,
    );
    const gated = backend.gate(scan.y, z);
    const mixerOut = backend.linear(gated, p.outProj, p.outProjBias, 'none');
    const out = backend.add(x, mixerOut);

    if (options.returnState) {
      convStates.push(conv.state);
      ssmStates.push(scan.hLast);
    } else {
      backend.free(conv.state);
      backend.free(scan.hLast);
    }
    if (options.meanDelta) meanDelta.push(backend.meanLast(delta));
    if (options.hiddenStates) hiddenStates.push(out);
    if (keepAll)
      activations.push({ input: x, normed, xz, x: xs, z, u, xDbl, dt, B, C, delta, y: scan.y, gated, mixerOut });
    drop(normed, xz, xs, z, u, xDbl, dt, B, C, delta, scan.y, gated, mixerOut);
    if (!options.hiddenStates || i === 0) drop(x); // x is the previous layer's output, kept when asked for
    x = out;
  });
  const final = backend.rmsNorm(x, params.normF, eps);
  result.logits = backend.linear(final, params.lmHead, undefined, 'none');
  drop(final);
  if (keepAll) result.finalHidden = x;
  else if (!options.hiddenStates) backend.free(x);

  if (options.returnState) result.state = { conv: convStates, ssm: ssmStates };
  if (options.targets) result.surprisal = backend.surprisalBits(result.logits, options.targets);
  if (options.meanDelta) result.meanDelta = meanDelta;
  if (options.hiddenStates) result.hiddenStates = hiddenStates;
  if (keepAll) result.activations = activations;
  return result;
}

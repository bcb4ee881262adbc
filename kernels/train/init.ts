// Initialisation as mamba_ssm does it (mamba_simple.Mamba.__init__ and models/mixer_seq_simple
// _init_weights), from a seeded Rng so a seed gives the same model everywhere:
//   embedding ~ N(0, 0.02);  linear weights: PyTorch default, U(-1/sqrt(fan_in), 1/sqrt(fan_in));
//   out_proj additionally / sqrt(n_layer) (rescale_prenorm_residual); linear biases 0;
//   conv1d weight and bias U(-1/sqrt(k), 1/sqrt(k)) (PyTorch's Conv1d default, fan_in = k);
//   dt_proj.weight ~ U(-r^-0.5, r^-0.5);  dt_proj.bias = softplus^-1(dt), dt = exp(U(log dt_min,
//   log dt_max)) clamped below at dt_floor;  A_log[c, s] = log(s + 1);  D = 1;  norms = 1.
import type { MambaConfig } from '../model/config';
import { EMBEDDING, LM_HEAD, NORM_F, layerNames, ParamViews } from './params';
import type { Rng } from './rng';

export interface DtInit {
  dtMin: number;
  dtMax: number;
  dtFloor: number;
}
export const DEFAULT_DT_INIT: DtInit = { dtMin: 0.001, dtMax: 0.1, dtFloor: 1e-4 };

function uniform(rng: Rng, dst: Float32Array, bound: number): void {
  for (let i = 0; i < dst.length; i++) dst[i] = (2 * rng.uniform() - 1) * bound;
}

/** softplus^-1(y) = y + log(-expm1(-y)), as mamba_ssm computes it. */
export function inverseSoftplus(y: number): number {
  return y + Math.log(-Math.expm1(-y));
}

export function initParams(
  cfg: MambaConfig,
  p: ParamViews<Float32Array>,
  rng: Rng,
  dt: DtInit = DEFAULT_DT_INIT,
): void {
  const { hiddenSize: d, intermediateSize: c, stateSize: n, timeStepRank: r, convKernel: k } = cfg;
  const emb = p.get(EMBEDDING);
  for (let i = 0; i < emb.length; i++) emb[i] = 0.02 * rng.normal();
  for (let i = 0; i < cfg.numLayers; i++) {
    const L = layerNames(i);
    p.get(L.norm).fill(1);
    uniform(rng, p.get(L.inProj), 1 / Math.sqrt(d));
    p.maybe(L.inProjBias)?.fill(0);
    uniform(rng, p.get(L.convW), 1 / Math.sqrt(k));
    const convB = p.maybe(L.convB);
    if (convB) uniform(rng, convB, 1 / Math.sqrt(k));
    uniform(rng, p.get(L.xProj), 1 / Math.sqrt(c));
    uniform(rng, p.get(L.dtW), 1 / Math.sqrt(r));
    const dtB = p.get(L.dtB),
      logMin = Math.log(dt.dtMin),
      logMax = Math.log(dt.dtMax);
    for (let j = 0; j < c; j++) {
      const v = Math.max(Math.exp(rng.uniform() * (logMax - logMin) + logMin), dt.dtFloor);
      dtB[j] = inverseSoftplus(v);
    }
    const aLog = p.get(L.aLog);
    for (let j = 0; j < c; j++) for (let s = 0; s < n; s++) aLog[j * n + s] = Math.log(s + 1);
    p.get(L.D).fill(1);
    uniform(rng, p.get(L.outProj), 1 / Math.sqrt(c) / Math.sqrt(cfg.numLayers));
    p.maybe(L.outProjBias)?.fill(0);
  }
  p.get(NORM_F).fill(1);
  const head = p.maybe(LM_HEAD);
  if (head) uniform(rng, head, 1 / Math.sqrt(d));
}

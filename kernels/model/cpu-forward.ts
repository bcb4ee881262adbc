// The CPU backend's inference forward: what mambaForward computes op by op (forward.ts, the
// reference it is tested against), in a few fused passes per block over float64 buffers kept
// between calls. Profiled on the sample DNA model, the op-by-op path spent its time in Math.exp
// (scan decays, SiLU, softplus), float32<->float64 conversions, per-op allocation and the
// slice copies; here in_proj writes x and z side by side and the conv reads x in place, conv and
// SiLU are one pass, dt_proj and softplus one pass, the scan carries its state in float64 and
// gates its output as it goes, out_proj accumulates into the residual, and the log-softmax reads
// each row of logits once. The scan is the sequential reference's (state in float64).
import { sameShape, shapeText, type Tensor } from '../backend';
import type { CpuBackend } from '../cpu-backend';
import { fastExp, fastSoftplus } from '../ops/fast-math';
import { matmulABt } from '../ops/matmul';
import { rmsNormCpu } from '../ops/rms-norm';
import { surprisalBitsCpu } from '../ops/surprisal';
import type { MambaConfig } from './config';
import type { MambaState } from './state';
import type { MambaModel } from './weights';

export interface CpuForwardOptions {
  state?: MambaState;
  returnState?: boolean;
  targets?: Tensor;
  meanDelta?: boolean;
}

export interface CpuForwardResult {
  logits: Tensor;
  state?: MambaState;
  surprisal?: Tensor;
  meanDelta?: Tensor[];
}

interface Layer {
  norm: Float64Array;
  inProj: Float64Array;
  inProjBias?: Float64Array;
  convWeight: Float64Array;
  convBias?: Float64Array;
  xProj: Float64Array;
  dtProjWeight: Float64Array;
  dtProjBias: Float64Array;
  A: Float64Array; // -exp(aLog)
  D: Float64Array;
  outProj: Float64Array;
  outProjBias?: Float64Array;
}

/** Work buffers for `rows` positions, grown when a call needs more. */
class Scratch {
  rows = 0;
  x = new Float64Array(0); // [rows, d] residual stream
  normed = new Float64Array(0); // [rows, d]
  xz = new Float64Array(0); // [rows, 2c] in_proj output, x then z
  u = new Float64Array(0); // [rows, c] silu(conv(x))
  xDbl = new Float64Array(0); // [rows, r + 2n] dt, B, C
  delta = new Float64Array(0); // [rows, c]
  gated = new Float64Array(0); // [rows, c]
  logits = new Float64Array(0); // [rows, v]
  h = new Float64Array(0); // [c, n] the scan state of one batch row

  ensure(cfg: MambaConfig, rows: number): void {
    if (rows <= this.rows) return;
    const { hiddenSize: d, intermediateSize: c, stateSize: n, timeStepRank: r, vocabSize: v } = cfg;
    this.rows = rows;
    this.x = new Float64Array(rows * d);
    this.normed = new Float64Array(rows * d);
    this.xz = new Float64Array(rows * 2 * c);
    this.u = new Float64Array(rows * c);
    this.xDbl = new Float64Array(rows * (r + 2 * n));
    this.delta = new Float64Array(rows * c);
    this.gated = new Float64Array(rows * c);
    this.logits = new Float64Array(rows * v);
    this.h = new Float64Array(c * n);
  }
}

const f64 = (a: Float32Array): Float64Array => Float64Array.from(a);

/** A model's weights in float64 with its work buffers: built once per model, on first use. */
class FusedModel {
  readonly embedding: Float64Array;
  readonly normF: Float64Array;
  readonly lmHead: Float64Array;
  readonly layers: Layer[];
  readonly scratch = new Scratch();

  constructor(
    readonly cfg: MambaConfig,
    data: (t: Tensor) => Float32Array,
    model: MambaModel,
  ) {
    const opt = (t: Tensor | undefined) => (t ? f64(data(t)) : undefined);
    const p = model.params;
    this.embedding = f64(data(p.embedding));
    this.normF = f64(data(p.normF));
    this.lmHead = f64(data(p.lmHead));
    this.layers = p.layers.map((l) => ({
      norm: f64(data(l.norm)),
      inProj: f64(data(l.inProj)),
      inProjBias: opt(l.inProjBias),
      convWeight: f64(data(l.convWeight)),
      convBias: opt(l.convBias),
      xProj: f64(data(l.xProj)),
      dtProjWeight: f64(data(l.dtProjWeight)),
      dtProjBias: f64(data(l.dtProjBias)),
      A: Float64Array.from(data(l.aLog), (a) => -Math.exp(a)),
      D: f64(data(l.D)),
      outProj: f64(data(l.outProj)),
      outProjBias: opt(l.outProjBias),
    }));
  }
}

const models = new WeakMap<MambaModel, FusedModel>();

/** Runs the model on ids [b, l] on the CPU backend: logits, and the state, surprisal and mean Δ when asked. */
export function cpuForward(
  backend: CpuBackend,
  model: MambaModel,
  ids: Tensor,
  options: CpuForwardOptions,
): CpuForwardResult {
  const data = (t: Tensor) => backend.f32(t, 'forward');
  let fused = models.get(model);
  if (!fused) models.set(model, (fused = new FusedModel(model.config, data, model)));
  const cfg = model.config;
  const { hiddenSize: d, intermediateSize: c, stateSize: n, convKernel: k, vocabSize: v } = cfg;
  const [b, l] = ids.shape;
  const rows = b * l,
    w = k - 1;
  if (ids.shape.length !== 2) throw new RangeError(`cpu forward: ids must be [b, l], got [${ids.shape.join(', ')}]`);
  for (const [what, t, want] of (options.state?.conv ?? []).flatMap((t, i) => [
    [`conv state ${i}`, t, [b, c, w]] as const,
    [`ssm state ${i}`, options.state!.ssm[i], [b, c, n]] as const,
  ]))
    if (!sameShape(t.shape, want))
      throw new RangeError(`cpu forward: ${what} is ${shapeText(t.shape)}, not ${shapeText(want)}`);
  const s = fused.scratch;
  s.ensure(cfg, rows);
  embed(fused, backend.i32(ids, 'forward'), s.x);

  const conv: Tensor[] = [],
    ssm: Tensor[] = [],
    meanDelta: Tensor[] = [];
  fused.layers.forEach((p, i) => {
    const convOut = new Float32Array(b * c * w),
      ssmOut = new Float32Array(b * c * n),
      mean = options.meanDelta ? new Float32Array(rows) : undefined;
    rmsNormCpu(s.x, rows, d, p.norm, cfg.layerNormEpsilon, s.normed);
    matmulABt(s.normed, rows, d, p.inProj, 2 * c, s.xz, false);
    if (p.inProjBias) addBias(s.xz, rows, 2 * c, p.inProjBias);
    const convIn = options.state ? data(options.state.conv[i]) : undefined,
      ssmIn = options.state ? data(options.state.ssm[i]) : undefined;
    convSilu(cfg, p, s, b, l, convIn, convOut);
    matmulABt(s.u, rows, c, p.xProj, cfg.timeStepRank + 2 * n, s.xDbl, false);
    dtSoftplus(cfg, p, s, rows);
    scanGate(cfg, p, s, b, l, ssmIn, ssmOut, mean);
    matmulABt(s.gated, rows, c, p.outProj, d, s.x, true);
    if (p.outProjBias) addBias(s.x, rows, d, p.outProjBias);
    // Wrapped only when returned: the backend's tensors are what the caller must free.
    if (options.returnState) {
      conv.push(backend.wrap([b, c, w], convOut));
      ssm.push(backend.wrap([b, c, n], ssmOut));
    }
    if (mean) meanDelta.push(backend.wrap([b, l], mean));
  });
  rmsNormCpu(s.x, rows, d, fused.normF, cfg.layerNormEpsilon, s.normed);
  matmulABt(s.normed, rows, d, fused.lmHead, v, s.logits, false);
  const logits = new Float32Array(rows * v);
  for (let i = 0; i < rows * v; i++) logits[i] = s.logits[i];

  const result: CpuForwardResult = { logits: backend.wrap([b, l, v], logits) };
  if (options.returnState) result.state = { conv, ssm };
  if (options.targets) {
    const targets = backend.i32(options.targets, 'forward');
    if (targets.length !== rows) throw new RangeError(`cpu forward: ${targets.length} targets for ${rows} positions`);
    result.surprisal = backend.wrap([b, l], surprisalBitsCpu(s.logits, rows, v, targets));
  }
  if (options.meanDelta) result.meanDelta = meanDelta;
  return result;
}

function embed(m: FusedModel, ids: Int32Array, x: Float64Array): void {
  const { vocabSize: v, hiddenSize: d } = m.cfg;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!(id >= 0 && id < v))
      throw new RangeError(`token id ${id} at position ${i} is outside the vocabulary [0, ${v})`);
    for (let j = 0; j < d; j++) x[i * d + j] = m.embedding[id * d + j];
  }
}

function addBias(out: Float64Array, rows: number, m: number, bias: Float64Array): void {
  for (let r = 0; r < rows; r++) for (let j = 0; j < m; j++) out[r * m + j] += bias[j];
}

/** u = silu(conv1d(x)) with x read in place from xz; the k-1 inputs before t = 0 from `stateIn`; the last k-1 into `stateOut`. */
function convSilu(
  cfg: MambaConfig,
  p: Layer,
  s: Scratch,
  b: number,
  l: number,
  stateIn: Float32Array | undefined,
  stateOut: Float32Array,
): void {
  const { intermediateSize: c, convKernel: k } = cfg;
  const w = k - 1,
    c2 = 2 * c,
    { xz, u } = s,
    weight = p.convWeight,
    bias = p.convBias;
  // Input at time t of batch row bi (t < 0 reads the carried window).
  const input = (bi: number, t: number, ci: number): number =>
    t >= 0 ? xz[(bi * l + t) * c2 + ci] : stateIn ? stateIn[(bi * c + ci) * w + w + t] : 0;
  for (let bi = 0; bi < b; bi++) {
    for (let t = 0; t < l; t++) {
      const o = (bi * l + t) * c;
      if (t >= w) {
        const first = (bi * l + t - w) * c2;
        for (let ci = 0; ci < c; ci++) {
          let acc = bias ? bias[ci] : 0;
          for (let j = 0; j < k; j++) acc += weight[ci * k + j] * xz[first + j * c2 + ci];
          u[o + ci] = acc / (1 + fastExp(-acc));
        }
      } else {
        for (let ci = 0; ci < c; ci++) {
          let acc = bias ? bias[ci] : 0;
          for (let j = 0; j < k; j++) acc += weight[ci * k + j] * input(bi, t - w + j, ci);
          u[o + ci] = acc / (1 + fastExp(-acc));
        }
      }
    }
    for (let ci = 0; ci < c; ci++)
      for (let j = 0; j < w; j++) stateOut[(bi * c + ci) * w + j] = input(bi, l - w + j, ci);
  }
}

/** delta = softplus(dt @ dtProj^T + bias), dt read in place from the first r columns of xDbl. */
function dtSoftplus(cfg: MambaConfig, p: Layer, s: Scratch, rows: number): void {
  const { intermediateSize: c, stateSize: n, timeStepRank: r } = cfg;
  const xw = r + 2 * n,
    { xDbl, delta } = s,
    weight = p.dtProjWeight,
    bias = p.dtProjBias;
  for (let row = 0; row < rows; row++) {
    const xo = row * xw,
      o = row * c;
    for (let ci = 0; ci < c; ci++) {
      let acc = bias[ci];
      for (let q = 0; q < r; q++) acc += weight[ci * r + q] * xDbl[xo + q];
      delta[o + ci] = fastSoftplus(acc);
    }
  }
}

/** The selective scan from `stateIn` (zeros when absent), its output gated by silu(z) into `gated`; the end state into `stateOut`, each row's mean Δ into `mean`. */
function scanGate(
  cfg: MambaConfig,
  p: Layer,
  s: Scratch,
  b: number,
  l: number,
  stateIn: Float32Array | undefined,
  stateOut: Float32Array,
  mean: Float32Array | undefined,
): void {
  const { intermediateSize: c, stateSize: n, timeStepRank: r } = cfg;
  const xw = r + 2 * n,
    c2 = 2 * c,
    size = c * n,
    { xz, u, xDbl, delta, gated, h } = s,
    { A, D } = p;
  for (let bi = 0; bi < b; bi++) {
    if (stateIn) for (let i = 0; i < size; i++) h[i] = stateIn[bi * size + i];
    else h.fill(0, 0, size);
    for (let t = 0; t < l; t++) {
      const row = bi * l + t,
        o = row * c,
        bo = row * xw + r,
        co = bo + n,
        zo = row * c2 + c;
      let sumDelta = 0;
      for (let ci = 0; ci < c; ci++) {
        const dt = delta[o + ci],
          uu = u[o + ci],
          du = dt * uu,
          hs = ci * n;
        let acc = 0;
        for (let j = 0; j < n; j++) {
          const hv = fastExp(dt * A[hs + j]) * h[hs + j] + du * xDbl[bo + j];
          h[hs + j] = hv;
          acc += xDbl[co + j] * hv;
        }
        const y = acc + D[ci] * uu,
          z = xz[zo + ci];
        gated[o + ci] = (y * z) / (1 + fastExp(-z));
        sumDelta += dt;
      }
      if (mean) mean[row] = sumDelta / c;
    }
    for (let i = 0; i < size; i++) stateOut[bi * size + i] = h[i];
  }
}

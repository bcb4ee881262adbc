// Training on WebGPU: the forward is the engine's own (mambaForward on the WebGPU backend, asked
// to keep every block's intermediates), the backward is the ops' WGSL backward twins in reverse
// order, and AdamW with global-norm clipping runs on the device too. Parameters, gradients and
// AdamW moments live in device buffers. Mirrors MambaTrainModel (the CPU trainer) op for op, which
// the gpu tests compare it against.
// Two ways to drive it: lossAndGrad then step (the loss and the gradient norm read back each
// step), or trainStep, which encodes the whole step (forward, backward, clipping, AdamW) into one
// submit and keeps the loss and norm on the device until readStats asks for them, so the host
// prepares the next step while the device runs this one. A step's tensors come from a buffer
// pool: after the first step nothing is created.
import type { MambaConfig } from '../model/config';
import { mambaForward, type ForwardResult, type LayerActivations } from '../model/forward';
import type { MambaLayerParams, MambaModel, MambaParams } from '../model/weights';
import { softplusBackwardWebgpu } from '../ops/activation-backward';
import { columnSumWebgpu } from '../ops/column-sum';
import { conv1dSiluBackwardWebgpu } from '../ops/conv1d-backward';
import { embeddingBackwardWebgpu } from '../ops/embedding-backward';
import { gateBackwardWebgpu } from '../ops/gate-backward';
import { stridedMatmulWebgpu, type StridedOperand } from '../ops/linear-backward';
import { rmsNormBackwardWebgpu } from '../ops/rms-norm-backward';
import {
  SCAN_BACKWARD_TILING,
  scanBackwardScratchSize,
  selectiveScanBackwardWebgpu,
  type ScanBackwardTiling,
} from '../ops/selective-scan-backward';
import { BufferPool, type GpuRuntime } from '../webgpu/runtime';
import { GpuTensor } from '../webgpu/tensor';
import type { WebGpuBackend } from '../webgpu/webgpu-backend';
import { adamwStepWebgpu, type AdamWConfig } from './adamw';
import { clipFromSquaresWebgpu, clipScale, gradSquaresWebgpu } from './clip';
import { crossEntropyWebgpu, type CrossEntropyResult } from './cross-entropy';
import { EMBEDDING, LM_HEAD, NORM_F, layerNames, paramSpecs, type LayerNames, type ParamSpec } from './params';

/** A row-major [rows, cols] matrix as an operand: read as is (i = row) or transposed (i = column). */
function mat(t: { buffer: GPUBuffer }, cols: number, transposed = false, offset = 0): StridedOperand {
  return transposed
    ? { buffer: t.buffer, offset, strideRow: 1, strideK: cols }
    : { buffer: t.buffer, offset, strideRow: cols, strideK: 1 };
}
/** The same matrix as the right operand B[k, j] = m[k, j] (k = row). */
function right(t: { buffer: GPUBuffer }, cols: number, offset = 0): StridedOperand {
  return { buffer: t.buffer, offset, strideRow: 1, strideK: cols };
}

/** A block's intermediates as the WebGPU forward made them. */
type GpuActivations = { [K in keyof LayerActivations]: GpuTensor };

/** What the scan's backward gives the ops before it (its parameter gradients go straight into the gradients). */
interface ScanInputGrads {
  dU: GpuTensor;
  dDelta: GpuTensor;
  dB: GpuTensor;
  dC: GpuTensor;
}

/** One block's backward tensors, recycled into the pool together when the block is done. */
class StepTemps {
  private readonly list: GpuTensor[] = [];
  constructor(private readonly rt: GpuRuntime) {}
  alloc(shape: number[]): GpuTensor {
    return this.keep(this.rt.alloc(shape));
  }
  keep(t: GpuTensor): GpuTensor {
    this.list.push(t);
    return t;
  }
  recycle(): void {
    for (const t of this.list.splice(0)) this.rt.recycle(t);
  }
}

/** Loss and gradient norm of one trainStep. */
export interface StepStats {
  nats: number;
  count: number;
  norm: number;
}

/** Steps whose stats the device holds before trainStep reads them back itself. */
const STATS_CAPACITY = 1024;
/** Floats per step in the stats ring: what `current` holds (gradient norm, clip scale, finite flag, summed loss). */
const STATS_STRIDE = 4;

export class WebGpuTrainModel {
  readonly rows: number;
  readonly specs: readonly ParamSpec[];
  private readonly rt: GpuRuntime;
  private readonly params = new Map<string, GpuTensor>();
  private readonly grads = new Map<string, GpuTensor>();
  private readonly moments = new Map<string, { m: GpuTensor; v: GpuTensor }>();
  private readonly model: MambaModel;
  private readonly scanScratch: GpuTensor;
  private readonly dpre: GpuTensor;
  private readonly rstd: GpuTensor;
  private readonly sums: GpuTensor;
  private readonly ids: GpuTensor;
  private readonly targets: GpuTensor;
  private readonly loss: GpuTensor;
  /** [norm, scale, finite] (the clip AdamW reads, clip.ts) and the summed loss (nats): one step's entry of the stats ring. */
  private readonly current: GpuTensor;
  private readonly stats: GpuTensor;
  private readonly pool = new BufferPool();
  /** Host side of trainStep's ring: each pending step's count, and stats already read back. */
  private pendingCounts: number[] = [];
  private readBack: StepStats[] = [];
  private inFlight: Promise<unknown> = Promise.resolve();
  /** AdamW steps taken. */
  t = 0;

  /** The scan backward tiles l by `scanTiling`. */
  constructor(
    readonly backend: WebGpuBackend,
    readonly cfg: MambaConfig,
    readonly b: number,
    readonly l: number,
    readonly scanTiling: ScanBackwardTiling = SCAN_BACKWARD_TILING,
  ) {
    this.rt = backend.runtime;
    this.rows = b * l;
    this.specs = paramSpecs(cfg);
    for (const s of this.specs) {
      // The engine's conv weight is [c, k]; HF stores [c, 1, k]: same bytes.
      const shape = s.shape.length === 3 ? [s.shape[0], s.shape[2]] : s.shape;
      this.params.set(s.name, this.rt.alloc(shape));
      this.grads.set(s.name, this.rt.alloc(shape));
      this.moments.set(s.name, { m: this.rt.alloc(shape), v: this.rt.alloc(shape) });
    }
    const P = (name: string) => this.P(name);
    const opt = (name: string) => this.params.get(name);
    const layers: MambaLayerParams<GpuTensor>[] = Array.from({ length: cfg.numLayers }, (_, i) => {
      const L = layerNames(i);
      return {
        norm: P(L.norm),
        inProj: P(L.inProj),
        inProjBias: opt(L.inProjBias),
        convWeight: P(L.convW),
        convBias: opt(L.convB),
        xProj: P(L.xProj),
        dtProjWeight: P(L.dtW),
        dtProjBias: P(L.dtB),
        aLog: P(L.aLog),
        D: P(L.D),
        outProj: P(L.outProj),
        outProjBias: opt(L.outProjBias),
      };
    });
    const params: MambaParams<GpuTensor> = {
      embedding: P(EMBEDDING),
      layers,
      normF: P(NORM_F),
      lmHead: cfg.tieWordEmbeddings ? P(EMBEDDING) : P(LM_HEAD),
    };
    this.model = { config: cfg, params };
    this.scanScratch = this.rt.alloc([
      scanBackwardScratchSize({ b, l, c: cfg.intermediateSize, n: cfg.stateSize }, scanTiling),
    ]);
    this.dpre = this.rt.alloc([this.rows * cfg.intermediateSize]);
    this.rstd = this.rt.alloc([this.rows]);
    this.sums = this.rt.alloc([this.specs.length]);
    this.ids = this.rt.alloc([b, l], 'i32');
    this.targets = this.rt.alloc([this.rows], 'i32');
    this.loss = this.rt.alloc([this.rows]);
    this.current = this.rt.alloc([STATS_STRIDE]);
    this.stats = this.rt.alloc([STATS_CAPACITY * STATS_STRIDE]);
  }

  /** The model over the device parameters, for a forward pass (evaluation) without reading them back. */
  get deviceModel(): MambaModel {
    return this.model;
  }

  /** Uploads a flat parameter buffer (layout paramSpecs(cfg)). */
  setParams(flat: Float32Array): void {
    for (const s of this.specs)
      this.rt.device.queue.writeBuffer(
        (this.params.get(s.name) as GpuTensor).buffer,
        0,
        flat.buffer,
        flat.byteOffset + s.offset * 4,
        s.size * 4,
      );
  }

  private async readFlat(map: Map<string, GpuTensor>): Promise<Float32Array> {
    const last = this.specs[this.specs.length - 1],
      out = new Float32Array(last.offset + last.size);
    for (const s of this.specs) out.set(new Float32Array(await this.rt.read(map.get(s.name) as GpuTensor)), s.offset);
    return out;
  }

  readParams(): Promise<Float32Array> {
    return this.readFlat(this.params);
  }

  /** AdamW first and second moments, flat like the parameters (for checkpoints). */
  async readMoments(): Promise<{ m: Float32Array; v: Float32Array }> {
    const pick = (k: 'm' | 'v') => new Map([...this.moments].map(([name, mv]) => [name, mv[k]]));
    return { m: await this.readFlat(pick('m')), v: await this.readFlat(pick('v')) };
  }

  /** Restores the AdamW moments and step count (resume). */
  setMoments(m: Float32Array, v: Float32Array, t: number): void {
    for (const s of this.specs) {
      const mv = this.moments.get(s.name) as { m: GpuTensor; v: GpuTensor };
      this.rt.device.queue.writeBuffer(mv.m.buffer, 0, m.buffer, m.byteOffset + s.offset * 4, s.size * 4);
      this.rt.device.queue.writeBuffer(mv.v.buffer, 0, v.buffer, v.byteOffset + s.offset * 4, s.size * 4);
    }
    this.t = t;
  }
  readGrads(): Promise<Float32Array> {
    return this.readFlat(this.grads);
  }

  private mm(
    M: number,
    N: number,
    K: number,
    A: StridedOperand,
    B: StridedOperand,
    C: { buffer: GPUBuffer },
    accumulate: boolean,
    offC = 0,
  ): void {
    stridedMatmulWebgpu(this.rt, M, N, K, A, B, { buffer: C.buffer, offset: offC }, accumulate);
  }

  /** Forward, loss and backward: gradients of the mean loss over targets >= 0 into the device gradient buffers. */
  async lossAndGrad(ids: Int32Array, targets: Int32Array): Promise<CrossEntropyResult> {
    const count = this.inBatch(() => this.encodeLossAndGrad(ids, targets));
    const nats = new Float32Array(await this.rt.read(this.current))[3];
    return { nats, count };
  }

  /** Clips the gradients to `maxNorm` (global L2) and takes one AdamW step; returns the norm before clipping. */
  async step(lr: number, maxNorm: number, adam: AdamWConfig): Promise<number> {
    this.inBatch(() => gradSquaresWebgpu(this.rt, this.gradList(), this.sums.buffer));
    const sums = new Float32Array(await this.rt.read(this.sums));
    const norm = Math.sqrt(sums.reduce((a, x) => a + x, 0));
    const clip = new Float32Array([norm, clipScale(norm, maxNorm), 1]); // clipScale throws for a diverged norm
    this.rt.device.queue.writeBuffer(this.current.buffer, 0, clip);
    this.t++;
    this.inBatch(() => this.encodeAdamW(lr, adam));
    return norm;
  }

  /**
   * One whole training step (lossAndGrad, then step) in one submit, reading nothing back: the
   * loss and the gradient norm stay on the device for readStats. Resolves once at most this step
   * is still running on the device, so the caller can prepare the next one meanwhile.
   */
  async trainStep(ids: Int32Array, targets: Int32Array, lr: number, maxNorm: number, adam: AdamWConfig): Promise<void> {
    if (this.pendingCounts.length === STATS_CAPACITY) this.readBack.push(...(await this.readStatsFromDevice()));
    const slot = this.pendingCounts.length;
    this.inBatch(() => {
      this.pendingCounts.push(this.encodeLossAndGrad(ids, targets));
      gradSquaresWebgpu(this.rt, this.gradList(), this.sums.buffer);
      clipFromSquaresWebgpu(this.rt, this.sums.buffer, this.specs.length, maxNorm, this.current.buffer);
      this.t++;
      this.encodeAdamW(lr, adam);
      this.rt.copyBytes(this.current.buffer, 0, this.stats.buffer, slot * STATS_STRIDE * 4, STATS_STRIDE * 4);
    });
    const previous = this.inFlight;
    this.inFlight = this.rt.device.queue.onSubmittedWorkDone();
    await previous;
  }

  /** Loss and gradient norm of every trainStep since the last call, oldest first; throws if a norm was not finite. */
  async readStats(): Promise<StepStats[]> {
    const out = [...this.readBack, ...(await this.readStatsFromDevice())];
    this.readBack = [];
    for (const s of out) clipScale(s.norm, Infinity); // throws for a diverged norm
    return out;
  }

  private async readStatsFromDevice(): Promise<StepStats[]> {
    const counts = this.pendingCounts;
    if (counts.length === 0) return [];
    this.pendingCounts = [];
    const raw = new Float32Array(await this.rt.read(this.stats));
    return counts.map((count, i) => ({ nats: raw[i * STATS_STRIDE + 3], count, norm: raw[i * STATS_STRIDE] }));
  }

  private gradList(): { buffer: GPUBuffer; size: number }[] {
    return this.specs.map((s) => ({ buffer: (this.grads.get(s.name) as GpuTensor).buffer, size: s.size }));
  }

  private encodeAdamW(lr: number, adam: AdamWConfig): void {
    adamwStepWebgpu(
      this.rt,
      this.specs.map((s) => {
        const mv = this.moments.get(s.name) as { m: GpuTensor; v: GpuTensor };
        return {
          param: (this.params.get(s.name) as GpuTensor).buffer,
          grad: (this.grads.get(s.name) as GpuTensor).buffer,
          m: mv.m.buffer,
          v: mv.v.buffer,
          size: s.size,
          decay: s.decay,
        };
      }),
      this.t,
      lr,
      this.current.buffer,
      adam,
    );
  }

  /** Runs `encode` with the step's work going into one submit and its tensors into the pool. */
  private inBatch<T>(encode: () => T): T {
    const rt = this.rt,
      outer = rt.pool;
    rt.beginBatch();
    rt.pool = this.pool;
    try {
      return encode();
    } finally {
      rt.flush(); // before the pool is put back: the batch's uniforms go to it too
      rt.pool = outer;
    }
  }

  /** Encodes forward, loss (summed into current[3]) and backward; returns the number of counted targets. */
  private encodeLossAndGrad(ids: Int32Array, targets: Int32Array): number {
    const count = this.countTargets(ids, targets);
    const fw = this.encodeForward(ids);
    const dlogits = this.encodeLoss(fw.logits as GpuTensor, targets, count);
    for (const g of this.grads.values()) this.rt.fillZero(g);
    const dX = this.encodeHeadBackward(fw, dlogits);
    const acts = fw.activations ?? [];
    for (let i = acts.length - 1; i >= 0; i--) this.encodeLayerBackward(i, acts[i] as GpuActivations, dX);
    const { rows, cfg } = this;
    embeddingBackwardWebgpu(
      this.rt,
      dX.buffer,
      this.ids.buffer,
      rows,
      cfg.vocabSize,
      cfg.hiddenSize,
      this.G(EMBEDDING).buffer,
    );
    this.rt.recycle(dX);
    return count;
  }

  private P(name: string): GpuTensor {
    return this.params.get(name) as GpuTensor;
  }

  private G(name: string): GpuTensor {
    return this.grads.get(name) as GpuTensor;
  }

  /** Checks ids and targets against the batch and the vocabulary; the number of targets >= 0. */
  private countTargets(ids: Int32Array, targets: Int32Array): number {
    const { rows, b, l } = this,
      v = this.cfg.vocabSize;
    if (ids.length !== rows || targets.length !== rows)
      throw new Error(`expected ${rows} ids and targets (b=${b}, l=${l})`);
    let count = 0;
    targets.forEach((t, i) => {
      if (t >= v) throw new RangeError(`target id ${t} at position ${i} is outside the vocabulary [0, ${v})`);
      if (t >= 0) count++;
    });
    return count;
  }

  /** Uploads ids and runs the engine's forward, keeping every block's intermediates. */
  private encodeForward(ids: Int32Array): ForwardResult {
    const { rt, b, l } = this;
    rt.device.queue.writeBuffer(this.ids.buffer, 0, ids.buffer, ids.byteOffset, ids.byteLength);
    // The host copy of the ids lets the embedding name a bad id and its position.
    const idsT = new GpuTensor([b, l], 'i32', this.ids.buffer, rt.device, ids);
    return mambaForward(this.backend, this.model, idsT, { activations: true });
  }

  /** Cross-entropy of the targets: per-position losses summed into current[3]; returns d loss / d logits. */
  private encodeLoss(logits: GpuTensor, targets: Int32Array, count: number): GpuTensor {
    const { rt, rows, b, l } = this,
      v = this.cfg.vocabSize;
    rt.device.queue.writeBuffer(this.targets.buffer, 0, targets.buffer, targets.byteOffset, targets.byteLength);
    const dlogits = rt.alloc([b, l, v]);
    crossEntropyWebgpu(
      rt,
      logits.buffer,
      this.targets.buffer,
      rows,
      v,
      1 / Math.max(1, count),
      this.loss.buffer,
      dlogits.buffer,
    );
    rt.fillZero(this.current);
    columnSumWebgpu(rt, this.loss.buffer, rows, 1, this.current.buffer, 3);
    return dlogits;
  }

  /** Backward of lm_head and norm_f; frees the logits and the final hidden state; returns d loss / d x_L. */
  private encodeHeadBackward(fw: ForwardResult, dlogits: GpuTensor): GpuTensor {
    const { rt, rows, b, l, cfg } = this;
    const { hiddenSize: d, vocabSize: v, layerNormEpsilon: eps } = cfg;
    const xL = fw.finalHidden as GpuTensor,
      logits = fw.logits as GpuTensor;
    const headName = cfg.tieWordEmbeddings ? EMBEDDING : LM_HEAD;
    const hF = this.backend.rmsNorm(xL, this.P(NORM_F), eps) as GpuTensor;
    const dHF = rt.alloc([b, l, d]);
    this.mm(rows, d, v, mat(dlogits, v), right(this.P(headName), d), dHF, false);
    this.mm(v, d, rows, mat(dlogits, v, true), right(hF, d), this.G(headName), true);
    const dX = rt.alloc([b, l, d]);
    rmsNormBackwardWebgpu(
      rt,
      dHF.buffer,
      xL.buffer,
      rows,
      d,
      this.P(NORM_F).buffer,
      eps,
      dX.buffer,
      this.G(NORM_F).buffer,
      this.rstd.buffer,
    );
    for (const t of [dlogits, hF, dHF, logits, xL]) rt.recycle(t);
    return dX;
  }

  /**
   * Backward of block i: dX holds d loss / d x_{i+1} and leaves holding d loss / d x_i (the
   * residual passes it on unchanged, the mixer adds to it). Frees the block's activations.
   */
  private encodeLayerBackward(i: number, a: GpuActivations, dX: GpuTensor): void {
    const temps = new StepTemps(this.rt),
      L = layerNames(i);
    const { dY, dZ } = this.encodeOutProjBackward(L, a, dX, temps);
    const scan = this.encodeScanBackward(L, a, dY, temps);
    this.encodeXProjBackward(L, a, scan, temps);
    const dXs = this.encodeConvBackward(L, a, scan.dU, temps);
    this.encodeInProjBackward(L, a, dXs, dZ, dX, temps);
    temps.recycle();
    for (const t of Object.values(a)) this.rt.recycle(t);
  }

  private colSum(src: GpuTensor, width: number, dst: GpuTensor, offC = 0): void {
    columnSumWebgpu(this.rt, src.buffer, this.rows, width, dst.buffer, offC);
  }

  /** out_proj (mixerOut = gated @ W^T, W [d, c]) and the gate; returns d loss / d y and / d z. */
  private encodeOutProjBackward(
    L: LayerNames,
    a: GpuActivations,
    dX: GpuTensor,
    temps: StepTemps,
  ): { dY: GpuTensor; dZ: GpuTensor } {
    const { rows, b, l, cfg } = this;
    const { hiddenSize: d, intermediateSize: c } = cfg;
    const dGated = temps.alloc([b, l, c]);
    this.mm(rows, c, d, mat(dX, d), right(this.P(L.outProj), c), dGated, false);
    this.mm(d, c, rows, mat(dX, d, true), right(a.gated, c), this.G(L.outProj), true);
    if (cfg.useBias) this.colSum(dX, d, this.G(L.outProjBias));
    const { dy, dz } = gateBackwardWebgpu(this.rt, dGated, a.y, a.z);
    return { dY: temps.keep(dy), dZ: temps.keep(dz) };
  }

  /** The selective scan; d A_log and d D go straight into the gradients. */
  private encodeScanBackward(L: LayerNames, a: GpuActivations, dY: GpuTensor, temps: StepTemps): ScanInputGrads {
    const { b, l } = this;
    const { intermediateSize: c, stateSize: n } = this.cfg;
    const g: ScanInputGrads = {
      dU: temps.alloc([b, l, c]),
      dDelta: temps.alloc([b, l, c]),
      dB: temps.alloc([b, l, n]),
      dC: temps.alloc([b, l, n]),
    };
    selectiveScanBackwardWebgpu(
      this.rt,
      { b, l, c, n },
      {
        u: a.u.buffer,
        delta: a.delta.buffer,
        aLog: this.P(L.aLog).buffer,
        B: a.B.buffer,
        C: a.C.buffer,
        D: this.P(L.D).buffer,
      },
      dY.buffer,
      { du: g.dU.buffer, ddelta: g.dDelta.buffer },
      this.scanScratch.buffer,
      { dB: g.dB.buffer, dC: g.dC.buffer, daLog: this.G(L.aLog).buffer, dD: this.G(L.D).buffer },
      this.scanTiling,
    );
    return g;
  }

  /**
   * dt_proj with its softplus (delta = softplus(dt @ W^T + bias), W [c, r]), then x_proj
   * ([dt | B | C] = u @ W^T, W [r + 2n, c]), whose input gradient adds to dU.
   */
  private encodeXProjBackward(L: LayerNames, a: GpuActivations, g: ScanInputGrads, temps: StepTemps): void {
    const { rows, b, l } = this;
    const { intermediateSize: c, stateSize: n, timeStepRank: r } = this.cfg;
    const dDtPre = temps.keep(softplusBackwardWebgpu(this.rt, g.dDelta, a.delta));
    const dDt = temps.alloc([b, l, r]);
    this.mm(rows, r, c, mat(dDtPre, c), right(this.P(L.dtW), r), dDt, false);
    this.mm(c, r, rows, mat(dDtPre, c, true), right(a.dt, r), this.G(L.dtW), true);
    this.colSum(dDtPre, c, this.G(L.dtB));
    // Each slice's gradient goes to its own rows of W (offset) and adds to dU.
    for (const [part, off, width] of [
      [dDt, 0, r],
      [g.dB, r, n],
      [g.dC, r + n, n],
    ] as const) {
      this.mm(rows, c, width, mat(part, width), right(this.P(L.xProj), c, off * c), g.dU, true);
      this.mm(width, c, rows, mat(part, width, true), right(a.u, c), this.G(L.xProj), true, off * c);
    }
  }

  /** conv1d + silu; returns d loss / d xs (the conv input). */
  private encodeConvBackward(L: LayerNames, a: GpuActivations, dU: GpuTensor, temps: StepTemps): GpuTensor {
    const { b, l } = this;
    const { intermediateSize: c, convKernel: k } = this.cfg;
    const dXs = temps.alloc([b, l, c]);
    conv1dSiluBackwardWebgpu(
      this.rt,
      dU.buffer,
      a.x.buffer,
      b,
      l,
      c,
      this.P(L.convW).buffer,
      k,
      this.params.get(L.convB)?.buffer,
      dXs.buffer,
      this.G(L.convW).buffer,
      this.grads.get(L.convB)?.buffer,
      this.dpre.buffer,
    );
    return dXs;
  }

  /** in_proj ([xs | z] = normed @ W^T, W [2c, d]) and the block's norm, whose input gradient adds to dX. */
  private encodeInProjBackward(
    L: LayerNames,
    a: GpuActivations,
    dXs: GpuTensor,
    dZ: GpuTensor,
    dX: GpuTensor,
    temps: StepTemps,
  ): void {
    const { rows, b, l, cfg } = this;
    const { hiddenSize: d, intermediateSize: c, layerNormEpsilon: eps } = cfg;
    const dNormed = temps.alloc([b, l, d]);
    for (const [part, off] of [
      [dXs, 0],
      [dZ, c],
    ] as const) {
      this.mm(rows, d, c, mat(part, c), right(this.P(L.inProj), d, off * d), dNormed, true);
      this.mm(c, d, rows, mat(part, c, true), right(a.normed, d), this.G(L.inProj), true, off * d);
      if (cfg.useBias) this.colSum(part, c, this.G(L.inProjBias), off);
    }
    rmsNormBackwardWebgpu(
      this.rt,
      dNormed.buffer,
      a.input.buffer,
      rows,
      d,
      this.P(L.norm).buffer,
      eps,
      dX.buffer,
      this.G(L.norm).buffer,
      this.rstd.buffer,
    );
  }

  dispose(): void {
    for (const map of [this.params, this.grads]) for (const t of map.values()) t.buffer.destroy();
    for (const { m, v } of this.moments.values()) {
      m.buffer.destroy();
      v.buffer.destroy();
    }
    for (const t of [
      this.scanScratch,
      this.dpre,
      this.rstd,
      this.sums,
      this.ids,
      this.targets,
      this.loss,
      this.current,
      this.stats,
    ])
      t.buffer.destroy();
    this.pool.destroy();
  }
}

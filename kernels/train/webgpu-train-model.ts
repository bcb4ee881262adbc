// Training on WebGPU: the forward is the engine's own (mambaForward on the WebGPU backend, asked
// to keep every block's intermediates), the backward is this folder's WGSL twins in reverse
// order, and AdamW with global-norm clipping runs on the device too. Parameters, gradients and
// AdamW moments live in device buffers; the host sends ids and targets and reads one loss and
// the gradient norm per step. Mirrors MambaTrainModel (the CPU trainer) op for op, which the gpu
// tests compare it against.
import type { MambaConfig } from '../model/config';
import { mambaForward } from '../model/forward';
import type { MambaLayerParams, MambaModel, MambaParams } from '../model/weights';
import type { GpuRuntime } from '../webgpu/runtime';
import type { GpuTensor } from '../webgpu/tensor';
import type { WebGpuBackend } from '../webgpu/webgpu-backend';
import { gateBackwardWebgpu, softplusBackwardFromOutputWebgpu } from './activation-backward';
import { adamwStepWebgpu, type AdamWConfig } from './adamw';
import { clipScale, gradSquaresWebgpu } from './clip';
import { columnSumWebgpu } from './column-sum';
import { conv1dSiluBackwardWebgpu } from './conv1d-backward';
import { crossEntropyWebgpu, type CrossEntropyResult } from './cross-entropy';
import { embeddingBackwardWebgpu } from './embedding-backward';
import { stridedMatmulWebgpu, type StridedOperand } from './linear-backward';
import { EMBEDDING, LM_HEAD, NORM_F, layerNames, paramSpecs, type ParamSpec } from './params';
import { rmsNormBackwardWebgpu } from './rms-norm-backward';
import { SCAN_CHUNK, scanBackwardBufferSizes, selectiveScanBackwardWebgpu } from './selective-scan-backward';

/** A row-major [rows, cols] matrix as an operand: read as is (i = row) or transposed (i = column). */
function mat(t: { buffer: GPUBuffer }, cols: number, transposed = false, offset = 0): StridedOperand {
  return transposed ? { buffer: t.buffer, offset, strideRow: 1, strideK: cols } : { buffer: t.buffer, offset, strideRow: cols, strideK: 1 };
}
/** The same matrix as the right operand B[k, j] = m[k, j] (k = row). */
function right(t: { buffer: GPUBuffer }, cols: number, offset = 0): StridedOperand {
  return { buffer: t.buffer, offset, strideRow: 1, strideK: cols };
}

export class WebGpuTrainModel {
  readonly rows: number;
  readonly specs: readonly ParamSpec[];
  private readonly rt: GpuRuntime;
  private readonly params = new Map<string, GpuTensor>();
  private readonly grads = new Map<string, GpuTensor>();
  private readonly moments = new Map<string, { m: GpuTensor; v: GpuTensor }>();
  private readonly model: MambaModel;
  private readonly scanBufs: { dUDelta: GpuTensor; dBC: GpuTensor; work: GpuTensor };
  private readonly dpre: GpuTensor;
  private readonly rstd: GpuTensor;
  private readonly sums: GpuTensor;
  /** AdamW steps taken. */
  t = 0;

  constructor(readonly backend: WebGpuBackend, readonly cfg: MambaConfig, readonly b: number, readonly l: number, readonly chunk = SCAN_CHUNK) {
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
    const P = (name: string) => this.params.get(name) as GpuTensor;
    const opt = (name: string) => this.params.get(name);
    const layers: MambaLayerParams<GpuTensor>[] = Array.from({ length: cfg.numLayers }, (_, i) => {
      const L = layerNames(i);
      return {
        norm: P(L.norm), inProj: P(L.inProj), inProjBias: opt(L.inProjBias), convWeight: P(L.convW), convBias: opt(L.convB), xProj: P(L.xProj),
        dtProjWeight: P(L.dtW), dtProjBias: P(L.dtB), aLog: P(L.aLog), D: P(L.D), outProj: P(L.outProj), outProjBias: opt(L.outProjBias),
      };
    });
    const params: MambaParams<GpuTensor> = { embedding: P(EMBEDDING), layers, normF: P(NORM_F), lmHead: cfg.tieWordEmbeddings ? P(EMBEDDING) : P(LM_HEAD) };
    this.model = { config: cfg, params };
    const sizes = scanBackwardBufferSizes({ b, l, c: cfg.intermediateSize, n: cfg.stateSize, chunk });
    this.scanBufs = { dUDelta: this.rt.alloc([sizes.dUDelta]), dBC: this.rt.alloc([sizes.dBC]), work: this.rt.alloc([sizes.work]) };
    this.dpre = this.rt.alloc([this.rows * cfg.intermediateSize]);
    this.rstd = this.rt.alloc([this.rows]);
    this.sums = this.rt.alloc([this.specs.length]);
  }

  /** Uploads a flat parameter buffer (layout paramSpecs(cfg)). */
  setParams(flat: Float32Array): void {
    for (const s of this.specs) this.rt.device.queue.writeBuffer((this.params.get(s.name) as GpuTensor).buffer, 0, flat.buffer, flat.byteOffset + s.offset * 4, s.size * 4);
  }

  private async readFlat(map: Map<string, GpuTensor>): Promise<Float32Array> {
    const last = this.specs[this.specs.length - 1], out = new Float32Array(last.offset + last.size);
    for (const s of this.specs) out.set(new Float32Array(await this.rt.read(map.get(s.name) as GpuTensor)), s.offset);
    return out;
  }

  readParams(): Promise<Float32Array> { return this.readFlat(this.params); }

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
  readGrads(): Promise<Float32Array> { return this.readFlat(this.grads); }

  private mm(M: number, N: number, K: number, A: StridedOperand, B: StridedOperand, C: { buffer: GPUBuffer }, accumulate: boolean, offC = 0): void {
    stridedMatmulWebgpu(this.rt, M, N, K, A, B, { buffer: C.buffer, offset: offC }, accumulate);
  }

  /** Forward, loss and backward: gradients of the mean loss over targets >= 0 into the device gradient buffers. */
  async lossAndGrad(ids: Int32Array, targets: Int32Array): Promise<CrossEntropyResult> {
    const { rt, rows, b, l, cfg } = this;
    const { hiddenSize: d, intermediateSize: c, stateSize: n, timeStepRank: r, vocabSize: v, convKernel: k, layerNormEpsilon: eps } = cfg;
    if (ids.length !== rows || targets.length !== rows) throw new Error(`expected ${rows} ids and targets (b=${b}, l=${l})`);
    const G = (name: string) => this.grads.get(name) as GpuTensor;
    const P = (name: string) => this.params.get(name) as GpuTensor;
    const temps: GpuTensor[] = [];
    const tmp = (shape: number[]) => { const t = rt.alloc(shape); temps.push(t); return t; };
    const keep = <T extends GpuTensor>(t: T) => { temps.push(t); return t; };

    const idsT = keep(rt.upload(ids, [b, l], 'i32'));
    const fw = mambaForward(this.backend, this.model, idsT, { activations: true });
    const acts = fw.activations ?? [];
    const xL = fw.finalHidden as GpuTensor, logits = fw.logits as GpuTensor;
    const forwardTensors = new Set<GpuTensor>([xL, logits]);
    for (const a of acts) for (const t of Object.values(a)) forwardTensors.add(t as GpuTensor);

    let count = 0;
    for (const t of targets) if (t >= 0) count++;
    const targetsT = keep(rt.upload(targets, [rows], 'i32'));
    const loss = tmp([rows]), dlogits = tmp([b, l, v]);
    crossEntropyWebgpu(rt, logits.buffer, targetsT.buffer, rows, v, 1 / Math.max(1, count), loss.buffer, dlogits.buffer);
    for (const g of this.grads.values()) rt.fillZero(g);

    const headName = cfg.tieWordEmbeddings ? EMBEDDING : LM_HEAD;
    const hF = keep(this.backend.rmsNorm(xL, P(NORM_F), eps) as GpuTensor);
    const dHF = tmp([b, l, d]);
    this.mm(rows, d, v, mat(dlogits, v), right(P(headName), d), dHF, false);
    this.mm(v, d, rows, mat(dlogits, v, true), right(hF, d), G(headName), true);
    const dX = tmp([b, l, d]);
    rmsNormBackwardWebgpu(rt, dHF.buffer, xL.buffer, rows, d, P(NORM_F).buffer, eps, dX.buffer, G(NORM_F).buffer, this.rstd.buffer);

    for (let i = acts.length - 1; i >= 0; i--) {
      const a = acts[i] as unknown as Record<string, GpuTensor>, L = layerNames(i);
      const colSum = (src: GpuTensor, width: number, dst: GpuTensor, offC = 0) => columnSumWebgpu(rt, src.buffer, rows, width, dst.buffer, offC);
      // out_proj: mixerOut = gated @ W^T, W [d, c]
      const dGated = tmp([b, l, c]);
      this.mm(rows, c, d, mat(dX, d), right(P(L.outProj), c), dGated, false);
      this.mm(d, c, rows, mat(dX, d, true), right(a.gated, c), G(L.outProj), true);
      if (cfg.useBias) colSum(dX, d, G(L.outProjBias));
      const { dy: dY, dz: dZ } = gateBackwardWebgpu(rt, dGated, a.y, a.z);
      keep(dY); keep(dZ);
      // selective scan
      const dB = tmp([b, l, n]), dC = tmp([b, l, n]);
      selectiveScanBackwardWebgpu(rt, { b, l, c, n, chunk: this.chunk },
        { u: a.u.buffer, delta: a.delta.buffer, aLog: P(L.aLog).buffer, B: a.B.buffer, C: a.C.buffer, D: P(L.D).buffer }, dY.buffer,
        { dUDelta: this.scanBufs.dUDelta.buffer, dBC: this.scanBufs.dBC.buffer, work: this.scanBufs.work.buffer },
        { dB: dB.buffer, dC: dC.buffer, daLog: G(L.aLog).buffer, dD: G(L.D).buffer });
      const dU = tmp([b, l, c]), dDelta = tmp([b, l, c]);
      const enc = rt.device.createCommandEncoder();
      enc.copyBufferToBuffer(this.scanBufs.dUDelta.buffer, 0, dU.buffer, 0, rows * c * 4);
      enc.copyBufferToBuffer(this.scanBufs.dUDelta.buffer, rows * c * 4, dDelta.buffer, 0, rows * c * 4);
      rt.device.queue.submit([enc.finish()]);
      // delta = softplus(dt @ W^T + bias), W [c, r]
      const dDtPre = keep(softplusBackwardFromOutputWebgpu(rt, dDelta, a.delta));
      const dDt = tmp([b, l, r]);
      this.mm(rows, r, c, mat(dDtPre, c), right(P(L.dtW), r), dDt, false);
      this.mm(c, r, rows, mat(dDtPre, c, true), right(a.dt, r), G(L.dtW), true);
      colSum(dDtPre, c, G(L.dtB));
      // x_proj: [dt | B | C] = u @ W^T, W [r + 2n, c]
      for (const [part, off, width] of [[dDt, 0, r], [dB, r, n], [dC, r + n, n]] as const) {
        this.mm(rows, c, width, mat(part, width), right(P(L.xProj), c, off * c), dU, true);
        this.mm(width, c, rows, mat(part, width, true), right(a.u, c), G(L.xProj), true, off * c);
      }
      // conv1d + silu
      const dXs = tmp([b, l, c]);
      const convB = this.params.get(L.convB), gConvB = this.grads.get(L.convB);
      conv1dSiluBackwardWebgpu(rt, dU.buffer, a.x.buffer, b, l, c, P(L.convW).buffer, k, convB?.buffer, dXs.buffer, G(L.convW).buffer, gConvB?.buffer, this.dpre.buffer);
      // in_proj: [xs | z] = normed @ W^T, W [2c, d]
      const dNormed = tmp([b, l, d]);
      for (const [part, off] of [[dXs, 0], [dZ, c]] as const) {
        this.mm(rows, d, c, mat(part, c), right(P(L.inProj), d, off * d), dNormed, true);
        this.mm(c, d, rows, mat(part, c, true), right(a.normed, d), G(L.inProj), true, off * d);
        if (cfg.useBias) colSum(part, c, G(L.inProjBias), off);
      }
      rmsNormBackwardWebgpu(rt, dNormed.buffer, a.input.buffer, rows, d, P(L.norm).buffer, eps, dX.buffer, G(L.norm).buffer, this.rstd.buffer);
    }
    embeddingBackwardWebgpu(rt, dX.buffer, idsT.buffer, rows, v, d, G(EMBEDDING).buffer);
    const perRow = new Float32Array(await rt.read(loss));
    for (const t of [...temps, ...forwardTensors]) t.buffer.destroy();
    let nats = 0;
    for (const x of perRow) nats += x;
    return { nats, count };
  }

  /** Clips the gradients to `maxNorm` (global L2) and takes one AdamW step; returns the norm before clipping. */
  async step(lr: number, maxNorm: number, adam: AdamWConfig): Promise<number> {
    const grads = this.specs.map((s) => ({ buffer: (this.grads.get(s.name) as GpuTensor).buffer, size: s.size }));
    gradSquaresWebgpu(this.rt, grads, this.sums.buffer);
    const sums = new Float32Array(await this.rt.read(this.sums));
    const norm = Math.sqrt(sums.reduce((a, x) => a + x, 0));
    this.t++;
    adamwStepWebgpu(this.rt, this.specs.map((s) => {
      const mv = this.moments.get(s.name) as { m: GpuTensor; v: GpuTensor };
      return { param: (this.params.get(s.name) as GpuTensor).buffer, grad: (this.grads.get(s.name) as GpuTensor).buffer, m: mv.m.buffer, v: mv.v.buffer, size: s.size, decay: s.decay };
    }), this.t, lr, clipScale(norm, maxNorm), adam);
    return norm;
  }

  dispose(): void {
    for (const map of [this.params, this.grads]) for (const t of map.values()) t.buffer.destroy();
    for (const { m, v } of this.moments.values()) { m.buffer.destroy(); v.buffer.destroy(); }
    for (const t of [this.scanBufs.dUDelta, this.scanBufs.dBC, this.scanBufs.work, this.dpre, this.rstd, this.sums]) t.buffer.destroy();
  }
}


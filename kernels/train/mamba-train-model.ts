// The fused CPU training model: forward that keeps what the backward needs, then the backward of
// every op in reverse, for a whole MambaForCausalLM on a batch of b windows of length l. Works
// in float32 for training and float64 for the finite-difference tests (the array type is a
// parameter). Buffers are allocated once per (b, l).
//
// Per layer, rows = b*l:  xn = rmsnorm(x);  [xs | z] = xn @ in_proj^T;  u = silu(conv(xs));
// [dtr | B | C] = u @ x_proj^T;  delta = softplus(dtr @ dt_proj^T + dt_bias);
// y = scan(u, delta, A_log, B, C, D);  x += (y * silu(z)) @ out_proj^T.
// Head: logits = rmsnorm_f(x) @ (lm_head or embedding)^T, loss = cross-entropy.
import { gateBackward, gateForward, softplusBackward, softplusForward } from './activation-backward';
import { conv1dSiluBackward, conv1dSiluForward } from './conv1d-backward';
import { crossEntropy, type CrossEntropyResult } from './cross-entropy';
import type { MambaConfig } from '../model/config';
import { embeddingBackward, embeddingForward } from './embedding-backward';
import { linearBackward, linearForward, TransposeScratch } from './linear-backward';
import { EMBEDDING, LM_HEAD, NORM_F, layerNames, ParamViews, type FloatArray, type LayerNames } from './params';
import { rmsNormBackward, rmsNormForward } from './rms-norm-backward';
import {
  chunkCount,
  SCAN_CHUNK,
  ScanWorkspace,
  selectiveScanBackward,
  selectiveScanForward,
  type ScanTensors,
} from './selective-scan-backward';

interface LayerActs<A extends FloatArray> {
  xIn: A;
  rstd: A;
  xn: A;
  xz: A;
  xs: A;
  z: A;
  pre: A;
  u: A;
  dbc: A;
  dtr: A;
  B: A;
  C: A;
  dtPre: A;
  delta: A;
  y: A;
  g: A;
  chunkStates: A;
}

/** Copies columns [start, start+width) of src [rows, total] into dst [rows, width], or back (merge). */
function copyColumns(
  src: FloatArray,
  rows: number,
  total: number,
  start: number,
  width: number,
  dst: FloatArray,
  merge: boolean,
): void {
  for (let i = 0; i < rows; i++) {
    const so = i * total + start,
      dO = i * width;
    if (merge) for (let j = 0; j < width; j++) src[so + j] = dst[dO + j];
    else for (let j = 0; j < width; j++) dst[dO + j] = src[so + j];
  }
}

export class MambaTrainModel<A extends FloatArray> {
  readonly rows: number;
  private readonly acts: LayerActs<A>[] = [];
  private readonly names: LayerNames[];
  private readonly ws: ScanWorkspace<A>;
  private readonly scratch: TransposeScratch<A>;
  private readonly xL: A;
  private readonly rstdF: A;
  private readonly hF: A;
  readonly logits: A;
  private readonly dlogits: A;
  // Gradient scratch, shared by all layers (the backward visits one layer at a time).
  private readonly dX: A;
  private readonly dH: A;
  private readonly dXZ: A;
  private readonly dXs: A;
  private readonly dZ: A;
  private readonly dU: A;
  private readonly dDbc: A;
  private readonly dDtr: A;
  private readonly dB: A;
  private readonly dC: A;
  private readonly dDtPre: A;
  private readonly dDelta: A;
  private readonly dY: A;
  private readonly dG: A;
  private readonly dPre: A;

  constructor(
    readonly cfg: MambaConfig,
    readonly b: number,
    readonly l: number,
    make: (size: number) => A,
    readonly chunk = SCAN_CHUNK,
  ) {
    const rows = (this.rows = b * l);
    const {
      hiddenSize: d,
      intermediateSize: c,
      stateSize: n,
      timeStepRank: r,
      vocabSize: vocab,
      numLayers: nLayer,
    } = cfg;
    this.names = Array.from({ length: nLayer }, (_, i) => layerNames(i));
    for (let i = 0; i < nLayer; i++) {
      this.acts.push({
        xIn: make(rows * d),
        rstd: make(rows),
        xn: make(rows * d),
        xz: make(rows * 2 * c),
        xs: make(rows * c),
        z: make(rows * c),
        pre: make(rows * c),
        u: make(rows * c),
        dbc: make(rows * (r + 2 * n)),
        dtr: make(rows * r),
        B: make(rows * n),
        C: make(rows * n),
        dtPre: make(rows * c),
        delta: make(rows * c),
        y: make(rows * c),
        g: make(rows * c),
        chunkStates: make(b * chunkCount(l, chunk) * c * n),
      });
    }
    this.ws = new ScanWorkspace({ b, l, c, n, chunk }, make);
    this.scratch = new TransposeScratch(make);
    this.xL = make(rows * d);
    this.rstdF = make(rows);
    this.hF = make(rows * d);
    this.logits = make(rows * vocab);
    this.dlogits = make(rows * vocab);
    this.dX = make(rows * d);
    this.dH = make(rows * d);
    this.dXZ = make(rows * 2 * c);
    this.dXs = make(rows * c);
    this.dZ = make(rows * c);
    this.dU = make(rows * c);
    this.dDbc = make(rows * (r + 2 * n));
    this.dDtr = make(rows * r);
    this.dB = make(rows * n);
    this.dC = make(rows * n);
    this.dDtPre = make(rows * c);
    this.dDelta = make(rows * c);
    this.dY = make(rows * c);
    this.dG = make(rows * c);
    this.dPre = make(rows * c);
  }

  private head(p: ParamViews<A>): A {
    return this.cfg.tieWordEmbeddings ? p.get(EMBEDDING) : p.get(LM_HEAD);
  }

  /** Forward over ids [b, l]; fills `logits` [b*l, v]. */
  forward(p: ParamViews<A>, ids: Int32Array): void {
    const {
      hiddenSize: d,
      intermediateSize: c,
      stateSize: n,
      timeStepRank: r,
      vocabSize: vocab,
      convKernel: k,
      layerNormEpsilon: eps,
    } = this.cfg;
    const { rows, b, l } = this;
    if (ids.length !== rows) throw new Error(`expected ${rows} token ids (b=${b}, l=${l}), got ${ids.length}`);
    let x = this.acts.length > 0 ? this.acts[0].xIn : this.xL;
    embeddingForward(p.get(EMBEDDING), vocab, d, ids, rows, x);
    for (let i = 0; i < this.acts.length; i++) {
      const a = this.acts[i],
        L = this.names[i];
      if (a.xIn !== x) a.xIn.set(x);
      rmsNormForward(a.xIn, rows, d, p.get(L.norm), eps, a.xn, a.rstd);
      linearForward(a.xn, rows, d, p.get(L.inProj), 2 * c, p.maybe(L.inProjBias), a.xz);
      copyColumns(a.xz, rows, 2 * c, 0, c, a.xs, false);
      copyColumns(a.xz, rows, 2 * c, c, c, a.z, false);
      conv1dSiluForward(a.xs, b, l, c, p.get(L.convW), k, p.maybe(L.convB), a.pre, a.u);
      linearForward(a.u, rows, c, p.get(L.xProj), r + 2 * n, undefined, a.dbc);
      copyColumns(a.dbc, rows, r + 2 * n, 0, r, a.dtr, false);
      copyColumns(a.dbc, rows, r + 2 * n, r, n, a.B, false);
      copyColumns(a.dbc, rows, r + 2 * n, r + n, n, a.C, false);
      linearForward(a.dtr, rows, r, p.get(L.dtW), c, p.get(L.dtB), a.dtPre);
      softplusForward(a.dtPre, a.delta, rows * c);
      selectiveScanForward(this.scanTensors(p, a, L), this.ws, a.y, a.chunkStates);
      gateForward(a.y, a.z, a.g, rows * c);
      const next = i + 1 < this.acts.length ? this.acts[i + 1].xIn : this.xL;
      linearForward(a.g, rows, c, p.get(L.outProj), d, p.maybe(L.outProjBias), next);
      for (let j = 0; j < rows * d; j++) next[j] += a.xIn[j];
      x = next;
    }
    rmsNormForward(this.xL, rows, d, p.get(NORM_F), eps, this.hF, this.rstdF);
    linearForward(this.hF, rows, d, this.head(p), vocab, undefined, this.logits);
  }

  private scanTensors(p: ParamViews<A>, a: LayerActs<A>, L: LayerNames): ScanTensors<A> {
    return { u: a.u, delta: a.delta, aLog: p.get(L.aLog), B: a.B, C: a.C, D: p.get(L.D) };
  }

  /** Mean cross-entropy over targets >= 0 (nats) of the last forward, without gradients. */
  loss(targets: Int32Array): CrossEntropyResult {
    return crossEntropy(this.logits, targets, this.rows, this.cfg.vocabSize, undefined, false);
  }

  /**
   * Forward, loss and backward: writes d(mean loss)/d(param) into `grad` (overwritten), returns
   * the summed loss in nats and the counted positions. targets [b, l], < 0 where not counted.
   */
  lossAndGrad(p: ParamViews<A>, ids: Int32Array, targets: Int32Array, grad: ParamViews<A>): CrossEntropyResult {
    this.forward(p, ids);
    const {
      hiddenSize: d,
      intermediateSize: c,
      stateSize: n,
      timeStepRank: r,
      vocabSize: vocab,
      convKernel: k,
    } = this.cfg;
    const { rows, b, l, scratch } = this;
    const res = crossEntropy(this.logits, targets, rows, vocab, this.dlogits, true);
    grad.flat.fill(0);
    const gHead = this.cfg.tieWordEmbeddings ? grad.get(EMBEDDING) : grad.get(LM_HEAD);
    this.dH.fill(0);
    linearBackward(this.dlogits, this.hF, rows, d, this.head(p), vocab, this.dH, gHead, undefined, scratch);
    this.dX.fill(0);
    rmsNormBackward(this.dH, this.xL, rows, d, p.get(NORM_F), this.rstdF, this.dX, grad.get(NORM_F));
    for (let i = this.acts.length - 1; i >= 0; i--) {
      const a = this.acts[i],
        L = this.names[i];
      // dX holds d loss / d x_{i+1}; the residual passes it to x_i unchanged, the mixer adds to it.
      this.dG.fill(0);
      linearBackward(
        this.dX,
        a.g,
        rows,
        c,
        p.get(L.outProj),
        d,
        this.dG,
        grad.get(L.outProj),
        grad.maybe(L.outProjBias),
        scratch,
      );
      this.dY.fill(0);
      this.dZ.fill(0);
      gateBackward(this.dG, a.y, a.z, this.dY, this.dZ, rows * c);
      this.dU.fill(0);
      this.dDelta.fill(0);
      this.dB.fill(0);
      this.dC.fill(0);
      selectiveScanBackward(this.scanTensors(p, a, L), this.dY, a.chunkStates, this.ws, {
        du: this.dU,
        ddelta: this.dDelta,
        daLog: grad.get(L.aLog),
        dB: this.dB,
        dC: this.dC,
        dD: grad.get(L.D),
      });
      softplusBackward(this.dDelta, a.dtPre, this.dDtPre, rows * c);
      this.dDtr.fill(0);
      linearBackward(
        this.dDtPre,
        a.dtr,
        rows,
        r,
        p.get(L.dtW),
        c,
        this.dDtr,
        grad.get(L.dtW),
        grad.get(L.dtB),
        scratch,
      );
      copyColumns(this.dDbc, rows, r + 2 * n, 0, r, this.dDtr, true);
      copyColumns(this.dDbc, rows, r + 2 * n, r, n, this.dB, true);
      copyColumns(this.dDbc, rows, r + 2 * n, r + n, n, this.dC, true);
      linearBackward(
        this.dDbc,
        a.u,
        rows,
        c,
        p.get(L.xProj),
        r + 2 * n,
        this.dU,
        grad.get(L.xProj),
        undefined,
        scratch,
      );
      this.dXs.fill(0);
      conv1dSiluBackward(
        this.dU,
        a.xs,
        a.pre,
        b,
        l,
        c,
        p.get(L.convW),
        k,
        this.dXs,
        grad.get(L.convW),
        grad.maybe(L.convB),
        this.dPre,
      );
      copyColumns(this.dXZ, rows, 2 * c, 0, c, this.dXs, true);
      copyColumns(this.dXZ, rows, 2 * c, c, c, this.dZ, true);
      this.dH.fill(0);
      linearBackward(
        this.dXZ,
        a.xn,
        rows,
        d,
        p.get(L.inProj),
        2 * c,
        this.dH,
        grad.get(L.inProj),
        grad.maybe(L.inProjBias),
        scratch,
      );
      rmsNormBackward(this.dH, a.xIn, rows, d, p.get(L.norm), a.rstd, this.dX, grad.get(L.norm));
    }
    embeddingBackward(this.dX, ids, rows, d, grad.get(EMBEDDING));
    return res;
  }
}

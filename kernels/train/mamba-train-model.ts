// The CPU training model: the inference forward's CPU ops (kernels/ops/*Cpu) over a whole
// MambaForCausalLM on a batch of b windows of length l, keeping what the backward needs, then the
// backward of every op in reverse. Works in float32 for training and float64 for the
// finite-difference tests (the array type is a parameter). Buffers are allocated once per (b, l).
//
// Per layer, rows = b*l:  xn = rmsnorm(x);  [xs | z] = xn @ in_proj^T;  u = silu(conv(xs));
// [dtr | B | C] = u @ x_proj^T;  delta = softplus(dtr @ dt_proj^T + dt_bias);
// y = scan(u, delta, A_log, B, C, D);  x += (y * silu(z)) @ out_proj^T.
// Head: logits = rmsnorm_f(x) @ (lm_head or embedding)^T, loss = cross-entropy.
import type { FloatArray } from '../backend';
import type { MambaConfig } from '../model/config';
import { softplusBackwardCpu } from '../ops/activation-backward';
import { addCpu } from '../ops/add';
import { conv1dCpu } from '../ops/conv1d';
import { conv1dSiluBackwardCpu } from '../ops/conv1d-backward';
import { embeddingCpu } from '../ops/embedding';
import { embeddingBackwardCpu } from '../ops/embedding-backward';
import { gateCpu } from '../ops/gate';
import { gateBackwardCpu } from '../ops/gate-backward';
import { linearCpu } from '../ops/linear';
import { linearBackwardCpu, TransposeScratch } from '../ops/linear-backward';
import { rmsNormCpu } from '../ops/rms-norm';
import { rmsNormBackwardCpu } from '../ops/rms-norm-backward';
import { chunkCount, SCAN_CHUNK, selectiveScanSequentialCpu, type ScanArrays } from '../ops/selective-scan';
import { ScanWorkspace, selectiveScanBackwardCpu } from '../ops/selective-scan-backward';
import { sliceLastCpu } from '../ops/slice-last';
import { sliceLastBackwardCpu } from '../ops/slice-last-backward';
import { crossEntropy, type CrossEntropyResult } from './cross-entropy';
import { EMBEDDING, LM_HEAD, NORM_F, layerNames, ParamViews, type LayerNames } from './params';

/** What one layer's forward keeps for the backward. */
interface LayerActs<A extends FloatArray> {
  xIn: A;
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
  delta: A;
  y: A;
  g: A;
  chunkStates: A;
}

export class MambaTrainModel<A extends FloatArray> {
  readonly rows: number;
  private readonly acts: LayerActs<A>[] = [];
  private readonly names: LayerNames[];
  private readonly ws: ScanWorkspace<A>;
  private readonly scratch: TransposeScratch<A>;
  private readonly xL: A;
  private readonly hF: A;
  readonly logits: A;
  private readonly dlogits: A;
  // Outputs of the forward ops that training does not use: the conv window and the scan state after the last step.
  private readonly convState: A;
  private readonly hLast: A;
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
      convKernel: k,
    } = cfg;
    this.names = Array.from({ length: nLayer }, (_, i) => layerNames(i));
    for (let i = 0; i < nLayer; i++) {
      this.acts.push({
        xIn: make(rows * d),
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
        delta: make(rows * c),
        y: make(rows * c),
        g: make(rows * c),
        chunkStates: make(b * chunkCount(l, chunk) * c * n),
      });
    }
    this.ws = new ScanWorkspace({ b, l, c, n, chunk }, make);
    this.scratch = new TransposeScratch(make);
    this.xL = make(rows * d);
    this.hF = make(rows * d);
    this.logits = make(rows * vocab);
    this.dlogits = make(rows * vocab);
    this.convState = make(b * c * (k - 1));
    this.hLast = make(b * c * n);
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
  }

  private head(p: ParamViews<A>): A {
    return this.cfg.tieWordEmbeddings ? p.get(EMBEDDING) : p.get(LM_HEAD);
  }

  /** Forward over ids [b, l] with the inference ops; fills `logits` [b*l, v] and each layer's kept activations. */
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
    const x = this.acts.length > 0 ? this.acts[0].xIn : this.xL;
    embeddingCpu(p.get(EMBEDDING), vocab, d, ids, x);
    for (let i = 0; i < this.acts.length; i++) {
      const a = this.acts[i],
        L = this.names[i];
      rmsNormCpu(a.xIn, rows, d, p.get(L.norm), eps, a.xn);
      linearCpu(a.xn, rows, d, p.get(L.inProj), 2 * c, p.maybe(L.inProjBias), 'none', a.xz);
      sliceLastCpu(a.xz, rows, 2 * c, 0, c, a.xs);
      sliceLastCpu(a.xz, rows, 2 * c, c, c, a.z);
      conv1dCpu(a.xs, b, l, c, p.get(L.convW), k, p.maybe(L.convB), undefined, 'silu', {
        y: a.u,
        state: this.convState,
        pre: a.pre,
      });
      linearCpu(a.u, rows, c, p.get(L.xProj), r + 2 * n, undefined, 'none', a.dbc);
      sliceLastCpu(a.dbc, rows, r + 2 * n, 0, r, a.dtr);
      sliceLastCpu(a.dbc, rows, r + 2 * n, r, n, a.B);
      sliceLastCpu(a.dbc, rows, r + 2 * n, r + n, n, a.C);
      linearCpu(a.dtr, rows, r, p.get(L.dtW), c, p.get(L.dtB), 'softplus', a.delta);
      selectiveScanSequentialCpu(
        this.scanArrays(p, a, L),
        { b, l, c, n },
        { y: a.y, hLast: this.hLast },
        { chunk: this.chunk, states: a.chunkStates },
      );
      gateCpu(a.y, a.z, a.g);
      // The residual: the next layer's input (or norm_f's) is x + out_proj(g).
      const next = i + 1 < this.acts.length ? this.acts[i + 1].xIn : this.xL;
      linearCpu(a.g, rows, c, p.get(L.outProj), d, p.maybe(L.outProjBias), 'none', next);
      addCpu(next, a.xIn, next);
    }
    rmsNormCpu(this.xL, rows, d, p.get(NORM_F), eps, this.hF);
    linearCpu(this.hF, rows, d, this.head(p), vocab, undefined, 'none', this.logits);
  }

  private scanArrays(p: ParamViews<A>, a: LayerActs<A>, L: LayerNames): ScanArrays {
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
    const { hiddenSize: d, vocabSize: vocab, layerNormEpsilon: eps } = this.cfg;
    const { rows, scratch } = this;
    const res = crossEntropy(this.logits, targets, rows, vocab, this.dlogits, true);
    grad.flat.fill(0);
    const gHead = this.cfg.tieWordEmbeddings ? grad.get(EMBEDDING) : grad.get(LM_HEAD);
    this.dH.fill(0);
    linearBackwardCpu(this.dlogits, this.hF, rows, d, this.head(p), vocab, this.dH, gHead, undefined, scratch);
    this.dX.fill(0);
    rmsNormBackwardCpu(this.dH, this.xL, rows, d, p.get(NORM_F), eps, this.dX, grad.get(NORM_F));
    // dX holds d loss / d x_{i+1}; the residual passes it to x_i unchanged, each mixer adds to it.
    for (let i = this.acts.length - 1; i >= 0; i--) this.blockBackward(p, this.acts[i], this.names[i], grad);
    embeddingBackwardCpu(this.dX, ids, rows, d, grad.get(EMBEDDING));
    return res;
  }

  /** One block's backward: from dX (d loss / d its output) through the mixer, adding into dX and grad. */
  private blockBackward(p: ParamViews<A>, a: LayerActs<A>, L: LayerNames, grad: ParamViews<A>): void {
    const {
      hiddenSize: d,
      intermediateSize: c,
      stateSize: n,
      timeStepRank: r,
      convKernel: k,
      layerNormEpsilon: eps,
    } = this.cfg;
    const { rows, b, l, scratch } = this;
    this.dG.fill(0);
    linearBackwardCpu(
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
    gateBackwardCpu(this.dG, a.y, a.z, this.dY, this.dZ, rows * c);
    this.dU.fill(0);
    this.dDelta.fill(0);
    this.dB.fill(0);
    this.dC.fill(0);
    selectiveScanBackwardCpu(this.scanArrays(p, a, L), this.dY, a.chunkStates, this.ws, {
      du: this.dU,
      ddelta: this.dDelta,
      daLog: grad.get(L.aLog),
      dB: this.dB,
      dC: this.dC,
      dD: grad.get(L.D),
    });
    softplusBackwardCpu(this.dDelta, a.delta, this.dDtPre, rows * c);
    this.dDtr.fill(0);
    linearBackwardCpu(
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
    sliceLastBackwardCpu(this.dDtr, rows, r + 2 * n, 0, r, this.dDbc);
    sliceLastBackwardCpu(this.dB, rows, r + 2 * n, r, n, this.dDbc);
    sliceLastBackwardCpu(this.dC, rows, r + 2 * n, r + n, n, this.dDbc);
    linearBackwardCpu(
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
    conv1dSiluBackwardCpu(
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
    );
    sliceLastBackwardCpu(this.dXs, rows, 2 * c, 0, c, this.dXZ);
    sliceLastBackwardCpu(this.dZ, rows, 2 * c, c, c, this.dXZ);
    this.dH.fill(0);
    linearBackwardCpu(
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
    rmsNormBackwardCpu(this.dH, a.xIn, rows, d, p.get(L.norm), eps, this.dX, grad.get(L.norm));
  }
}

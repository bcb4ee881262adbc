// A run's validation loss: bits/token of the model's next-token predictions over fixed held-out
// windows, computed on the CPU from the step engine's current parameters in batches of VAL_BATCH
// (the last batch padded with ignored rows), so every backend is judged by the same arithmetic.
import type { MambaConfig } from '../../../kernels/model/config';
import { MambaTrainModel } from '../../../kernels/train/mamba-train-model';
import { ParamViews, type ParamSpec } from '../../../kernels/train/params';

export const VAL_BATCH = 16;

export class ValidationLoss {
  private readonly model: MambaTrainModel<Float32Array>;
  private readonly ids: Int32Array;
  private readonly targets: Int32Array;

  /** `windows` hold length + 1 tokens each: the inputs and, shifted by one, their targets. */
  constructor(
    cfg: MambaConfig,
    private readonly specs: readonly ParamSpec[],
    private readonly length: number,
    readonly windows: readonly Uint8Array[],
  ) {
    this.model = new MambaTrainModel(cfg, VAL_BATCH, length, (n): Float32Array => new Float32Array(n));
    this.ids = new Int32Array(VAL_BATCH * length);
    this.targets = new Int32Array(VAL_BATCH * length);
  }

  /** Bits/token with the parameters `params()` gives (not asked for when there are no windows). */
  async bits(params: () => Promise<Float32Array>): Promise<number | undefined> {
    if (this.windows.length === 0) return undefined;
    const p = new ParamViews(await params(), this.specs);
    let nats = 0,
      count = 0;
    for (let i = 0; i < this.windows.length; i += VAL_BATCH) {
      this.fillBatch(i);
      this.model.forward(p, this.ids);
      const res = this.model.loss(this.targets);
      nats += res.nats;
      count += res.count;
    }
    return nats / count / Math.LN2;
  }

  private fillBatch(first: number): void {
    const L = this.length;
    this.targets.fill(-1);
    for (let r = 0; r < VAL_BATCH; r++) {
      const w = this.windows[first + r];
      if (!w) {
        this.ids.fill(0, r * L, (r + 1) * L);
        continue;
      }
      for (let t = 0; t < L; t++) {
        this.ids[r * L + t] = w[t];
        this.targets[r * L + t] = w[t + 1];
      }
    }
  }
}

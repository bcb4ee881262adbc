// AdamW (Loshchilov & Hutter: weight decay decoupled from the gradient), over the flat
// parameter buffer, with decay only on the tensors whose spec says so (matrices and embeddings;
// never norms, biases, A_log, D):
//   m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g^2;  p -= lr * (m/(1-b1^t) / (sqrt(v/(1-b2^t)) + eps) + wd*p)
import type { ParamSpec } from './params';

export interface AdamWConfig { beta1: number; beta2: number; eps: number; weightDecay: number }
export const DEFAULT_ADAMW: AdamWConfig = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 };

export class AdamW {
  readonly m: Float32Array;
  readonly v: Float32Array;
  /** Number of updates taken (the bias-correction exponent). */
  t = 0;

  constructor(private readonly specs: readonly ParamSpec[], size: number, readonly cfg: AdamWConfig = DEFAULT_ADAMW) {
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
  }

  step(params: Float32Array, grad: Float32Array, lr: number): void {
    this.t++;
    const { beta1, beta2, eps, weightDecay } = this.cfg;
    const c1 = 1 / (1 - beta1 ** this.t), c2 = 1 / (1 - beta2 ** this.t);
    const { m, v } = this;
    for (const s of this.specs) {
      const decay = s.decay ? lr * weightDecay : 0;
      for (let i = s.offset; i < s.offset + s.size; i++) {
        const g = grad[i];
        m[i] = beta1 * m[i] + (1 - beta1) * g;
        v[i] = beta2 * v[i] + (1 - beta2) * g * g;
        params[i] -= lr * (m[i] * c1) / (Math.sqrt(v[i] * c2) + eps) + decay * params[i];
      }
    }
  }
}

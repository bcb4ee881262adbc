// AdamW (Loshchilov & Hutter: weight decay decoupled from the gradient), over the flat
// parameter buffer, with decay only on the tensors whose spec says so (matrices and embeddings;
// never norms, biases, A_log, D):
//   m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g^2;  p -= lr * (m/(1-b1^t) / (sqrt(v/(1-b2^t)) + eps) + wd*p)
import type { ParamSpec } from './params';
import type { GpuRuntime } from '../webgpu/runtime';
import { packUniforms, uniformDeclaration } from '../webgpu/uniforms';
import { GRID_WGSL, MAIN_ARGS, workgroupsFor } from '../webgpu/wgsl-common';

export interface AdamWConfig {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}
export const DEFAULT_ADAMW: AdamWConfig = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 };

export class AdamW {
  readonly m: Float32Array;
  readonly v: Float32Array;
  /** Number of updates taken (the bias-correction exponent). */
  t = 0;

  constructor(
    private readonly specs: readonly ParamSpec[],
    size: number,
    readonly cfg: AdamWConfig = DEFAULT_ADAMW,
  ) {
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
  }

  step(params: Float32Array, grad: Float32Array, lr: number): void {
    this.t++;
    const { beta1, beta2, eps, weightDecay } = this.cfg;
    const c1 = 1 / (1 - beta1 ** this.t),
      c2 = 1 / (1 - beta2 ** this.t);
    const { m, v } = this;
    for (const s of this.specs) {
      const decay = s.decay ? lr * weightDecay : 0;
      for (let i = s.offset; i < s.offset + s.size; i++) {
        const g = grad[i];
        m[i] = beta1 * m[i] + (1 - beta1) * g;
        v[i] = beta2 * v[i] + (1 - beta2) * g * g;
        params[i] -= (lr * (m[i] * c1)) / (Math.sqrt(v[i] * c2) + eps) + decay * params[i];
      }
    }
  }
}

// ---- WebGPU twin: one tensor per dispatch. The clipping factor comes from the device buffer
// clip = [norm, scale, finite] (clip.ts); a non-finite norm leaves parameters and moments as they are.
const ADAMW_PARAMS = {
  n: 'u32',
  lr: 'f32',
  beta1: 'f32',
  beta2: 'f32',
  c1: 'f32',
  c2: 'f32',
  eps: 'f32',
  decay: 'f32',
} as const;
const ADAMW_WGSL = `${GRID_WGSL}
@group(0) @binding(0) var<storage, read_write> param: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> m: array<f32>;
@group(0) @binding(3) var<storage, read_write> v: array<f32>;
@group(0) @binding(4) var<storage, read> clip: array<f32>;
${uniformDeclaration(ADAMW_PARAMS, 5)}
@compute @workgroup_size(WG)
fn main(${MAIN_ARGS}) {
  let i = flatWorkgroup(wid, nwg) * WG + lid;
  if (i >= p.n || clip[2] == 0.0) { return; }
  let g = grad[i] * clip[1];
  m[i] = p.beta1 * m[i] + (1.0 - p.beta1) * g;
  v[i] = p.beta2 * v[i] + (1.0 - p.beta2) * g * g;
  param[i] = param[i] - p.lr * (m[i] * p.c1) / (sqrt(v[i] * p.c2) + p.eps) - p.decay * param[i];
}
`;

export interface GpuAdamTensor {
  param: GPUBuffer;
  grad: GPUBuffer;
  m: GPUBuffer;
  v: GPUBuffer;
  size: number;
  decay: boolean;
}

/** One AdamW update (step t, already counted) of every tensor on the device, gradients scaled by clip[1]. */
export function adamwStepWebgpu(
  rt: GpuRuntime,
  tensors: readonly GpuAdamTensor[],
  t: number,
  lr: number,
  clip: GPUBuffer,
  cfg: AdamWConfig,
): void {
  const c1 = 1 / (1 - cfg.beta1 ** t),
    c2 = 1 / (1 - cfg.beta2 ** t);
  for (const x of tensors) {
    rt.run(
      ADAMW_WGSL,
      [x.param, x.grad, x.m, x.v, clip],
      packUniforms(ADAMW_PARAMS, {
        n: x.size,
        lr,
        beta1: cfg.beta1,
        beta2: cfg.beta2,
        c1,
        c2,
        eps: cfg.eps,
        decay: x.decay ? lr * cfg.weightDecay : 0,
      }),
      workgroupsFor(x.size),
    );
  }
}

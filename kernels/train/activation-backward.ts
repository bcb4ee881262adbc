// Elementwise pieces of the block, forward and backward, numerically stable for large |x|:
//   silu(x) = x * sigmoid(x),  silu'(x) = s * (1 + x * (1 - s))
//   softplus(x) = log(1 + e^x) (x itself above 20, as PyTorch),  softplus'(x) = sigmoid(x)
//   gate: g = y * silu(z);  dy += dg * silu(z),  dz += dg * y * silu'(z)
import type { FloatArray } from './params';
import { runElementwise } from '../webgpu/elementwise';
import type { GpuRuntime } from '../webgpu/runtime';
import type { GpuTensor } from '../webgpu/tensor';

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

export function silu(x: number): number {
  return x * sigmoid(x);
}

export function siluGrad(x: number): number {
  const s = sigmoid(x);
  return s * (1 + x * (1 - s));
}

export function softplus(x: number): number {
  return x > 20 ? x : Math.log1p(Math.exp(x));
}

/** out = softplus(pre), elementwise. */
export function softplusForward(pre: FloatArray, out: FloatArray, count: number): void {
  for (let i = 0; i < count; i++) out[i] = softplus(pre[i]);
}

/** dpre = dout * sigmoid(pre) (overwrites dpre: the pre-activation has no other consumer). */
export function softplusBackward(dout: FloatArray, pre: FloatArray, dpre: FloatArray, count: number): void {
  for (let i = 0; i < count; i++) dpre[i] = dout[i] * sigmoid(pre[i]);
}

export function gateForward(y: FloatArray, z: FloatArray, g: FloatArray, count: number): void {
  for (let i = 0; i < count; i++) g[i] = y[i] * silu(z[i]);
}

export function gateBackward(
  dg: FloatArray,
  y: FloatArray,
  z: FloatArray,
  dy: FloatArray,
  dz: FloatArray,
  count: number,
): void {
  for (let i = 0; i < count; i++) {
    const zi = z[i],
      s = sigmoid(zi);
    dy[i] += dg[i] * zi * s;
    dz[i] += dg[i] * y[i] * s * (1 + zi * (1 - s));
  }
}

// ---- WebGPU twins (new tensors out). softplus' from its output: sigmoid(x) = 1 - exp(-softplus(x)),
// so the backward needs only delta, which the forward keeps.
const SIG_WGSL = 'fn sig(x: f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }\n';

export function gateBackwardWebgpu(
  rt: GpuRuntime,
  dg: GpuTensor,
  y: GpuTensor,
  z: GpuTensor,
): { dy: GpuTensor; dz: GpuTensor } {
  return {
    dy: runElementwise(rt, 'gate backward dy', [dg, z], 'a * b * sig(b)', SIG_WGSL),
    dz: runElementwise(rt, 'gate backward dz', [dg, y, z], 'a * b * sig(c) * (1.0 + c * (1.0 - sig(c)))', SIG_WGSL),
  };
}

export function softplusBackwardFromOutputWebgpu(rt: GpuRuntime, dout: GpuTensor, out: GpuTensor): GpuTensor {
  return runElementwise(rt, 'softplus backward', [dout, out], 'a * (1.0 - exp(-b))');
}

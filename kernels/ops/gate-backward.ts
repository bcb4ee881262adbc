// Backward of the output gate g = y * silu(z):  dy += dg * silu(z),  dz += dg * y * silu'(z).
import type { FloatArray } from '../backend';
import { sigmoid } from './activation';
import { runElementwise } from '../webgpu/elementwise';
import type { GpuRuntime } from '../webgpu/runtime';
import type { GpuTensor } from '../webgpu/tensor';

/** CPU twin: accumulates into dy and dz. */
export function gateBackwardCpu(
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

const SIG_WGSL = 'fn sig(x: f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }\n';

/** WebGPU twin (new tensors out). */
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

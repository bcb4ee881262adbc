// Backward of softplus (fused into dt_proj's linear layer), from its output alone so that the
// forward keeps only delta = softplus(pre): softplus'(pre) = sigmoid(pre) = 1 - exp(-delta).
// Above the threshold (delta = pre > 20) this differs from sigmoid(pre) by less than e^-40.
import type { FloatArray } from '../backend';
import { runElementwise } from '../webgpu/elementwise';
import type { GpuRuntime } from '../webgpu/runtime';
import type { GpuTensor } from '../webgpu/tensor';

/** CPU twin: dpre = dout * (1 - exp(-out)), overwriting dpre (the pre-activation has no other consumer). */
export function softplusBackwardCpu(dout: FloatArray, out: FloatArray, dpre: FloatArray, count: number): void {
  for (let i = 0; i < count; i++) dpre[i] = -dout[i] * Math.expm1(-out[i]);
}

/** WebGPU twin (a new tensor out). */
export function softplusBackwardWebgpu(rt: GpuRuntime, dout: GpuTensor, out: GpuTensor): GpuTensor {
  return runElementwise(rt, 'softplus backward', [dout, out], 'a * (1.0 - exp(-b))');
}
